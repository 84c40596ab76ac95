import type { Logger } from "./logger.ts";

/**
 * Graceful shutdown: the first SIGINT or SIGTERM aborts `signal`, which every
 * loop watches; the daemon then stops taking work, finishes what is in flight
 * and closes its servers and database. A second signal exits at once.
 */
export class Shutdown {
  private readonly controller = new AbortController();
  private readonly onSignal = (sig: NodeJS.Signals) => {
    if (this.controller.signal.aborted) {
      this.log.warn({ signal: sig }, "second signal: exiting now");
      process.exit(130);
    }
    this.log.info({ signal: sig }, "shutting down");
    this.controller.abort();
  };

  constructor(private readonly log: Logger) {
    process.on("SIGINT", this.onSignal);
    process.on("SIGTERM", this.onSignal);
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Stops from inside (a fatal error). */
  abort(): void {
    this.controller.abort();
  }

  dispose(): void {
    process.off("SIGINT", this.onSignal);
    process.off("SIGTERM", this.onSignal);
  }
}

/** Resolves after `ms`, or at once when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}
