/**
 * Scheduler and executor front: sampled jobs, earliest window end first, through a
 * bounded set of jobs in memory (jobs beyond `queueLimit` wait in the database,
 * which is the backpressure), grouped by model into batches (batcher.ts: flushed
 * when full or after a short wait), and each batch through the executor pool in
 * one outputs request (plain re-execution, only each job's output root). A job whose
 * root equals its committed outputRoot is verified with no trace kept; one whose
 * root differs is fraud, and is traced alone (the honest trace is what the dispute
 * plays). A batch that fails as a whole is checked again job by job, so one hostile
 * input cannot hide the others. A job that cannot be checked (no file, a
 * registration the file does not match, a model the loader refuses, an executor
 * killed for memory or time) is marked unverifiable with the reason, logged as an
 * error, and the watcher goes on. A batch's verdicts are written in one transaction.
 *
 * Jobs of a float32 model take another path (float/jobs.ts): no re-execution — honest
 * float traces differ in low-order bits — but the provider's own served trace, each node
 * checked against its bound from the provider's own inputs (docs/PROTOCOL.md §11.3). An
 * admissible trace verifies the job; one with an element outside its bound is kept, with
 * that element, as the job's trace and the job is challenged like a differing integer job.
 */
import PQueue from "p-queue";
import { bytesToHex, hexToBytes, type Hex } from "viem";
import { JobStatus } from "../src/chain/enums.ts";
import type { Model } from "../src/chain/read/registry.ts";
import { Profile } from "../src/model/modelSpec.ts";
import { crashPoint } from "../src/service/crash.ts";
import { resolveJobInput, type InputPolicy } from "../src/service/jobInput.ts";
import { modelOutsidePolicy, type OperatorPolicy } from "../src/service/policy.ts";
import type { TensorSpec } from "../src/tensor/spec.ts";
import type { ChainHead } from "../src/service/heads.ts";
import { errorText, type Logger } from "../src/service/logger.ts";
import type { Metrics } from "../src/service/metrics.ts";
import type { ModelFiles } from "../src/service/modelFiles.ts";
import { Batcher } from "./batcher.ts";
import { concatInputs } from "./executor/inputs.ts";
import type { ExecutorPool } from "./executor/pool.ts";
import type { ExpectedModel } from "./executor/protocol.ts";
import { FloatJobs, type FloatJobOptions, type FloatModel } from "./float/jobs.ts";
import type { WatcherMetric } from "./metrics.ts";
import type { JobVerdict, WatchedJob, WatcherStore } from "./store.ts";
import type { VerifierChain } from "./verifierChain.ts";

export interface VerifierOptions {
  readonly concurrency: number;
  readonly queueLimit: number;
  /** Jobs of one model re-executed in one executor request. */
  readonly batchSize: number;
  /** How long a batch that is not full waits for more jobs, ms. */
  readonly batchWaitMs: number;
  readonly executionProvider: "cpu" | "cuda";
  readonly threads: number;
  /** How inputs of jobs requested by root and URI are fetched. */
  readonly input: InputPolicy;
  /** Registrations the operator refuses to challenge (a response window too short to move in, not allowed). */
  readonly policy: OperatorPolicy;
  /** Where float32 jobs' traces are fetched from, and how. */
  readonly float: FloatJobOptions;
}

/** A job with its input, ready to run. */
interface Ready {
  readonly job: WatchedJob;
  readonly packed: Uint8Array;
  /** The request's inputRoot the input was taken from. */
  readonly inputRoot: Hex;
}

/** What one model's batch runs against. */
interface Target {
  readonly path: string;
  readonly expected: ExpectedModel;
}

const keyOf = (j: WatchedJob) => `${j.jobId}:${j.commitmentHash}`;

export class Verifier {
  private readonly queue: PQueue;
  private readonly batcher: Batcher<WatchedJob>;
  /** Jobs in memory: waiting in a batch, queued or running. */
  private readonly inFlight = new Set<string>();
  /**
   * Jobs a batch left sampled (input not there yet, an RPC error, a crash retried):
   * taken up again on the next tick, not at once, so a job that cannot go on yet
   * does not spin.
   */
  private readonly deferred = new Set<string>();
  private lastNow = 0n;
  private closed = false;
  private readonly float: FloatJobs;
  /** Providers whose traces could not be had, so the warning comes once per provider, not once per job. */
  private readonly traceUnavailableReported = new Set<string>();

