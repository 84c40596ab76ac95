/**
 * The job source: JobRequested and JobCommitted events, in one query per range, from a
 * persisted cursor up to the head minus the confirmation depth, re-reading
 * `confirmations + 2` blocks of overlap each time (src/service/eventCursor.ts; inserts
 * are idempotent), so a job is never missed across restarts or shallow reorgs. Requests
 * go into the request cache (requests.ts), from which a committed job's model and fee
 * are taken; only a job whose request is not there is read from the chain. Each new
 * job is sampled as it is stored (sampler.ts).
 */
import type { Hex, PublicClient } from "viem";
import type { JobCommittedLog, JobRequestedLog } from "../src/chain/read/jobEvents.ts";
import { getJobRequestedAndCommittedLogs } from "../src/chain/read/jobLogs.ts";
import { readJob } from "../src/chain/read/jobs.ts";
import { crashPoint } from "../src/service/crash.ts";
import { EventCursor, metaCursorStore } from "../src/service/eventCursor.ts";
import { transaction } from "../src/service/sqlite.ts";
import type { ChainHead } from "../src/service/heads.ts";
import type { Logger } from "../src/service/logger.ts";
import type { Metrics } from "../src/service/metrics.ts";
import type { ProtocolAddresses } from "../src/client/contracts.ts";
import type { WatcherMetric } from "./metrics.ts";
import type { RequestCache } from "./requests.ts";
import type { Sampler } from "./sampler.ts";
import type { WatchedJob, WatcherStore } from "./store.ts";

/** Job reads in flight at once while a range of commits is stored. */
const READ_CHUNK = 64;

export class JobSource {
  private readonly cursor: EventCursor<JobRequestedLog | JobCommittedLog>;

  constructor(
    private readonly client: PublicClient,
    private readonly addresses: ProtocolAddresses,
    private readonly store: WatcherStore,
    private readonly sampler: Sampler,
    private readonly requests: RequestCache,
    confirmations: number,
    private readonly log: Logger,
    private readonly metrics: Metrics<WatcherMetric>,
  ) {
    this.cursor = new EventCursor({
      store: metaCursorStore(store.db, "jobs_cursor"),
      fetch: (fromBlock, toBlock) =>
        getJobRequestedAndCommittedLogs(this.client, { address: this.addresses.jobManager, fromBlock, toBlock }),
      confirmations,
      overlap: confirmations + 2,
      log,
    });
  }

  /** Sets the cursor on a fresh database. */
  init(startBlock: bigint): void {
    this.cursor.init(startBlock);
  }

  rewind(ancestor: bigint): void {
    this.cursor.rewind(ancestor);
    this.requests.rewind(ancestor);
  }

  async poll(head: ChainHead): Promise<void> {
    let readAt = performance.now();
    await this.cursor.poll(head.number, async (logs) => {
      const storeAt = performance.now();
      const commits: JobCommittedLog[] = [];
      for (const l of logs) {
        if (l.eventName === "JobRequested") this.requests.add(l);
        else commits.push(l);
      }
      const fresh = commits.filter((l) => this.store.job(l.args.jobId, l.args.commitmentHash) === undefined);
      // Each new job's fee and model: from its request log when the cache has it, else read
      // (concurrently, not one round trip after another).
      const reads = new Map<bigint, { readonly fee: bigint; readonly modelId: Hex }>();
      const unread = [...new Set(fresh.map((l) => l.args.jobId))].filter((jobId) => {
        const r = this.requests.get(jobId);
        if (r !== undefined) reads.set(jobId, r);
        return r === undefined;
      });
      for (let i = 0; i < unread.length; i += READ_CHUNK) {
        const ids = unread.slice(i, i + READ_CHUNK);
        const jobs = await Promise.all(
          ids.map((jobId) => readJob(this.client, { address: this.addresses.jobManager, jobId, blockHash: head.hash })),
        );
        ids.forEach((id, k) => {
          const j = jobs[k];
          if (j !== undefined) reads.set(id, j);
        });
      }
      // The range's new jobs in one transaction (one sync to disk); logged once it is committed.
      const stored: { job: WatchedJob; rule: string }[] = [];
      transaction(this.store.db, () => {
        for (const l of fresh) {
          const { jobId, provider, commitmentHash, outputRoot, windowEnd } = l.args;
          const onChain = reads.get(jobId);
          if (onChain === undefined) continue;
          const fee = onChain.fee;
          const onChainModel = onChain.modelId;
          let rule = "skip";
          const added = this.store.addJob(
            {
              jobId,
              commitmentHash,
              modelId: onChainModel,
              provider,
              outputRoot,
              windowEnd,
              blockNumber: l.blockNumber,
            },
            (providerSeen) => {
              const d = this.sampler.decide({ jobId, commitmentHash, fee, providerSeen });
              rule = d.rule;
              return d.sampled
                ? { state: "sampled", reason: `sampled: ${d.rule}` }
                : { state: "skipped", reason: "not sampled" };
            },
          );
          if (added !== undefined) stored.push({ job: added, rule });
        }
      });
      this.log.debug(
        {
          logs: logs.length,
          commits: commits.length,
          stored: stored.length,
          readMs: Math.round(storeAt - readAt),
          storeMs: Math.round(performance.now() - storeAt),
        },
        "job events read and stored",
      );
      readAt = performance.now();
      for (const { job, rule } of stored) {
        const { jobId, provider, windowEnd } = job;
        this.metrics.inc("jobs_seen");
        if (job.state === "sampled") {
          this.metrics.inc("jobs_sampled", { rule });
          this.log.info({ jobId, provider, rule, windowEnd }, "job sampled");
          crashPoint("sampled", (s) => this.log.warn({ stage: s }, "REFUTE_CRASH_AT: killing myself"));
        } else {
          this.log.debug({ jobId, provider }, "job not sampled");
        }
      }
    });
  }
}
