/**
 * Test-only crash points: with `REFUTE_CRASH_AT=<stage>` the daemon kills itself
 * with SIGKILL (exactly `kill -9`: no handlers, no flushing beyond what is already
 * written) the first time it reaches that stage. The end-to-end tests use it to
 * check that a restart picks up where the killed process stopped.
 */
export const CRASH_STAGES = ["sampled", "executed", "committed", "revealed", "disputing"] as const;
export type CrashStage = (typeof CRASH_STAGES)[number];

export function crashPoint(stage: CrashStage, log?: (stage: CrashStage) => void): void {
  if (process.env["REFUTE_CRASH_AT"] !== stage) return;
  log?.(stage);
  process.kill(process.pid, "SIGKILL");
}