  constructor(
    private readonly chain: VerifierChain,
    private readonly store: WatcherStore,
    private readonly files: Pick<ModelFiles, "find">,
    private readonly pool: Pick<ExecutorPool, "run" | "runOutputs">,
    private readonly head: () => ChainHead | undefined,
    private readonly options: VerifierOptions,
    private readonly log: Logger,
    private readonly metrics: Metrics<WatcherMetric>,
  ) {
    this.queue = new PQueue({ concurrency: options.concurrency });
    this.float = new FloatJobs(options.float);
    this.batcher = new Batcher(options.batchSize, options.batchWaitMs, (_, jobs) => this.enqueue(jobs));
  }

  get depth(): number {
    return this.inFlight.size;
  }

  /** Takes sampled jobs (earliest window end first) up to the queue limit into batches; called every tick. */
  schedule(now: bigint): void {
    this.deferred.clear();
    this.fill(now);
  }

  /** Resolves when no batch is queued or running (batches still waiting for their timer are not counted). */
  onIdle(): Promise<void> {
    return this.queue.onIdle();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.batcher.clear();
    this.queue.clear();
    await this.queue.onIdle();
  }

  private fill(now: bigint): void {
    this.lastNow = now;
    if (this.closed) return;
    const room = this.options.queueLimit - this.depth;
    if (room <= 0) return;
    for (const job of this.store.jobsInState("sampled", room + this.inFlight.size + this.deferred.size)) {
      const k = keyOf(job);
      if (this.inFlight.has(k) || this.deferred.has(k)) continue;
      if (now >= job.windowEnd) {
        this.store.setJobState(job, "late", "the challenge window closed before the job was checked");
        this.metrics.inc("jobs_late");
        this.log.warn({ jobId: job.jobId }, "job checked too late: window closed");
        continue;
      }
      if (this.depth >= this.options.queueLimit) break;
      this.inFlight.add(k);
      this.batcher.add(job.modelId.toLowerCase(), job);
    }
  }

  private enqueue(jobs: WatchedJob[]): void {
    // The batch's earliest window end is its priority (jobs come in window-end order).
    const first = jobs.reduce((a, b) => (b.windowEnd < a ? b.windowEnd : a), jobs[0]?.windowEnd ?? 0n);
    void this.queue
      .add(() => this.verifyBatch(jobs), { priority: -Number(first) })
      .catch((err: unknown) =>
        this.log.warn(
          { jobIds: jobs.map((j) => j.jobId), err: errorText(err) },
          "batch verification failed; will retry",
        ),
      )
      .finally(() => {
        for (const j of jobs) {
          this.inFlight.delete(keyOf(j));
          // A job this batch decided is no longer sampled; one it left sampled waits for the next tick.
          this.deferred.add(keyOf(j));
        }
        // The backlog goes on at once rather than on the next tick.
        this.fill(this.lastNow);
      });
  }

