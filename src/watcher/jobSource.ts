/**
 * The job source: JobCommitted events from a persisted cursor up to the head minus
 * the confirmation depth, re-reading `confirmations + 2` blocks of overlap each
 * time (inserts are idempotent), so a job is never missed across restarts or
 * shallow reorgs. Each new job is sampled as it is stored (sampler.ts).
 */
import type { Hex, PublicClient } from "viem";
import { jobManagerAbi } from "../chain/abis.ts";
import { crashPoint } from "../service/crash.ts";
import type { ChainHead } from "../service/heads.ts";
import type { Logger } from "../service/logger.ts";
import type { Metrics } from "../service/metrics.ts";
import type { ProtocolAddresses } from "../client/contracts.ts";
import type { ProtocolReader } from "../service/protocolReads.ts";
import { getMeta, setMeta } from "../service/sqlite.ts";
import type { WatcherMetric } from "./metrics.ts";
import type { Sampler } from "./sampler.ts";
import type { WatcherStore } from "./store.ts";

const CURSOR = "jobs_cursor";
const MAX_RANGE = 2000n;

export class JobSource {
  constructor(
    private readonly client: PublicClient,
    private readonly addresses: ProtocolAddresses,
    private readonly reader: ProtocolReader,
    private readonly store: WatcherStore,
    private readonly sampler: Sampler,
    private readonly confirmations: number,
    private readonly log: Logger,
    private readonly metrics: Metrics<WatcherMetric>,
  ) {}

  /** Sets the cursor on a fresh database. */
  init(startBlock: bigint): void {
    if (getMeta(this.store.db, CURSOR) === undefined) setMeta(this.store.db, CURSOR, String(startBlock - 1n));
  }

  rewind(ancestor: bigint): void {
    const cursor = BigInt(getMeta(this.store.db, CURSOR) ?? "0");
    if (cursor > ancestor) setMeta(this.store.db, CURSOR, ancestor.toString());
  }

  async poll(head: ChainHead): Promise<void> {
    const safe = head.number - BigInt(this.confirmations);
    const cursor = BigInt(getMeta(this.store.db, CURSOR) ?? "0");
    const overlap = BigInt(this.confirmations + 2);
    let from = cursor + 1n - overlap;
    if (from < 0n) from = 0n;
    if (from > safe) return;
    for (let start = from; start <= safe; start += MAX_RANGE) {
      const end = start + MAX_RANGE - 1n < safe ? start + MAX_RANGE - 1n : safe;
      const logs = await this.client.getContractEvents({
        address: this.addresses.jobManager,
        abi: jobManagerAbi,
        eventName: "JobCommitted",
        fromBlock: start,
        toBlock: end,
      });
      for (const l of logs) {
        const { jobId, provider, commitmentHash, outputRoot, traceRoot, windowEnd } = l.args as {
          jobId: bigint;
          provider: Hex;
          commitmentHash: Hex;
          outputRoot: Hex;
          traceRoot: Hex;
          windowEnd: bigint;
        };
        if (this.store.job(jobId, commitmentHash) !== undefined) continue;
        const onChain = await this.reader.jobOf(jobId, head.hash);
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
            traceRoot,
            windowEnd,
            blockNumber: l.blockNumber ?? 0n,
          },
          (providerSeen) => {
            const d = this.sampler.decide({ jobId, commitmentHash, fee, providerSeen });
            rule = d.rule;
            return d.sampled
              ? { state: "sampled", reason: `sampled: ${d.rule}` }
              : { state: "skipped", reason: "not sampled" };
          },
        );
        if (added === undefined) continue;
        this.metrics.inc("jobs_seen");
        if (added.state === "sampled") {
          this.metrics.inc("jobs_sampled", { rule });
          this.log.info({ jobId, provider, rule, windowEnd }, "job sampled");
          crashPoint("sampled", (s) => this.log.warn({ stage: s }, "REFUTE_CRASH_AT: killing myself"));
        } else {
          this.log.debug({ jobId, provider }, "job not sampled");
        }
      }
      setMeta(this.store.db, CURSOR, end.toString());
    }
  }
}
