/**
 * `waitForResult`: polls `resultOf` until the job is final. Polling one view call is
 * what works on every RPC (no filters, no websockets) and cannot miss a transition
 * the way a dropped log subscription can. It resolves only on Finalized — never on
 * a Committed (provisional) result — and rejects as soon as the job can no longer
 * finalize: Slashed, Expired, or still Requested after its commit deadline (nobody
 * can commit any more, even if nobody has called `expire` yet).
 */
import type { Client } from "viem";
import { readLatestTimestamp } from "../chain/read/block.ts";
import { readJob } from "../chain/read/jobs.ts";
import { JobFailedError, WaitTimeoutError, type JobStatusName } from "./errors.ts";
import { resultOf, type DeploymentRef, type JobOutput } from "./result.ts";

/** Default wait: an hour, longer than the shipped defaults' 10-minute challenge window plus margin. */
export const DEFAULT_WAIT_TIMEOUT_MS = 3_600_000;

export interface WaitForResultParameters {
  readonly deployment: DeploymentRef;
  readonly jobId: bigint;
  /** Reject with WaitTimeoutError after this long (default an hour). */
  readonly timeoutMs?: number;
  /** Between two reads (default the client's pollingInterval). */
  readonly pollMs?: number;
  /** Stops waiting (rejects with the signal's reason). */
  readonly signal?: AbortSignal;
}

/**
 * Resolves with the decoded output once the job is Finalized. Rejects with
 * UnknownJobError, JobFailedError (its `status` says Slashed or Expired) or
 * WaitTimeoutError.
 */
export async function waitForResult(client: Client, params: WaitForResultParameters): Promise<JobOutput> {
  const { deployment, jobId, signal } = params;
  const timeoutMs = params.timeoutMs ?? DEFAULT_WAIT_TIMEOUT_MS;
  const pollMs = Math.max(1, params.pollMs ?? client.pollingInterval);
  const giveUpAt = Date.now() + timeoutMs;
  let commitDeadline: bigint | undefined;
  let last: JobStatusName = "None";
  for (;;) {
    signal?.throwIfAborted();
    const r = await resultOf(client, { deployment, jobId });
    last = r.status;
    if (r.output !== undefined) return r.output;
    if (r.status === "Slashed" || r.status === "Expired") throw new JobFailedError(jobId, r.status);
    if (r.status === "Requested") {
      commitDeadline ??= (await readJob(client, { address: deployment.addresses.jobManager, jobId })).commitDeadline;
      const now = await readLatestTimestamp(client);
      // A commit must land at or before the deadline; the next block is later than the latest.
      if (now >= commitDeadline) throw new JobFailedError(jobId, "Expired", true);
    }
    const left = giveUpAt - Date.now();
    if (left <= 0) throw new WaitTimeoutError(jobId, timeoutMs, last);
    await sleep(Math.min(pollMs, left), signal);
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