  /** Checks one model's jobs: chain reads for the whole batch, one outputs request, a trace for a job that differs. */
  private async verifyBatch(jobs: readonly WatchedJob[]): Promise<void> {
    const head = this.head();
    const model = jobs[0];
    if (head === undefined || model === undefined) return;
    const verdicts: JobVerdict[] = [];
    const after: (() => void)[] = [];
    const decide = (v: JobVerdict, log: () => void) => {
      verdicts.push(v);
      after.push(log);
    };
    const commit = () => {
      this.store.applyVerdicts(verdicts);
      for (const f of after) f();
      verdicts.length = 0;
      after.length = 0;
    };

    // No status read here: a job whose output matches is verified whatever its status
    // (nothing follows from it), and one that is traced is read first (`stillCommitted`).
    const registered = await this.chain.registration(model.modelId, head.hash);
    // A model whose deadlines the watcher could not meet is a trap: challenging it would lose the bond.
    const outside = modelOutsidePolicy(model.modelId, registered.params, this.options.policy);
    if (outside !== undefined) {
      for (const job of jobs)
        decide({ job, state: "unverifiable", reason: outside }, () => {
          this.metrics.inc("jobs_unverifiable", { why: "policy" });
          this.log.warn(
            { jobId: job.jobId, provider: job.provider, modelId: job.modelId, reason: outside },
            "job outside the operator policy; not checking it",
          );
        });
      return commit();
    }
    const path = this.files.find(registered.fileHash);
    if (path === undefined) {
      const why = `no model file with fileHash ${registered.fileHash} (model ${model.modelId}, uri ${registered.uri})`;
      for (const job of jobs) decide(...this.unverifiable(job, "no-file", why));
      return commit();
    }
    const target: Target = { path, expected: expectedOf(registered) };
    let floatModel: FloatModel | undefined;
    if (registered.profile === Profile.FLOAT32) {
      const loaded = this.float.model(path, target.expected);
      if (loaded.kind !== "ok") {
        const why = loaded.kind === "mismatch" ? "registration-mismatch" : "model-invalid";
        for (const job of jobs) decide(...this.unverifiable(job, why, loaded.reason));
        return commit();
      }
      floatModel = loaded.model;
    }

    const last = jobs.reduce((a, j) => (j.blockNumber > a ? j.blockNumber : a), 0n);
    const requests = await this.chain.requests(
      jobs.map((j) => j.jobId),
      last,
    );
    const inputs = await Promise.all(
      jobs.map(async (job): Promise<Ready | undefined> => {
        const ctx = { jobId: job.jobId, provider: job.provider };
        const args = requests.get(job.jobId);
        if (args === undefined) {
          this.log.warn(ctx, "no JobRequested event for the job (yet); will retry");
          return undefined;
        }
        try {
          // Inline, or by root and URI: fetched and checked against the inputRoot (jobInput.ts).
          const fetched = await resolveJobInput(
            { input: hexToBytes(args.input), inputRoot: args.inputRoot, inputUri: args.inputUri },
            registered.input as TensorSpec,
            this.options.input,
          );
          if (fetched.kind === "retry") {
            this.log.warn({ ...ctx, reason: fetched.reason }, "input not fetched yet; will retry");
            return undefined;
          }
          if (fetched.kind === "refused") {
            decide(...this.unverifiable(job, "input-unavailable", fetched.reason));
            return undefined;
          }
          if (fetched.fetched) this.log.info({ ...ctx, uri: args.inputUri }, "job input fetched");
          return { job, packed: fetched.packed, inputRoot: args.inputRoot };
        } catch (err) {
          this.log.warn({ ...ctx, err: errorText(err) }, "input not read; will retry");
          return undefined;
        }
      }),
    );
    const ready = inputs.filter((r): r is Ready => r !== undefined);
    commit();
    if (ready.length === 0) return;
    if (floatModel !== undefined) return this.checkFloat(await this.stillCommitted(ready, head), floatModel);
    // A lone job is traced at once: one run either way, and a wrong one has its trace ready.
    if (ready.length === 1) return this.traceEach(await this.stillCommitted(ready, head), target);

    const t0 = performance.now();
    const result = await this.pool.runOutputs({
      modelPath: path,
      expected: target.expected,
      inputs: concatInputs(ready.map((r) => r.packed)),
      count: ready.length,
      executionProvider: this.options.executionProvider,
      threads: this.options.threads,
    });
    const seconds = (performance.now() - t0) / 1000;
    this.metrics.observe("executor_seconds", seconds, { result: result.kind });
    switch (result.kind) {
      case "mismatch": {
        // The file is not the registered model: the same for every job of the batch.
        const why = `registration does not match ${path}: ${result.problems.join("; ")}`;
        for (const r of ready) decide(...this.unverifiable(r.job, "registration-mismatch", why));
        return commit();
      }
      case "invalid":
      case "killed":
        // One input may be what failed (or the whole batch ran past the time limit): each job alone decides.
        this.log.warn(
          { modelId: model.modelId, jobs: ready.length, result: result.kind, err: result.message },
          "batch failed; checking its jobs one by one",
        );
        return this.traceEach(await this.stillCommitted(ready, head), target);
      case "outputs": {
        for (const w of result.warnings) this.log.warn({ modelId: model.modelId }, w);
        const exec = { ms: Math.round((seconds * 1000) / ready.length), ep: result.provider };
        const differs: Ready[] = [];
        ready.forEach((r, i) => {
          const root = result.outputRoots[i];
          if (root === undefined || root.toLowerCase() !== r.job.outputRoot.toLowerCase()) return differs.push(r);
          decide({ job: r.job, state: "verified", reason: "outputRoot matches", exec }, () => {
            this.metrics.inc("jobs_verified");
            this.log.info({ jobId: r.job.jobId, provider: r.job.provider, ms: exec.ms, ep: exec.ep }, "job verified");
          });
        });
        commit();
        if (differs.length < ready.length) this.executed();
        // A job that differs is traced alone: the trace decides it and is kept for the dispute.
        return this.traceEach(await this.stillCommitted(differs, head), target);
      }
    }
  }

