/**
 * The job source: JobCommitted events from a persisted cursor up to the head minus
 * the confirmation depth, re-reading `confirmations + 2` blocks of overlap each
 * time (src/service/eventCursor.ts; inserts are idempotent), so a job is never
 * missed across restarts or shallow reorgs. Each new job is sampled as it is stored (sampler.ts).
 */
import type { PublicClient } from "viem";
import { getJobCommittedLogs, type JobCommittedLog } from "../src/chain/read/jobEvents.ts";
import { readJob } from "../src/chain/read/jobs.ts";
import { crashPoint } from "../src/service/crash.ts";
import { EventCursor, metaCursorStore } from "../src/service/eventCursor.ts";
import { transaction } from "../src/service/sqlite.ts";
import type { ChainHead } from "../src/service/heads.ts";
import type { Logger } from "../src/service/logger.ts";
import type { Metrics } from "../src/service/metrics.ts";
import type { ProtocolAddresses } from "../src/client/contracts.ts";
import type { WatcherMetric } from "./metrics.ts";
import type { Sampler } from "./sampler.ts";
import type { WatchedJob, WatcherStore } from "./store.ts";

/** Job reads in flight at once while a range of commits is stored. */
const READ_CHUNK = 64;

export class JobSource {
  private readonly cursor: EventCursor<JobCommittedLog>;

  constructor(
    private readonly client: PublicClient,
    private readonly addresses: ProtocolAddresses,
    private readonly store: WatcherStore,
    private readonly sampler: Sampler,
    confirmations: number,
    private readonly log: Logger,
    private readonly metrics: Metrics<WatcherMetric>,
  ) {
    this.cursor = new EventCursor({
      store: metaCursorStore(store.db, "jobs_cursor"),
      fetch: (fromBlock, toBlock) =>
        getJobCommittedLogs(this.client, { address: this.addresses.jobManager, fromBlock, toBlock }),
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
  }

  async poll(head: ChainHead): Promise<void> {
    await this.cursor.poll(head.number, async (logs) => {
      const fresh = logs.filter((l) => this.store.job(l.args.jobId, l.args.commitmentHash) === undefined);
      // The new jobs' fee and model, read concurrently rather than one round trip after another.
      const reads = new Map<bigint, Awaited<ReturnType<typeof readJob>>>();
      for (let i = 0; i < fresh.length; i += READ_CHUNK) {
        const ids = [...new Set(fresh.slice(i, i + READ_CHUNK).map((l) => l.args.jobId))];
        const jobs = await Promise.all(
          ids.map((jobId) => readJob(this.client, { address: this.addresses.jobManager, jobId, blockHash: head.hash })),
        );
        ids.forEach((id, k) => reads.set(id, jobs[k] as Awaited<ReturnType<typeof readJob>>));
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
