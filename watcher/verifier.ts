/**
 * Scheduler and executor front: sampled jobs, earliest deadline first, through a
 * bounded queue (p-queue; jobs beyond `queueLimit` wait in the database, which is
 * the backpressure) into the executor pool; then the comparison of the committed
 * outputRoot with the watcher's own run (only the output is committed: a wrong output
 * is fraud, and the honest trace kept here is what the dispute plays). A job that
 * cannot be checked (no file, a registration the file does not match, a model the
 * loader refuses, an executor killed for memory or time) is marked unverifiable
 * with the reason, logged as an error, and the watcher goes on.
 */
import PQueue from "p-queue";
import { bytesToHex, hexToBytes, type PublicClient } from "viem";
import { JobStatus } from "../src/chain/enums.ts";
import { readJobRequest } from "../src/chain/read/jobEvents.ts";
import { readJob } from "../src/chain/read/jobs.ts";
import { readModel } from "../src/chain/read/registry.ts";
import type { ProtocolAddresses } from "../src/client/contracts.ts";
import { crashPoint } from "../src/service/crash.ts";
import { resolveJobInput, type InputPolicy } from "../src/service/jobInput.ts";
import { modelOutsidePolicy, type OperatorPolicy } from "../src/service/policy.ts";
import type { TensorSpec } from "../src/tensor/spec.ts";
import type { ChainHead } from "../src/service/heads.ts";
import { errorText, type Logger } from "../src/service/logger.ts";
import type { Metrics } from "../src/service/metrics.ts";
import type { ModelFiles } from "../src/service/modelFiles.ts";
import type { ExecutorPool } from "./executor/pool.ts";
import type { WatcherMetric } from "./metrics.ts";
import type { WatchedJob, WatcherStore } from "./store.ts";

export interface VerifierOptions {
  readonly concurrency: number;
  readonly queueLimit: number;
  readonly executionProvider: "cpu" | "cuda";
  readonly threads: number;
  readonly deployBlock: bigint;
  /** How inputs of jobs requested by root and URI are fetched. */
  readonly input: InputPolicy;
  /** Registrations the operator refuses to challenge (a response window too short to move in, not allowed). */
  readonly policy: OperatorPolicy;
}

export class Verifier {
  private readonly queue: PQueue;
  private readonly inFlight = new Set<string>();

  constructor(
    private readonly client: PublicClient,
    private readonly addresses: ProtocolAddresses,
    private readonly store: WatcherStore,
    private readonly files: ModelFiles,
    private readonly pool: ExecutorPool,
    private readonly head: () => ChainHead | undefined,
    private readonly options: VerifierOptions,
    private readonly log: Logger,
    private readonly metrics: Metrics<WatcherMetric>,
  ) {
    this.queue = new PQueue({ concurrency: options.concurrency });
  }

  get depth(): number {
    return this.queue.size + this.queue.pending;
  }

  /** Queues sampled jobs (earliest window end first) up to the queue limit. */
  schedule(now: bigint): void {
    const room = this.options.queueLimit - this.depth;
    if (room <= 0) return;
    for (const job of this.store.jobsInState("sampled", room + this.inFlight.size)) {
      const k = `${job.jobId}:${job.commitmentHash}`;
      if (this.inFlight.has(k)) continue;
      if (now >= job.windowEnd) {
        this.store.setJobState(job, "late", "the challenge window closed before the job was checked");
        this.metrics.inc("jobs_late");
        this.log.warn({ jobId: job.jobId }, "job checked too late: window closed");
        continue;
      }
      if (this.depth >= this.options.queueLimit) break;
      this.inFlight.add(k);
      void this.queue
        .add(() => this.verify(job), { priority: -Number(job.windowEnd) })
        .catch((err: unknown) =>
          this.log.warn({ jobId: job.jobId, err: errorText(err) }, "verification failed; will retry"),
        )
        .finally(() => this.inFlight.delete(k));
    }
  }

  async close(): Promise<void> {
    this.queue.clear();
    await this.queue.onIdle();
  }

