/**
 * A `refute` daemon (`provide`, `watch`) run as a real child process: its JSON log
 * lines (pino, one per line on stdout) are kept for the demo's progress and report,
 * and optionally copied to a log file.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, type WriteStream } from "node:fs";
import { fileURLToPath } from "node:url";

export const REPO = fileURLToPath(new URL("../../", import.meta.url));
export const REFUTE_BIN = fileURLToPath(new URL("../../bin/refute.js", import.meta.url));

/** One parsed log line: pino's fields (`level`, `msg`, `time`) and the daemon's own. */
export type LogLine = Readonly<Record<string, unknown>> & { readonly msg?: string };

export interface DaemonProcessOptions {
  /** A log file the output is copied to. */
  readonly logFile?: string;
  /**
   * Its own process group: a terminal's Ctrl-C reaches only the parent, which stops
   * the daemon itself (`refute dev` stops the daemons before the chain).
   */
  readonly detached?: boolean;
  /** Called with each log line as it arrives. */
  readonly onLine?: (line: LogLine) => void;
}

export class DaemonProcess {
  readonly lines: LogLine[] = [];
  stderr = "";
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private readonly child: ChildProcess;
  private readonly log?: WriteStream;

  constructor(
    readonly name: string,
    args: readonly string[],
    env: Readonly<Record<string, string>>,
    options: string | DaemonProcessOptions = {},
  ) {
    const o: DaemonProcessOptions = typeof options === "string" ? { logFile: options } : options;
    this.log = o.logFile !== undefined ? createWriteStream(o.logFile) : undefined;
    this.child = spawn(process.execPath, [REFUTE_BIN, ...args], {
      cwd: REPO,
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
      detached: o.detached ?? false,
    });
    let buf = "";
    this.child.stdout?.on("data", (d: Buffer) => {
      this.log?.write(d);
      buf += d.toString();
      for (let i = buf.indexOf("\n"); i >= 0; i = buf.indexOf("\n")) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        let parsed: LogLine;
        try {
          parsed = JSON.parse(line) as LogLine;
        } catch {
          parsed = { msg: line };
        }
        this.lines.push(parsed);
        o.onLine?.(parsed);
      }
    });
    this.child.stderr?.on("data", (d: Buffer) => {
      this.log?.write(d);
      this.stderr += d.toString();
    });
    this.exited = new Promise((resolve) => this.child.once("exit", (code, signal) => resolve({ code, signal })));
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Sends a signal now (no wait); nothing when it has exited. */
  kill(signal: NodeJS.Signals): void {
    if (this.running) this.child.kill(signal);
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Log lines with this message. */
  messages(msg: string): LogLine[] {
    return this.lines.filter((l) => l.msg === msg);
  }

  /** Waits for a log line; throws with the log's tail when it does not come, or the process exits. */
  async waitFor(pred: (l: LogLine) => boolean, timeoutMs: number, what: string): Promise<LogLine> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.lines.find(pred);
      if (hit !== undefined) return hit;
      if (!this.running) throw new Error(`${this.name} exited while waiting for ${what}\n${this.tail()}`);
      if (Date.now() > deadline) throw new Error(`${this.name}: no ${what} within ${timeoutMs} ms\n${this.tail()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  tail(n = 20): string {
    const lines = this.lines.slice(-n).map((l) => JSON.stringify(l));
    return [...lines, this.stderr.trim()].filter(Boolean).join("\n");
  }

  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. */
  async stop(graceMs = 10_000): Promise<void> {
    if (this.running) this.child.kill("SIGTERM");
    const timer = setTimeout(() => {
      if (this.running) this.child.kill("SIGKILL");
    }, graceMs);
    await this.exited;
    clearTimeout(timer);
    await new Promise<void>((resolve) => (this.log ? this.log.end(() => resolve()) : resolve()));
  }
}
