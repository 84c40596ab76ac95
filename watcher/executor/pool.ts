/**
 * Re-execution in child processes with limits, so that a hostile model cannot take
 * the watcher down: each worker is a separate Node process (V8 heap capped with
 * --max-old-space-size), its resident size is sampled every 100 ms from /proc and
 * the process is killed past `memoryMb`, and a request running past `timeoutMs` is
 * killed too. A killed or crashed worker is replaced by a fresh one on the next
 * request. Workers are kept between requests (onnxruntime sessions are cached).
 */
import { fork, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Logger } from "../../src/service/logger.ts";
import { CUDA_ENVIRONMENT } from "../../src/trace/sessionOptions.ts";
import type { ChildMessage, ChildRequest, ExecRequest, ExecResult, OutputsRequest, OutputsResult } from "./protocol.ts";

export interface ExecutorLimits {
  readonly memoryMb: number;
  readonly timeoutMs: number;
  /** Time a fresh worker may take to start (not counted against the request). */
  readonly startTimeoutMs?: number;
}

interface Worker {
  readonly child: ChildProcess;
  readonly ready: Promise<void>;
  busy: boolean;
  dead: boolean;
}

const CHILD = fileURLToPath(new URL("./child.ts", import.meta.url));

export class ExecutorPool {
  private readonly workers: Worker[] = [];
  private nextId = 1;

  constructor(
    private readonly size: number,
    private readonly limits: ExecutorLimits,
    private readonly log: Logger,
  ) {}

  /** Starts every worker now, so the first job does not wait for a process start (onnxruntime loads in seconds). */
  warm(): void {
    while (this.workers.length < this.size) this.workers.push(this.spawn());
  }

  /** Traces one job on an idle worker (the scheduler never asks for more than `size` at once). */
  run(req: Omit<ExecRequest, "id">): Promise<ExecResult> {
    return this.dispatch<ExecResult>((id) => ({ ...req, id }));
  }

  /**
   * Re-executes many jobs of one model on an idle worker and returns their output
   * roots, under the same limits as `run` (the time limit is for the whole batch).
   */
  runOutputs(req: Omit<OutputsRequest, "id" | "kind">): Promise<OutputsResult> {
    return this.dispatch<OutputsResult>((id) => ({ ...req, kind: "outputs", id }));
  }

  private async dispatch<R extends ExecResult | OutputsResult>(make: (id: number) => ChildRequest): Promise<R> {
    const worker = this.idleWorker();
    worker.busy = true;
    try {
      try {
        await worker.ready;
      } catch (e) {
        return { kind: "killed", why: "crash", message: `executor did not start: ${(e as Error).message}` } as R;
      }
      return (await this.send(worker, make(this.nextId++))) as R;
    } finally {
      worker.busy = false;
      const at = this.workers.indexOf(worker);
      if (worker.dead && at >= 0) this.workers.splice(at, 1);
    }
  }

  async close(): Promise<void> {
    for (const w of this.workers) {
      w.dead = true;
      w.child.kill("SIGKILL");
    }
    this.workers.length = 0;
  }

  private idleWorker(): Worker {
    // A worker that died while idle (or while starting) is replaced, not counted.
    for (let i = this.workers.length - 1; i >= 0; i--) {
      const w = this.workers[i];
      if (w !== undefined && w.dead && !w.busy) this.workers.splice(i, 1);
    }
    const idle = this.workers.find((w) => !w.busy && !w.dead);
    if (idle !== undefined) return idle;
    if (this.workers.length >= this.size) throw new Error(`all ${this.size} executors are busy`);
    const w = this.spawn();
    this.workers.push(w);
    return w;
  }

  private spawn(): Worker {
    const heapMb = Math.max(64, Math.floor(this.limits.memoryMb * 0.75));
    const child = fork(CHILD, [], {
      execArgv: ["--import", import.meta.resolve("tsx"), `--max-old-space-size=${heapMb}`],
      stdio: ["ignore", "pipe", "pipe", "ipc"],
      // TF32 off before the child's CUDA libraries ever load (strict fp32 policy, sessionOptions.ts).
      env: { ...process.env, ...CUDA_ENVIRONMENT },
      // Structured clone rather than JSON: an outputs request's inputs are one byte array.
      serialization: "advanced",
    });
    child.stdout?.on("data", (d: Buffer) =>
      this.log.debug({ pid: child.pid, out: d.toString().trim() }, "executor output"),
    );
    child.stderr?.on("data", (d: Buffer) =>
      this.log.debug({ pid: child.pid, err: d.toString().trim() }, "executor stderr"),
    );
    const ready = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill("SIGKILL");
        reject(new Error("start timed out"));
      }, this.limits.startTimeoutMs ?? 60_000);
      child.once("message", (m: ChildMessage) => {
        clearTimeout(timer);
        if (m.type === "ready") resolve();
        else reject(new Error("unexpected first message"));
      });
      child.once("exit", (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`exited during start (${signal ?? code})`));
      });
    });
    ready.catch(() => undefined);
    const w: Worker = { child, ready, busy: false, dead: false };
    child.once("exit", () => (w.dead = true));
    this.log.debug({ pid: child.pid, heapMb }, "executor started");
    return w;
  }

  private send(w: Worker, req: ChildRequest): Promise<ExecResult | OutputsResult> {
    return new Promise((resolve) => {
      const child = w.child;
      let settled = false;
      let peakMb = 0;
      const finish = (r: ExecResult | OutputsResult) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        clearInterval(watch);
        child.off("message", onMessage);
        child.off("exit", onExit);
        resolve(r);
      };
      const kill = (why: "timeout" | "memory", message: string) => {
        w.dead = true;
        child.kill("SIGKILL");
        finish({ kind: "killed", why, message });
      };
      const onMessage = (m: ChildMessage) => {
        if (m.type === "result" && m.id === req.id) finish(m.result);
      };
      const onExit = (code: number | null, signal: string | null) => {
        w.dead = true;
        finish({
          kind: "killed",
          why: "crash",
          message: `executor exited (${signal ?? `code ${code}`}) while running the model`,
        });
      };
      const timer = setTimeout(
        () => kill("timeout", `ran longer than ${this.limits.timeoutMs} ms`),
        this.limits.timeoutMs,
      );
      const watch = setInterval(() => {
        const mb = residentMb(child.pid);
        if (mb === undefined) return;
        peakMb = Math.max(peakMb, mb);
        if (mb > this.limits.memoryMb) kill("memory", `grew to ${mb} MB, over the ${this.limits.memoryMb} MB limit`);
      }, 100);
      child.on("message", onMessage);
      child.once("exit", onExit);
      child.send(req);
    });
  }
}

/** Resident set size of a process in MB (Linux /proc), or undefined where unavailable. */
export function residentMb(pid: number | undefined): number | undefined {
  if (pid === undefined || process.platform !== "linux") return undefined;
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const m = /VmRSS:\s+(\d+)\s+kB/.exec(status);
    return m ? Math.round(Number(m[1]) / 1024) : undefined;
  } catch {
    return undefined;
  }
}