  private async verify(job: WatchedJob): Promise<void> {
    const head = this.head();
    if (head === undefined) return;
    const ctx = { jobId: job.jobId, provider: job.provider };
    const a = this.addresses;
    const onChain = await readJob(this.client, { address: a.jobManager, jobId: job.jobId, blockHash: head.hash });
    if (onChain.commitmentHash !== job.commitmentHash || onChain.status !== JobStatus.Committed) {
      this.store.setJobState(job, "superseded", `job status ${onChain.status}, commitment ${onChain.commitmentHash}`);
      return;
    }
    const registered = await readModel(this.client, {
      address: a.modelRegistry,
      modelId: job.modelId,
      blockHash: head.hash,
    });
    // A model whose deadlines the watcher could not meet is a trap: challenging it would lose the bond.
    const outside = modelOutsidePolicy(job.modelId, registered.params, this.options.policy);
    if (outside !== undefined) {
      this.store.setJobState(job, "unverifiable", outside);
      this.metrics.inc("jobs_unverifiable", { why: "policy" });
      this.log.warn(
        { ...ctx, modelId: job.modelId, reason: outside },
        "job outside the operator policy; not checking it",
      );
      return;
    }
    const path = this.files.find(registered.fileHash);
    if (path === undefined) {
      return this.unverifiable(
        job,
        "no-file",
        `no model file with fileHash ${registered.fileHash} (model ${job.modelId}, uri ${registered.uri})`,
      );
    }
    const args = await readJobRequest(this.client, {
      address: a.jobManager,
      jobId: job.jobId,
      fromBlock: this.options.deployBlock,
      toBlock: job.blockNumber,
    });
    if (args === undefined) throw new Error(`no JobRequested event for job ${job.jobId} (yet)`);
    // Inline, or by root and URI: fetched and checked against the inputRoot (jobInput.ts).
    const fetched = await resolveJobInput(
      { input: hexToBytes(args.input), inputRoot: args.inputRoot, inputUri: args.inputUri },
      registered.input as TensorSpec,
      this.options.input,
    );
    if (fetched.kind === "retry") throw new Error(`input not fetched yet: ${fetched.reason}`);
    if (fetched.kind === "refused") return this.unverifiable(job, "input-unavailable", fetched.reason);
    if (fetched.fetched) this.log.info({ ...ctx, uri: args.inputUri }, "job input fetched");
    const input = bytesToHex(fetched.packed);

    const t0 = performance.now();
    const result = await this.pool.run({
      modelPath: path,
      expected: {
        fileHash: registered.fileHash,
        graphRoot: registered.graphRoot,
        nodeCount: registered.nodeCount,
        profile: registered.profile,
        input: { dtype: registered.input.dtype, layout: registered.input.layout, shape: [...registered.input.shape] },
        output: {
          dtype: registered.output.dtype,
          layout: registered.output.layout,
          shape: [...registered.output.shape],
        },
      },
      input,
      executionProvider: this.options.executionProvider,
      threads: this.options.threads,
    });
    const seconds = (performance.now() - t0) / 1000;
    this.metrics.observe("executor_seconds", seconds, { result: result.kind });
    switch (result.kind) {
      case "mismatch":
        return this.unverifiable(
          job,
          "registration-mismatch",
          `registration does not match ${path}: ${result.problems.join("; ")}`,
        );
      case "invalid":
        return this.unverifiable(job, "model-invalid", `${path}: ${result.code}: ${result.message}`);
      case "killed": {
        const attempts = this.store.bumpAttempts(job);
        if (result.why === "crash" && attempts < 2) {
          this.log.warn({ ...ctx, err: result.message }, "executor crashed; retrying once");
          return;
        }
        return this.unverifiable(job, `executor-${result.why}`, `${path}: ${result.message}`);
      }
      case "ok": {
        this.store.saveTrace(
          job,
          fetched.packed,
          result.nodeRoots,
          result.nodes.map((h) => hexToBytes(h)),
        );
        for (const w of result.warnings) this.log.warn(ctx, w);
        const outputOk = result.outputRoot.toLowerCase() === job.outputRoot.toLowerCase();
        const exec = { ms: Math.round(seconds * 1000), ep: result.provider };
        if (outputOk) {
          this.store.setJobState(job, "verified", "outputRoot matches", exec);
          this.metrics.inc("jobs_verified");
          this.log.info({ ...ctx, ms: exec.ms, ep: result.provider }, "job verified");
        } else {
          this.store.setJobState(job, "mismatch", "outputRoot differs from the re-execution", exec);
          this.metrics.inc("jobs_mismatched");
          this.log.warn(
            { ...ctx, ms: exec.ms, ep: result.provider, differs: "outputRoot" },
            "job MISMATCH: challenging",
          );
        }
        crashPoint("executed", (s) => this.log.warn({ stage: s }, "REFUTE_CRASH_AT: killing myself"));
        return;
      }
    }
  }

  private unverifiable(job: WatchedJob, why: string, message: string): void {
    this.store.setJobState(job, "unverifiable", message);
    this.metrics.inc("jobs_unverifiable", { why });
    this.log.error({ jobId: job.jobId, modelId: job.modelId, why, reason: message }, "job unverifiable");
  }
}
