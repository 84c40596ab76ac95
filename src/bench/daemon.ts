/**
 * A `refute provide|watch` daemon run as a real child process (`node bin/refute.js …`)
 * for the latency benchmark: its JSON log lines are kept (and copied to a file), and it
 * is stopped with SIGTERM, then SIGKILL.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, type WriteStream } from "node:fs";
import { join } from "node:path";
import type { Address, PublicClient } from "viem";
import { readStake } from "../chain/read/stake.ts";
import { REPO } from "./inputs.ts";

export const REFUTE_BIN = join(REPO, "bin", "refute.js");

export type LogLine = Readonly<Record<string, unknown>> & { readonly msg?: string };

export class BenchDaemon {
  readonly lines: LogLine[] = [];
  stderr = "";
  readonly exited: Promise<void>;
  private readonly child: ChildProcess;
  private readonly file: WriteStream;

  constructor(
    readonly name: string,
    readonly args: readonly string[],
    env: Readonly<Record<string, string>>,
    logFile: string,
  ) {
    this.file = createWriteStream(logFile);
    this.child = spawn(process.execPath, [REFUTE_BIN, ...args], {
      cwd: REPO,
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let buf = "";
    this.child.stdout?.on("data", (d: Buffer) => {
      this.file.write(d);
      buf += d.toString();
      for (let i = buf.indexOf("\n"); i >= 0; i = buf.indexOf("\n")) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        try {
          this.lines.push(JSON.parse(line) as LogLine);
        } catch {
          this.lines.push({ msg: line });
        }
      }
    });
    this.child.stderr?.on("data", (d: Buffer) => {
      this.file.write(d);
      this.stderr += d.toString();
    });
    this.exited = new Promise((resolve) => this.child.once("exit", () => resolve()));
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  messages(msg: string): LogLine[] {
    return this.lines.filter((l) => l.msg === msg);
  }

  async waitFor(msg: string, timeoutMs: number): Promise<LogLine> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.lines.find((l) => l.msg === msg);
      if (hit !== undefined) return hit;
      if (!this.running) throw new Error(`${this.name} exited while waiting for "${msg}"\n${this.tail()}`);
      if (Date.now() > deadline) throw new Error(`${this.name}: no "${msg}" within ${timeoutMs} ms\n${this.tail()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  tail(n = 15): string {
    return [...this.lines.slice(-n).map((l) => JSON.stringify(l)), this.stderr.trim()].filter(Boolean).join("\n");
  }

  async stop(graceMs = 10_000): Promise<void> {
    if (this.running) this.child.kill("SIGTERM");
    const timer = setTimeout(() => {
      if (this.running) this.child.kill("SIGKILL");
    }, graceMs);
    await this.exited;
    clearTimeout(timer);
    await new Promise<void>((resolve) => this.file.end(() => resolve()));
  }
}

/**
 * Waits until `provider`'s free stake reaches `stake` (a provider daemon deposits its
 * `--stake` at start), failing early when the daemon that should stake has exited.
 */
export async function waitForStake(
  pub: PublicClient,
  p: { readonly stakeManager: Address; readonly provider: Address; readonly stake: bigint; readonly daemon: BenchDaemon },
  timeoutMs = 180_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { free } = await readStake(pub, { address: p.stakeManager, provider: p.provider });
    if (free >= p.stake) return;
    if (!p.daemon.running) throw new Error(`${p.daemon.name} exited before staking\n${p.daemon.tail()}`);
    if (Date.now() > deadline) throw new Error(`${p.daemon.name} did not stake within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 300));
  }
}
