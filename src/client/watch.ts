/**
 * `watchJob`: calls back on every status change of one job, in viem's
 * `watch*` style (returns the function that stops it). Like waitForResult it
 * polls `resultOf` rather than subscribing to logs: one view call per interval,
 * on any RPC, and a missed block cannot hide a transition (the next read shows
 * the status the job is in). It stops by itself once the status is terminal
 * (Finalized, Slashed, Expired): a job never leaves those.
 */
import type { Client } from "viem";
import { UnknownJobError, type JobStatusName } from "./errors.ts";
import { resultOf, type DeploymentRef, type JobResult } from "./result.ts";

export interface WatchJobParameters {
  readonly deployment: DeploymentRef;
  readonly jobId: bigint;
  /** Called with the first status read, then on every change; with the decoded output once Finalized. */
  readonly onStatus: (result: JobResult) => void;
  /** Called when a read fails (UnknownJobError for a job that does not exist stops the watch; RPC errors are retried). */
  readonly onError?: (error: Error) => void;
  /** Between two reads (default the client's pollingInterval). */
  readonly pollMs?: number;
}

const TERMINAL: ReadonlySet<JobStatusName> = new Set<JobStatusName>(["Finalized", "Slashed", "Expired"]);

/** Starts watching; returns `unwatch`. */
export function watchJob(client: Client, params: WatchJobParameters): () => void {
  const pollMs = Math.max(1, params.pollMs ?? client.pollingInterval);
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let last: string | undefined;
  const poll = async () => {
    try {
      const r = await resultOf(client, { deployment: params.deployment, jobId: params.jobId });
      if (stopped) return;
      if (r.status !== last) {
        last = r.status;
        params.onStatus(r);
      }
      if (TERMINAL.has(r.status)) stopped = true;
    } catch (e) {
      if (stopped) return;
      const error = e instanceof Error ? e : new Error(String(e));
      if (error instanceof UnknownJobError) stopped = true;
      params.onError?.(error);
    }
    if (!stopped) timer = setTimeout(() => void poll(), pollMs);
  };
  void poll();
  return () => {
    stopped = true;
    if (timer !== undefined) clearTimeout(timer);
  };
}