  /**
   * The jobs about to be traced (and, if wrong, disputed), read from the chain first:
   * one no longer committed under the commitment stored (finalized, slashed, replaced)
   * is superseded; one whose request on-chain is not the one its input came from (the
   * request cache answered before a reorg was seen) is left sampled, to run again with
   * the request read now.
   */
  private async stillCommitted(ready: readonly Ready[], head: ChainHead): Promise<Ready[]> {
    if (ready.length === 0) return [];
    const ids = ready.map((r) => r.job.jobId);
    const onChain = await this.chain.jobs(ids, head.hash);
    const last = ready.reduce((a, r) => (r.job.blockNumber > a ? r.job.blockNumber : a), 0n);
    const requests = await this.chain.requests(ids, last, { cached: false });
    const verdicts: JobVerdict[] = [];
    const out = ready.filter((r, i) => {
      const c = onChain[i];
      if (c === undefined || c.commitmentHash !== r.job.commitmentHash || c.status !== JobStatus.Committed) {
        verdicts.push({
          job: r.job,
          state: "superseded",
          reason: `job status ${c?.status}, commitment ${c?.commitmentHash}`,
        });
        return false;
      }
      const now = requests.get(r.job.jobId);
      if (now === undefined || now.inputRoot.toLowerCase() !== r.inputRoot.toLowerCase()) {
        this.log.warn(
          { jobId: r.job.jobId, inputRoot: r.inputRoot, onChain: now?.inputRoot },
          "the job's request changed (a reorg); checking it again",
        );
        return false;
      }
      return true;
    });
    if (verdicts.length > 0) this.store.applyVerdicts(verdicts);
    return out;
  }

  /** The per-job path: a full trace of each job, one after another. */
  private async traceEach(ready: readonly Ready[], target: Target): Promise<void> {
    for (const r of ready) {
      const v = await this.traceOne(r, target);
      if (v === undefined) continue;
      this.store.applyVerdicts([v[0]]);
      v[1]();
      if (v[0].exec !== undefined) this.executed();
    }
  }

  private async traceOne({ job, packed }: Ready, target: Target): Promise<[JobVerdict, () => void] | undefined> {
    const ctx = { jobId: job.jobId, provider: job.provider };
    const t0 = performance.now();
    const result = await this.pool.run({
      modelPath: target.path,
      expected: target.expected,
      input: bytesToHex(packed),
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
          `registration does not match ${target.path}: ${result.problems.join("; ")}`,
        );
      case "invalid":
        return this.unverifiable(job, "model-invalid", `${target.path}: ${result.code}: ${result.message}`);
      case "killed": {
        const attempts = this.store.bumpAttempts(job);
        if (result.why === "crash" && attempts < 2) {
          this.log.warn({ ...ctx, err: result.message }, "executor crashed; retrying once");
          return undefined;
        }
        return this.unverifiable(job, `executor-${result.why}`, `${target.path}: ${result.message}`);
      }
      case "ok": {
        for (const w of result.warnings) this.log.warn(ctx, w);
        const exec = { ms: Math.round(seconds * 1000), ep: result.provider };
        if (result.outputRoot.toLowerCase() === job.outputRoot.toLowerCase())
          return [
            { job, state: "verified", reason: "outputRoot matches", exec },
            () => {
              this.metrics.inc("jobs_verified");
              this.log.info({ ...ctx, ms: exec.ms, ep: exec.ep }, "job verified");
            },
          ];
        const trace = { input: packed, nodeRoots: result.nodeRoots, nodes: result.nodes.map((h) => hexToBytes(h)) };
        return [
          { job, state: "mismatch", reason: "outputRoot differs from the re-execution", exec, trace },
          () => {
            this.metrics.inc("jobs_mismatched");
            this.log.warn({ ...ctx, ms: exec.ms, ep: exec.ep, differs: "outputRoot" }, "job MISMATCH: challenging");
          },
        ];
      }
    }
  }

