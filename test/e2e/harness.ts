/**
 * End-to-end harness: anvil on 127.0.0.1 with the protocol deployed and the
 * shipped model registered with short windows, funded accounts for each role, and
 * the daemons as real child processes (`node bin/refute.js provide|watch …`)
 * whose JSON log lines are collected for assertions.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import {
  createPublicClient,
  createTestClient,
  createWalletClient,
  http,
  type Address,
  type Hex,
  type PublicClient,
} from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { foundry } from "viem/chains";
import { startAnvil, type AnvilNode } from "../../src/chain/anvil.ts";
import { JobStatus } from "../../src/chain/enums.ts";
import { readJob, type Job } from "../../src/chain/read/jobs.ts";
import { deployProtocol, DEFAULT_PROTOCOL_PARAMETERS } from "../../src/chain/deploy.ts";
import { approve, deposit, mint, registerModel, requestJob } from "../../src/client/calls.ts";
import type { ProtocolAddresses, RefuteClient } from "../../src/client/contracts.ts";
import { send } from "../../src/client/send.ts";
import { readIdxImages } from "../../src/data/idx.ts";
import { floatImage } from "../../src/data/floatPixels.ts";
import { quantizePixels } from "../../src/data/quantizeInput.ts";
import { saveDeployment } from "../../src/deployments/load.ts";
import { modelIdOf, type ModelParams } from "../../src/model/modelSpec.ts";
import { compileModel, type CompiledModel } from "../../src/onnx/compile.ts";
import { modelSpecFor } from "../../src/onnx/modelSpecFor.ts";
import { pack } from "../../src/tensor/packing.ts";
import { Tensor } from "../../src/tensor/tensor.ts";

export const ROOT = join(import.meta.dirname, "..", "..");
export const MODEL = join(ROOT, "models", "fmnist-mlp.onnx");
export const TOKEN = 10n ** 18n;

/** anvil's funded accounts (the well-known test mnemonic). */
export const KEYS = [
  "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
  "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
  "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a",
  "0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6",
  "0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a",
  "0x8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba",
  "0x92db14e403b83dfe3df233f83dfa3a0d7096f21ca9b0d6d6b8d88b2b4ec1564e",
] as const satisfies readonly Hex[];
export const ROLE = { deployer: 0, requesterA: 1, requesterB: 2, honest: 3, cheater: 4, watcher: 5 } as const;

/** The private key of account `role` (a ROLE, or another index into KEYS). */
export function keyOf(role: number): Hex {
  const key = KEYS[role];
  if (key === undefined) throw new RangeError(`no funded account ${role} (there are ${KEYS.length})`);
  return key;
}

export const E2E_PARAMS: ModelParams = {
  challengeWindow: 30n,
  responseWindow: 20n,
  collateralPerJob: 100n * TOKEN,
  challengerBond: 10n * TOKEN,
};

export interface Chain {
  readonly anvil: AnvilNode;
  readonly public: PublicClient;
  readonly addresses: ProtocolAddresses;
  readonly deploymentFile: string;
  readonly dir: string;
  /** The registered model's file (`MODEL` unless setupChain was given another). */
  readonly modelFile: string;
  readonly compiled: CompiledModel;
  readonly modelId: Hex;
  client(role: number): RefuteClient;
  address(role: number): Address;
  stop(): Promise<void>;
}

