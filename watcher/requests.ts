/**
 * The requests the job source has read (JobRequested: model, fee, input), kept in
 * memory so that a committed job is sampled and verified without a read of its own:
 * on a backlog, one read per job was most of the watcher's time. A cache, never the
 * truth: a job whose request is not here (requested before the watcher's first
 * block, evicted, or read before a restart) is read from the chain as before, and a
 * job about to be disputed is always read from the chain again.
 *
 * Bounded by the bytes of the inputs it holds, oldest request evicted first. A reorg
 * rewinds it with the job source's cursor: requests above the common ancestor are
 * dropped, so a job id that a reorg gave to another request is never answered with the
 * old one; re-reading the overlap stores the new one.
 */
import type { JobRequestedLog } from "../src/chain/read/jobEvents.ts";

export type CachedRequest = JobRequestedLog["args"] & { readonly blockNumber: bigint };

/** 64 MiB of inputs: tens of thousands of small-model jobs. */
export const DEFAULT_REQUEST_CACHE_BYTES = 64 * 1024 * 1024;

export class RequestCache {
  private readonly byJob = new Map<bigint, CachedRequest>();
  private bytes = 0;

  constructor(private readonly maxBytes = DEFAULT_REQUEST_CACHE_BYTES) {}

  get size(): number {
    return this.byJob.size;
  }

  /** Stores a request log (a later log of the same job, after a reorg, replaces it). */
  add(log: Pick<JobRequestedLog, "args" | "blockNumber">): void {
    const request: CachedRequest = { ...log.args, blockNumber: log.blockNumber };
    this.delete(request.jobId);
    this.byJob.set(request.jobId, request);
    this.bytes += sizeOf(request);
    for (const [jobId] of this.byJob) {
      if (this.bytes <= this.maxBytes) break;
      this.delete(jobId);
    }
  }

  get(jobId: bigint): CachedRequest | undefined {
    return this.byJob.get(jobId);
  }

  /** Forgets every request logged above `ancestor` (a reorg replaced those blocks). */
  rewind(ancestor: bigint): void {
    for (const [jobId, r] of this.byJob) if (r.blockNumber > ancestor) this.delete(jobId);
  }

  private delete(jobId: bigint): void {
    const old = this.byJob.get(jobId);
    if (old === undefined) return;
    this.byJob.delete(jobId);
    this.bytes -= sizeOf(old);
  }
}

/** What a request holds in memory, roughly: its input and URI as hex text, and a fixed part. */
const sizeOf = (r: CachedRequest): number => r.input.length + r.inputUri.length + 256;