  /** The float32 path: each job decided from its provider's served trace, no executor. */
  private async checkFloat(ready: readonly Ready[], model: FloatModel): Promise<void> {
    const verdicts = await Promise.all(ready.map((r) => this.checkFloatJob(r, model)));
    for (const v of verdicts) {
      if (v === undefined) continue;
      this.store.applyVerdicts([v[0]]);
      v[1]();
    }
  }

  private async checkFloatJob(
    { job, packed }: Ready,
    model: FloatModel,
  ): Promise<[JobVerdict, () => void] | undefined> {
    const ctx = { jobId: job.jobId, provider: job.provider };
    const t0 = performance.now();
    const result = await this.float.check(job, packed, model);
    const ms = Math.round(performance.now() - t0);
    switch (result.kind) {
      case "admissible":
        return [
          { job, state: "verified", reason: "float trace admissible: every node within its bound" },
          () => {
            this.metrics.inc("jobs_float_checked", { result: "admissible" });
            this.metrics.inc("jobs_verified");
            this.log.info({ ...ctx, ms, elements: result.elements }, "job verified (float trace admissible)");
          },
        ];
      case "violation":
        return [
          {
            job,
            state: "mismatch",
            reason: `float trace outside its bound at ${result.detail}`,
            trace: {
              input: packed,
              nodeRoots: result.trace.nodeRoots,
              nodes: result.trace.nodes,
              target: result.target,
            },
          },
          () => {
            this.metrics.inc("jobs_float_checked", { result: "violation" });
            this.metrics.inc("jobs_mismatched");
            this.log.warn({ ...ctx, ms, violation: result.detail }, "job MISMATCH (float bound violated): challenging");
          },
        ];
      case "invalid":
        // Not the trace behind the commitment: nothing follows from it, so the job waits for another try.
        this.metrics.inc("float_trace_invalid");
        this.log.warn({ ...ctx, reason: result.reason }, "served float trace refused; will retry");
        return undefined;
      case "unavailable":
        return [
          { job, state: "unverifiable", reason: `trace unavailable: ${result.reason}` },
          () => {
            this.metrics.inc("jobs_unverifiable", { why: "trace-unavailable" });
            const provider = job.provider.toLowerCase();
            if (!this.traceUnavailableReported.has(provider)) {
              this.traceUnavailableReported.add(provider);
              this.log.warn(
                { provider: job.provider, reason: result.reason },
                "no trace from this provider: its float32 jobs cannot be checked",
              );
            }
            this.log.debug({ ...ctx, reason: result.reason }, "job unverifiable: trace unavailable");
          },
        ];
      case "uncheckable":
        return this.unverifiable(job, "float-uncheckable", result.reason);
    }
  }

  private executed(): void {
    crashPoint("executed", (s) => this.log.warn({ stage: s }, "REFUTE_CRASH_AT: killing myself"));
  }

  private unverifiable(job: WatchedJob, why: string, message: string): [JobVerdict, () => void] {
    return [
      { job, state: "unverifiable", reason: message },
      () => {
        this.metrics.inc("jobs_unverifiable", { why });
        this.log.error({ jobId: job.jobId, modelId: job.modelId, why, reason: message }, "job unverifiable");
      },
    ];
  }
}

/** What the executor checks the file against: the registration's binding of it. */
function expectedOf(registered: Model): ExpectedModel {
  return {
    fileHash: registered.fileHash as Hex,
    graphRoot: registered.graphRoot as Hex,
    nodeCount: registered.nodeCount,
    profile: registered.profile,
    policyHash: registered.policyHash,
    input: { dtype: registered.input.dtype, layout: registered.input.layout, shape: [...registered.input.shape] },
    output: { dtype: registered.output.dtype, layout: registered.output.layout, shape: [...registered.output.shape] },
  };
}
