import { spawn, type ChildProcess } from "node:child_process";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { dirname, join } from "node:path";

/** A local anvil node on 127.0.0.1, started from the binary that ships on npm. */
export interface AnvilNode {
  readonly rpcUrl: string;
  readonly port: number;
  readonly process: ChildProcess;
  stop(): Promise<void>;
}

export interface StartAnvilParameters {
  /** Fixed port; a free loopback port when omitted. */
  readonly port?: number;
  /** Seconds between blocks; automine on every transaction when omitted. */
  readonly blockTime?: number;
  readonly chainId?: number;
  /** Extra command-line flags. */
  readonly args?: readonly string[];
  /** How long to wait for the RPC to answer, in milliseconds. */
  readonly readyTimeoutMs?: number;
  /**
   * Its own process group, so that a terminal's Ctrl-C reaches only the parent, which
   * then stops it last (`refute dev`); the parent must stop it on every exit path.
   */
  readonly detached?: boolean;
}

export class AnvilStartError extends Error {
  override readonly name = "AnvilStartError";
}

export function anvilBinary(): string {
  const require = createRequire(import.meta.url);
  const pkg = `@foundry-rs/anvil-${process.platform}-${process.arch === "x64" ? "amd64" : process.arch}`;
  try {
    return join(dirname(require.resolve(`${pkg}/package.json`)), "bin", "anvil");
  } catch (cause) {
    throw new AnvilStartError(`anvil binary package ${pkg} is not installed (run npm ci)`, { cause });
  }
}

/** A loopback port nobody is listening on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Whether nothing listens on 127.0.0.1:`port` right now. */
export function portIsFree(port: number): Promise<boolean> {
  return new Promise((done) => {
    const server = createServer();
    server.once("error", () => done(false));
    server.listen(port, "127.0.0.1", () => server.close(() => done(true)));
  });
}

export async function startAnvil(params: StartAnvilParameters = {}): Promise<AnvilNode> {
  const port = params.port ?? (await freePort());
  const args = [
    "--host",
    "127.0.0.1",
    "--port",
    String(port),
    "--silent",
    "--chain-id",
    String(params.chainId ?? 31337),
  ];
  if (params.blockTime !== undefined) args.push("--block-time", String(params.blockTime));
  args.push(...(params.args ?? []));
  const child = spawn(anvilBinary(), args, { stdio: ["ignore", "ignore", "pipe"], detached: params.detached ?? false });
  let stderr = "";
  child.stderr?.on("data", (c: Buffer) => (stderr += c.toString()));
  const rpcUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + (params.readyTimeoutMs ?? 15_000);
  for (;;) {
    if (child.exitCode !== null)
      throw new AnvilStartError(`anvil exited with code ${child.exitCode}: ${stderr.trim()}`);
    if (await answers(rpcUrl)) break;
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new AnvilStartError(`anvil did not answer on ${rpcUrl} within ${params.readyTimeoutMs ?? 15_000} ms`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    rpcUrl,
    port,
    process: child,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}

async function answers(rpcUrl: string): Promise<boolean> {
  try {
    const res = await fetch(rpcUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }),
      signal: AbortSignal.timeout(1000),
    });
    return res.ok;
  } catch {
    return false;
  }
}