export async function setupChain(
  options: { params?: ModelParams; blockTime?: number; model?: string } = {},
): Promise<Chain> {
  // Set up with automine (one block per transaction, no waiting), then switch to
  // `blockTime`-second blocks for the scenario itself.
  const anvil = await startAnvil();
  const pub = createPublicClient({
    chain: foundry,
    transport: http(anvil.rpcUrl),
    pollingInterval: 200,
  }) as PublicClient;
  const wallets = KEYS.map((k) =>
    createWalletClient({
      chain: foundry,
      transport: http(anvil.rpcUrl),
      account: privateKeyToAccount(k),
      pollingInterval: 200,
    }),
  );
  const wallet = (role: number) => {
    const w = wallets[role];
    if (w === undefined) throw new RangeError(`no funded account ${role} (there are ${wallets.length})`);
    return w;
  };
  const dep = await deployProtocol({
    publicClient: pub,
    walletClient: wallet(ROLE.deployer),
    params: { ...DEFAULT_PROTOCOL_PARAMETERS, treasury: "0x7ea5000000000000000000000000000000007ea5" },
  });
  const addresses: ProtocolAddresses = {
    token: dep.token,
    stakeManager: dep.stakeManager,
    modelRegistry: dep.modelRegistry,
    jobManager: dep.jobManager,
    oneStepVerifier: dep.oneStepVerifier,
    disputeGame: dep.disputeGame,
  };
  const client = (role: number): RefuteClient => ({ public: pub, wallet: wallet(role), addresses });
  const dir = mkdtempSync(join(tmpdir(), "refute-e2e-"));
  const deploymentFile = join(dir, "deployment.json");
  saveDeployment(deploymentFile, { chainId: foundry.id, addresses, deployBlock: dep.deployBlock });

  const modelFile = options.model ?? MODEL;
  const compiled = compileModel(new Uint8Array(readFileSync(modelFile)));
  const spec = modelSpecFor(compiled, { uri: `file://${basename(modelFile)}`, params: options.params ?? E2E_PARAMS });
  await send(client(ROLE.deployer), registerModel(addresses, spec));
  for (const role of [ROLE.requesterA, ROLE.requesterB, ROLE.honest, ROLE.cheater, ROLE.watcher]) {
    await send(client(ROLE.deployer), mint(addresses, wallet(role).account.address, 100_000n * TOKEN));
  }
  for (const role of [ROLE.requesterA, ROLE.requesterB]) {
    await send(client(role), approve(addresses, addresses.jobManager, 100_000n * TOKEN));
  }
  for (const role of [ROLE.honest, ROLE.cheater]) {
    await send(client(role), approve(addresses, addresses.stakeManager, 10_000n * TOKEN));
    await send(client(role), deposit(addresses, 10_000n * TOKEN));
  }
  await createTestClient({ chain: foundry, mode: "anvil", transport: http(anvil.rpcUrl) }).setIntervalMining({
    interval: options.blockTime ?? 1,
  });
  return {
    anvil,
    public: pub,
    addresses,
    deploymentFile,
    dir,
    modelFile,
    compiled,
    modelId: modelIdOf(spec),
    client,
    address: (role) => wallet(role).account.address,
    async stop() {
      await anvil.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The i-th evaluation image, quantized as the model expects. */
export function imageInput(compiled: CompiledModel, i: number): Tensor {
  const images = readIdxImages(join(ROOT, "models", "fmnist-mlp.eval-images.idx"));
  const size = images.rows * images.cols;
  return new Tensor(
    { dtype: compiled.input.dtype, layout: compiled.input.layout, shape: [...compiled.input.shape] },
    quantizePixels(images.pixels.subarray(i * size, (i + 1) * size)),
  );
}

/** The i-th evaluation image as the float32 models take it (pixel/255). */
export function floatImageInput(compiled: CompiledModel, i: number): Tensor {
  return floatImage(readIdxImages(join(ROOT, "models", "fmnist-mlp.eval-images.idx")), compiled.input, i);
}

/** Requests a job; returns its id. */
export async function request(
  chain: Chain,
  role: number,
  input: Tensor,
  fee = 1n * TOKEN,
  modelId: Hex = chain.modelId,
): Promise<bigint> {
  const now = (await chain.public.getBlock()).timestamp;
  const { receipt } = await send(
    chain.client(role),
    requestJob(chain.addresses, { modelId, input: pack(input), fee, commitDeadline: now + 120n }),
  );
  const topic = receipt.logs.find((l) => l.address.toLowerCase() === chain.addresses.jobManager.toLowerCase());
  return BigInt(topic?.topics[1] ?? "0x0");
}

export type LogLine = Record<string, unknown> & { msg?: string; level?: string };

/** A daemon running as a child process. */
export class Daemon {
  readonly lines: LogLine[] = [];
  stderr = "";
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private readonly child: ChildProcess;

  constructor(
    args: readonly string[],
    env: Record<string, string>,
    readonly name = args[0],
  ) {
    this.child = spawn(process.execPath, [join(ROOT, "bin", "refute.js"), ...args], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let buf = "";
    this.child.stdout?.on("data", (d: Buffer) => {
      buf += d.toString();
      let i: number;
      while ((i = buf.indexOf("\n")) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        try {
          this.lines.push(JSON.parse(line) as LogLine);
        } catch {
          this.lines.push({ msg: line, level: "raw" });
        }
        if (process.env["REFUTE_E2E_VERBOSE"] === "1") console.log(`[${this.name}] ${line}`);
      }
    });
    this.child.stderr?.on("data", (d: Buffer) => (this.stderr += d.toString()));
    this.exited = new Promise((resolve) => this.child.once("exit", (code, signal) => resolve({ code, signal })));
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  find(pred: (l: LogLine) => boolean): LogLine | undefined {
    return this.lines.find(pred);
  }

  /** Waits for the daemon's start line ("provider starting" or "watcher starting"). */
  started(timeoutMs = 60_000): Promise<LogLine> {
    return this.waitFor((l) => l.msg === "provider starting" || l.msg === "watcher starting", timeoutMs, "start");
  }

  async waitFor(pred: (l: LogLine) => boolean, timeoutMs: number, what = "log line"): Promise<LogLine> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.lines.find(pred);
      if (hit) return hit;
      if (Date.now() > deadline) throw new Error(`${this.name}: timed out waiting for ${what}\n${this.tail()}`);
      await sleep(100);
    }
  }

  tail(n = 30): string {
    return `${this.lines
      .slice(-n)
      .map((l) => JSON.stringify(l))
      .join("\n")}\n${this.stderr}`;
  }

  kill(signal: NodeJS.Signals = "SIGTERM"): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
  }

  async stop(): Promise<void> {
    this.kill("SIGTERM");
    const t = setTimeout(() => this.kill("SIGKILL"), 10_000);
    await this.exited;
    clearTimeout(t);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export function providerArgs(chain: Chain, role: number, extra: readonly string[] = []): string[] {
  return [
    "provide",
    "--rpc-url",
    chain.anvil.rpcUrl,
    "--deployment",
    chain.deploymentFile,
    "--model",
    chain.modelFile,
    "--db",
    join(chain.dir, `provider-${role}.sqlite`),
    "--trace-port",
    "0",
    "--poll-interval",
    "300",
    "--confirmations",
    "1",
    "--batch-wait",
    "800",
    ...extra,
  ];
}

export function watcherArgs(
  chain: Chain,
  extra: readonly string[] = [],
  rpcUrls: readonly string[] = [chain.anvil.rpcUrl],
): string[] {
  return [
    "watch",
    ...rpcUrls.flatMap((u) => ["--rpc-url", u]),
    "--deployment",
    chain.deploymentFile,
    "--model",
    chain.modelFile,
    "--db",
    join(chain.dir, "watcher.sqlite"),
    "--sampling-rate",
    "1",
    "--poll-interval",
    "300",
    "--confirmations",
    "1",
    "--metrics-port",
    "0",
    "--executor-memory",
    "1024",
    "--executor-timeout",
    "20000",
    "--bump-after",
    "6",
    "--rpc-timeout",
    "1500",
    ...extra,
  ];
}

export const keyEnv = (role: number): Record<string, string> => ({ REFUTE_PRIVATE_KEY: keyOf(role) });

/** Polls until `check` returns true or the deadline passes. */
/** The job as the chain holds it now. */
export function jobOf(chain: Chain, jobId: bigint): Promise<Job> {
  return readJob(chain.public, { address: chain.addresses.jobManager, jobId });
}

/** Waits until the job has `status` (JobStatus); on a timeout the error carries `context()`, e.g. a daemon's log tail. */
export function untilStatus(
  chain: Chain,
  jobId: bigint,
  status: number,
  timeoutMs: number,
  context?: () => string,
): Promise<void> {
  const name = Object.entries(JobStatus).find(([, v]) => v === status)?.[0] ?? `status ${status}`;
  return until(async () => (await jobOf(chain, jobId)).status === status, timeoutMs, `job ${jobId} ${name}`, context);
}

export async function until(
  check: () => Promise<boolean>,
  timeoutMs: number,
  what: string,
  context?: () => string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}${context ? `\n${context()}` : ""}`);
    await sleep(300);
  }
}

/**
 * An HTTP JSON-RPC proxy on 127.0.0.1 in front of anvil, for fault injection:
 * `pause()` makes it hold every request unanswered (an unreachable node, as seen
 * through timeouts) until `resume()`; `lagBlocks` makes it answer `eth_blockNumber`
 * and `eth_getBlockByNumber("latest")` as a node that many blocks behind would.
 */
export class RpcProxy {
  paused = false;
  private readonly held = new Set<import("node:http").ServerResponse>();
  private server?: import("node:http").Server;
  url = "";

  constructor(
    private readonly upstream: string,
    private readonly lagBlocks = 0,
  ) {}

  async start(): Promise<this> {
    const { createServer } = await import("node:http");
    const server = createServer((req, res) => {
      let body = "";
      req.on("data", (d: Buffer) => (body += d.toString()));
      req.on("end", () => {
        if (this.paused) {
          this.held.add(res);
          res.on("close", () => this.held.delete(res));
          return;
        }
        void this.forward(body).then(
          (out) => {
            res.writeHead(200, { "content-type": "application/json" });
            res.end(out);
          },
          () => {
            res.writeHead(502);
            res.end();
          },
        );
      });
    });
    this.server = server;
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
    const a = server.address();
    this.url = `http://127.0.0.1:${typeof a === "object" && a ? a.port : 0}`;
    return this;
  }

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    for (const res of this.held) res.destroy();
    this.held.clear();
  }

  async stop(): Promise<void> {
    this.resume();
    const s = this.server;
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
    s?.closeAllConnections();
  }

  private async call(method: string, params: unknown[]): Promise<unknown> {
    const r = await fetch(this.upstream, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
    });
    return ((await r.json()) as { result: unknown }).result;
  }

  private async forward(body: string): Promise<string> {
    if (this.lagBlocks > 0) {
      const req = JSON.parse(body) as { id: number; method: string; params?: unknown[] };
      if (req.method === "eth_blockNumber" || (req.method === "eth_getBlockByNumber" && req.params?.[0] === "latest")) {
        const head = BigInt((await this.call("eth_blockNumber", [])) as string);
        const lagged = `0x${(head > BigInt(this.lagBlocks) ? head - BigInt(this.lagBlocks) : 0n).toString(16)}`;
        const result =
          req.method === "eth_blockNumber"
            ? lagged
            : await this.call("eth_getBlockByNumber", [lagged, req.params?.[1] ?? false]);
        return JSON.stringify({ jsonrpc: "2.0", id: req.id, result });
      }
    }
    const r = await fetch(this.upstream, { method: "POST", headers: { "content-type": "application/json" }, body });
    return r.text();
  }
}
