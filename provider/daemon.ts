/**
 * `refute provide`: the reference provider daemon.
 *
 * Each tick, at one head: follow JobRequested events (persisted cursor) for models
 * it hosts → run the model with onnxruntime (its output only; a float32 model's whole trace,
 * see commitPath.ts) → commit the output (commitBatch when several results are ready) →
 * answer disputes, tracing an integer job when it is challenged → finalize its jobs once
 * their window is over, to collect the fees. Inputs and traces are kept in the database;
 * traces are served over HTTP (an integer job's computed on request).
 */
import { LRUCache } from "lru-cache";
import { parseEventLogs, type Hex } from "viem";
import { jobManagerAbi } from "../src/chain/abis.ts";
import { jobOutsidePolicy } from "../src/service/policy.ts";
import { JobStatus, skipReasonName } from "../src/chain/enums.ts";
import { getJobRequestedLogs, type JobRequestedLog } from "../src/chain/read/jobEvents.ts";
import { readJob, type Job } from "../src/chain/read/jobs.ts";
import { readStake } from "../src/chain/read/stake.ts";
import { readAllowance, readBalance } from "../src/chain/read/token.ts";
import {
  approve,
  commitBatch,
  commitJob,
  deposit,
  finalizeBatch,
  finalizeJob,
  type CommitArgs,
} from "../src/client/calls.ts";
import { CallRevertedError } from "../src/client/send.ts";
import type { ConfigOf } from "../src/service/config.ts";
import { resolveDeployment } from "../src/service/commonConfig.ts";
import { EventCursor, metaCursorStore } from "../src/service/eventCursor.ts";
import type { ChainHead } from "../src/service/heads.ts";
import { errorText } from "../src/service/logger.ts";
import type { MetricDef } from "../src/service/metrics.ts";
import { ModelFiles } from "../src/service/modelFiles.ts";
import { Withdrawer } from "../src/service/withdrawer.ts";
import { initRuntime, StartupError, type Runtime } from "../src/service/runtime.ts";
import { sleep } from "../src/service/shutdown.ts";
import type { MerkleTree } from "../src/tensor/merkle.ts";
import type { Tensor } from "../src/tensor/tensor.ts";
import type { CompiledModel } from "../src/onnx/compile.ts";
import { honestCommitment, type Commitment } from "../src/dispute/faults.ts";
import { unpack } from "../src/tensor/packing.ts";
import type { TensorSpec } from "../src/tensor/spec.ts";
import { resolveJobInput } from "../src/service/jobInput.ts";
import { cudaUnavailableReason, type ExecutionProviderName } from "../src/trace/sessionOptions.ts";
import { DisputeAnswerer } from "./answerer.ts";
import { tracesAtCommit } from "./commitPath.ts";
import type { PROVIDER_FIELDS } from "./config.ts";
import { FaultPlan } from "./faultPlan.ts";
import { HostedModels } from "./hostedModels.ts";
import { PROVIDER_MIGRATIONS, ProviderStore, type ProviderJob } from "./store.ts";
import { startTraceServer, type TraceServer } from "./traceServer.ts";

export type ProviderConfig = ConfigOf<typeof PROVIDER_FIELDS>;

export const PROVIDER_METRICS = {
  jobs_seen: { type: "counter", help: "JobRequested events for hosted models" },
  jobs_run: { type: "counter", help: "jobs executed for their output", labelNames: ["fault"] },
  jobs_traced_at_commit: { type: "counter", help: "honest float32 jobs traced when committed, their trace stored" },
  jobs_traced: { type: "counter", help: "honest jobs traced once a dispute or a trace request asked for it" },
  trace_mismatches: {
    type: "counter",
    help: "jobs whose trace, recomputed from the stored input, does not end in the committed output (no roots posted)",
  },
  jobs_committed: { type: "counter", help: "jobs committed on-chain" },
  commit_txs: { type: "counter", help: "commit transactions", labelNames: ["kind"] },
  jobs_finalized: { type: "counter", help: "jobs finalized (fee earned)" },
  jobs_slashed: { type: "counter", help: "jobs slashed" },
  dispute_moves: { type: "counter", help: "dispute moves sent", labelNames: ["move"] },
  run_seconds: {
    type: "histogram",
    help: "time to run one job for its output (its trace too when forged or of a float32 model)",
  },
  trace_seconds: { type: "histogram", help: "time to trace one job" },
  tx_sent: { type: "counter", help: "transactions sent", labelNames: ["label"] },
  tx_bumped: { type: "counter", help: "transactions re-sent with higher fees", labelNames: ["label"] },
  tx_failed: { type: "counter", help: "transactions reverted or replaced", labelNames: ["label"] },
  tx_rebroadcast: { type: "counter", help: "transactions re-broadcast", labelNames: ["label"] },
} as const satisfies Record<string, MetricDef>;
type M = keyof typeof PROVIDER_METRICS;

/** How long a commit refused for lack of free stake waits before it is simulated again. */
const STAKE_RETRY_MS = 2_000;
/** How long a job whose input fetch failed waits before the next try. */
const INPUT_RETRY_MS = 2_000;
/** Input fetches in flight at once. */
const MAX_INPUT_FETCHES = 8;

export async function runProvider(config: ProviderConfig): Promise<void> {
  const deployment = resolveDeployment(config);
  const rt = await initRuntime<M>({
    service: "provider",
    config,
    deployment,
    metricDefs: PROVIDER_METRICS,
    migrations: PROVIDER_MIGRATIONS,
  });
  const daemon = new ProviderDaemon(rt, config);
  try {
    await daemon.start();
    await daemon.run();
  } finally {
    await daemon.stop();
    await rt.close();
  }
}

class ProviderDaemon {
  private readonly log;
  private readonly store: ProviderStore;
  private readonly models: HostedModels;
  private readonly faults: FaultPlan;
  private readonly answerer: DisputeAnswerer;
  /** Collects the job pots (challengers' lost bonds) the game credits to us on release. */
  private readonly withdrawer: Withdrawer;
  private readonly requesters: Set<string>;
  private readonly ep: ExecutionProviderName;
  private readonly requests: EventCursor<JobRequestedLog>;
  private readonly readyAt = new Map<bigint, number>();
  /** Traces being computed, by job. */
  private readonly tracing = new Map<bigint, Promise<void>>();
  /** Jobs whose recomputed trace does not end in their committed output, with why (not retried). */
  private readonly untraceable = new Map<bigint, string>();
  private readonly finalizing = new Map<bigint, string>();
  /** When each job's input was last fetched (jobs by URI whose fetch failed). */
  private readonly inputTries = new Map<bigint, number>();
  /** Input fetches in flight, by job. */
  private readonly inputFetches = new Map<bigint, Promise<void>>();
  /** Jobs whose commit was refused for lack of free stake, with when (retried after STAKE_RETRY_MS). */
  private readonly waitingForStake = new Map<bigint, number>();
  /** CommitSkipped of mined commitBatch transactions, by journal key. Bounded: an evicted one is read again. */
  private readonly skips = new LRUCache<string, ReadonlyMap<bigint, string>>({ max: 256 });
  private server?: TraceServer;
  private lastPrune = 0;
  /** Where reaching --stake stands: undefined until it has to wait or deposit. */
  private stakeState?: "short" | "depositing";

  constructor(
    private readonly rt: Runtime<M>,
    private readonly config: ProviderConfig,
  ) {
    this.log = rt.log;
    this.store = new ProviderStore(rt.db);
    this.models = new HostedModels(
      new ModelFiles(config.models),
      rt.client,
      rt.addresses,
      rt.log.child({ component: "models" }),
      config,
    );
    this.faults = new FaultPlan(config.faults, config.faultRate, config.faultSeed, {
      scale: config.faultFloatScale,
      node: config.faultFloatNode,
    });
    this.answerer = new DisputeAnswerer(
      rt.client,
      rt.addresses,
      rt.tx,
      this.store,
      rt.log.child({ component: "disputes" }),
      (move) => rt.metrics.inc("dispute_moves", { move }),
    );
    this.withdrawer = new Withdrawer({
      client: rt.client,
      addresses: rt.addresses,
      account: rt.account.address,
      tx: rt.tx,
      log: rt.log.child({ component: "withdrawer" }),
      now: () => Date.now(),
    });
    this.requesters = new Set(config.requesters.map((a) => a.toLowerCase()));
    const wantCuda =
      config.executionProvider === "cuda" ||
      (config.executionProvider === "auto" && cudaUnavailableReason() === undefined);
    this.ep = wantCuda ? "cuda" : "cpu";
    this.requests = new EventCursor({
      store: metaCursorStore(rt.db, "requests_cursor"),
      fetch: (fromBlock, toBlock) =>
        getJobRequestedLogs(rt.client, { address: rt.addresses.jobManager, fromBlock, toBlock }),
      // Up to the head itself: a request is traced at once (a commit deadline is running);
      // requests of re-mined blocks are seen again through the overlap and the reorg rewind.
      confirmations: 0,
      overlap: config.confirmations,
      log: rt.log.child({ component: "requests" }),
    });
  }

  async start(): Promise<void> {
    if (this.models.count === 0)
      throw new StartupError("none of the --model files can be served (see the errors above)");
    if (this.faults.active) {
      const problems = this.models
        .files()
        .flatMap(({ compiled, path }) => this.faults.problemsWith(compiled).map((p) => `${path}: ${p}`));
      if (problems.length > 0) throw new StartupError(`--fault cannot forge the hosted models: ${problems.join("; ")}`);
      this.log.warn(
        { kinds: this.faults.kinds, rate: this.faults.rate },
        "FAULT INJECTION ON: this provider commits wrong results",
      );
    }
    this.log.info(
      {
        executionProvider: this.ep,
        reason: this.ep === "cpu" ? (cudaUnavailableReason() ?? "asked for cpu") : undefined,
      },
      "tracing with",
    );
    if (this.config.tracePort >= 0) {
      this.server = await startTraceServer({
        port: this.config.tracePort,
        store: this.store,
        nodeSpecs: async (modelId) => (await this.servedModel(modelId))?.nodes.map((n) => n.output),
        trace: async (job) => {
          const compiled = await this.servedModel(job.modelId);
          if (compiled !== undefined) await this.traceOf(job, compiled);
        },
      });
      this.log.info(
        { port: this.server.port, url: `http://127.0.0.1:${this.server.port}/jobs/:id/trace` },
        "trace server listening",
      );
    }
    this.requests.init(this.rt.deployBlock);
  }

  async run(): Promise<void> {
    const signal = this.rt.shutdown.signal;
    let staked = this.config.stake === undefined;
    while (!signal.aborted) {
      try {
        const head = await this.tick();
        if (!staked) staked = await this.ensureStake(head);
      } catch (err) {
        this.log.warn({ err: errorText(err) }, "tick failed; retrying");
      }
      await sleep(this.config.pollIntervalMs, signal);
    }
  }

  async stop(): Promise<void> {
    await Promise.allSettled(this.inputFetches.values());
    await this.server?.close();
  }

  private async tick(): Promise<ChainHead> {
    const { head, reorgAncestor } = await this.rt.heads.poll();
    if (reorgAncestor !== undefined) {
      this.requests.rewind(reorgAncestor);
      this.log.warn({ ancestor: reorgAncestor, head: head.number }, "reorg: rescanning requests");
    }
    await this.rt.tx.tick(head, this.rt.heads.chainTime());
    await this.scanRequests(head);
    await this.runNew(head);
    await this.commitReady(head);
    await this.followCommitted(head);
    await this.withdrawer.poll(head);
    if (Date.now() - this.lastPrune > 60_000) {
      this.lastPrune = Date.now();
      const n = this.store.prune(this.config.retentionSec);
      if (n > 0) this.log.info({ nodes: n }, "pruned old traces");
    }
    return head;
  }

  private async scanRequests(head: ChainHead): Promise<void> {
    // Inserts are idempotent (a job already stored is skipped): the cursor re-delivers after a restart.
    await this.requests.poll(head.number, async (logs) => {
      for (const l of logs) {
        const { jobId, modelId, requester, input, inputRoot, inputUri, commitDeadline, fee } = l.args;
        if (this.store.job(jobId) !== undefined) continue;
        if (this.requesters.size > 0 && !this.requesters.has(requester.toLowerCase())) continue;
        const v = await this.models.verdict(modelId, head.hash);
        if (v.kind === "not-ours") continue;
        const bytes = Buffer.from(input.slice(2), "hex");
        this.store.addJob({
          jobId,
          modelId,
          requester,
          commitDeadline,
          block: l.blockNumber,
          input: bytes,
          inputRoot,
          inputUri,
        });
        this.rt.metrics.inc("jobs_seen");
        const refused =
          v.kind === "refused" ? v.reason : jobOutsidePolicy(fee, v.registered.params.collateralPerJob, this.config);
        if (refused !== undefined) {
          this.store.setState(jobId, "skipped", refused);
          if (v.kind === "serve")
            this.log.warn(
              { jobId, modelId, requester, reason: refused },
              "job outside the operator policy; not serving it",
            );
        } else {
          this.log.info(
            { jobId, modelId, requester, inputUri: bytes.length === 0 ? inputUri : undefined },
            "job requested",
          );
        }
      }
    });
  }

  /**
   * The commit path: the plain model (outputs only) on each new job of an integer model, its
   * output root, and the job is ready to commit. No trace: the node roots are due only if the
   * job is challenged (`traceOf`). A float32 job is traced at once and commits the trace's
   * output, its trace stored (commitPath.ts says why). A job drawn faulty by the fault plan
   * (tests and demos) is traced at once too, since its forged trace is what it would post
   * and reveal.
   */
  private async runNew(head: ChainHead): Promise<void> {
    const { committedOutput } = await import("../src/trace/committedOutput.ts");
    for (const job of this.store.inState("new")) {
      const compiled = await this.servable(job.modelId, head);
      if (compiled === undefined) {
        this.store.setState(job.jobId, "skipped", "model not servable");
        continue;
      }
      const packed = this.inputOf(job, compiled.input);
      if (packed === undefined) continue;
      const t0 = performance.now();
      try {
        const input = unpack(compiled.input, packed);
        const fault = this.faults.next();
        const traced = fault !== undefined || tracesAtCommit(compiled);
        let c: Commitment | undefined;
        if (fault !== undefined) {
          c = this.faults.forge(fault, compiled, await this.trace(job.jobId, compiled, input));
        } else if (traced) {
          c = honestCommitment(await this.trace(job.jobId, compiled, input));
          this.rt.metrics.inc("jobs_traced_at_commit");
        }
        if (c === undefined) {
          const { outputRoot, outputPacked } = await committedOutput(compiled, input, {
            executionProvider: this.ep,
            intraOpNumThreads: this.config.threads,
            onWarning: (m) => this.log.warn({ jobId: job.jobId }, m),
          });
          this.store.saveOutput(job.jobId, { postsRoots: true, reveals: true, outputRoot, outputPacked });
        } else {
          // The nodes first: a job is ready to commit only once the trace behind it is stored.
          this.saveTrace(job.jobId, compiled, c);
          this.store.saveOutput(job.jobId, {
            fault: c.fault,
            postsRoots: c.postsRoots,
            reveals: c.reveals,
            outputRoot: c.outputRoot,
            outputPacked: c.outputPacked,
          });
        }
        this.readyAt.set(job.jobId, Date.now());
        const seconds = (performance.now() - t0) / 1000;
        this.rt.metrics.observe("run_seconds", seconds);
        this.rt.metrics.inc("jobs_run", { fault: fault ?? "none" });
        this.log.info(
          {
            jobId: job.jobId,
            fault,
            faultNode: c?.faultNode,
            faultElement: c?.faultElement,
            traced,
            ms: Math.round(seconds * 1000),
            ep: this.ep,
          },
          "job run",
        );
      } catch (err) {
        this.store.setState(job.jobId, "skipped", errorText(err));
        this.log.error({ jobId: job.jobId, err: errorText(err) }, "run failed; skipping job");
      }
    }
  }

  /**
   * The compiled model of a job's model if served. Judged again after a restart (the verdict
   * is cached per process), so jobs stored before it are run and their disputes answered
   * without waiting for a new request of the model.
   */
  private async servable(modelId: Hex, head: ChainHead): Promise<CompiledModel | undefined> {
    const v = await this.models.verdict(modelId, head.hash);
    return v.kind === "serve" ? v.compiled : undefined;
  }

  /**
   * The compiled model of a job's model for the trace server. A request can come before the
   * first tick after a restart has judged the model again: then it is judged at the last head
   * seen, or the latest block before any.
   */
  private async servedModel(modelId: Hex): Promise<CompiledModel | undefined> {
    const known = this.models.servable(modelId);
    if (known !== undefined) return known;
    const hash = this.rt.heads.head?.hash ?? (await this.rt.client.getBlock()).hash;
    const v = await this.models.verdict(modelId, hash);
    return v.kind === "serve" ? v.compiled : undefined;
  }

  /** The honest trace of a job's input (every node's output). */
  private async trace(jobId: bigint, compiled: CompiledModel, input: Tensor) {
    const { traceModel } = await import("../src/trace/trace.ts");
    const t0 = performance.now();
    const trace = await traceModel(compiled, input, {
      executionProvider: this.ep,
      intraOpNumThreads: this.config.threads,
      onWarning: (m) => this.log.warn({ jobId }, m),
    });
    this.rt.metrics.observe("trace_seconds", (performance.now() - t0) / 1000);
    return trace;
  }

  /** Stores the node roots a job posts and the node data it reveals from. */
  private saveTrace(jobId: bigint, compiled: CompiledModel, c: Commitment): void {
    this.store.saveNodes(jobId, {
      nodeRoots: c.nodeRoots,
      nodes: compiled.nodes.map((_, i) => storedLeaves(c.commitment(i).tree, c.commitment(i).wordCount)),
    });
  }

  /**
   * Makes sure the job's trace is stored: its node roots and node data, computed now from the
   * stored input when the job was committed without them (an honest integer job, challenged or
   * asked for its trace). Deterministic (the exact integer profile), so the roots end in the
   * output committed, even when computed after a restart. A float32 job has its trace stored
   * from its commit; one without (committed by a version that did not store it) is recomputed
   * too, but a float32 trace need not end where the commit's run did: then nothing is stored
   * or posted, and the mismatch is logged as an error and counted (`trace_mismatches`). One
   * computation per job at a time.
   */
  private traceOf(job: ProviderJob, compiled: CompiledModel): Promise<void> {
    if (job.nodeRoots !== undefined) return Promise.resolve();
    const mismatch = this.untraceable.get(job.jobId);
    if (mismatch !== undefined) return Promise.reject(new Error(mismatch));
    let pending = this.tracing.get(job.jobId);
    if (pending === undefined) {
      pending = (async () => {
        const packed = job.inputPacked;
        if (packed === undefined || packed.length === 0) throw new Error(`job ${job.jobId}: no stored input to trace`);
        const trace = await this.trace(job.jobId, compiled, unpack(compiled.input, packed));
        const c = honestCommitment(trace);
        if (job.outputRoot !== undefined && c.outputRoot !== job.outputRoot) {
          // postRoots would refuse roots that do not end in the committed output, and storing them
          // would serve a trace behind another output: keep nothing, say so once.
          const why = `job ${job.jobId}: the trace recomputed from the stored input ends in ${c.outputRoot}, ${job.outputRoot} was committed`;
          this.untraceable.set(job.jobId, why);
          this.rt.metrics.inc("trace_mismatches");
          this.log.error(
            { jobId: job.jobId, profile: compiled.profile, committed: job.outputRoot, traced: c.outputRoot },
            "recomputed trace does not end in the committed output; no roots can be posted for this job",
          );
          throw new Error(why);
        }
        this.saveTrace(job.jobId, compiled, c);
        this.rt.metrics.inc("jobs_traced");
        this.log.info({ jobId: job.jobId }, "job traced");
      })().finally(() => this.tracing.delete(job.jobId));
      this.tracing.set(job.jobId, pending);
    }
    return pending;
  }

  /**
   * The job's packed input: inline, or fetched from its URI (src/service/jobInput.ts)
   * and stored. Fetches run in the background, at most MAX_INPUT_FETCHES at once, so a
   * slow URI never holds up other jobs: undefined while the input is not there yet
   * (the next tick looks again), a failed fetch is retried every INPUT_RETRY_MS until
   * the commit deadline, and a URI that can never give the input skips the job.
   */
  private inputOf(job: ProviderJob, spec: TensorSpec): Uint8Array | undefined {
    if (job.inputPacked !== undefined && job.inputPacked.length > 0) return job.inputPacked;
    if (this.inputFetches.has(job.jobId) || this.inputFetches.size >= MAX_INPUT_FETCHES) return undefined;
    if (Date.now() - (this.inputTries.get(job.jobId) ?? 0) < INPUT_RETRY_MS) return undefined;
    if (job.commitDeadline <= this.rt.heads.chainTime()) {
      this.inputTries.delete(job.jobId);
      this.store.setState(job.jobId, "expired", "input not fetched before the commit deadline");
      this.log.warn({ jobId: job.jobId, uri: job.inputUri }, "commit deadline passed before the input was fetched");
      return undefined;
    }
    this.inputTries.set(job.jobId, Date.now());
    const fetching = resolveJobInput(
      { input: new Uint8Array(), inputRoot: job.inputRoot ?? "0x", inputUri: job.inputUri ?? "" },
      spec,
      { allowedHosts: this.config.inputHosts, timeoutMs: this.config.inputTimeoutMs },
    )
      .then((r) => {
        if (r.kind === "ok") {
          this.inputTries.delete(job.jobId);
          this.store.setInput(job.jobId, r.packed);
          this.log.info({ jobId: job.jobId, uri: job.inputUri, bytes: r.packed.length }, "job input fetched");
        } else if (r.kind === "refused") {
          this.inputTries.delete(job.jobId);
          this.store.setState(job.jobId, "skipped", r.reason);
          this.log.error({ jobId: job.jobId, uri: job.inputUri, reason: r.reason }, "job input refused; skipping job");
        } else {
          this.log.warn(
            { jobId: job.jobId, uri: job.inputUri, reason: r.reason },
            "job input fetch failed; will retry",
          );
        }
      })
      .catch((err: unknown) => this.log.error({ jobId: job.jobId, err: errorText(err) }, "job input fetch failed"))
      .finally(() => this.inputFetches.delete(job.jobId));
    this.inputFetches.set(job.jobId, fetching);
    return undefined;
  }

  private async commitReady(head: ChainHead): Promise<void> {
    // Commits journaled before a crash but not yet sent are sent under the same key.
    for (const job of this.store.inState("committing")) {
      if (job.commitKey !== undefined && this.rt.tx.get(job.commitKey) === undefined) {
        await this.sendCommits(
          job.commitKey,
          this.store.inState("committing").filter((j) => j.commitKey === job.commitKey),
          head,
        );
      }
    }
    const ready = this.store
      .inState("traced")
      .filter((j) => Date.now() - (this.waitingForStake.get(j.jobId) ?? 0) >= STAKE_RETRY_MS);
    if (ready.length === 0) return;
    const oldest = Math.min(...ready.map((j) => this.readyAt.get(j.jobId) ?? 0));
    if (ready.length < this.config.maxBatch && Date.now() - oldest < this.config.batchWaitMs) return;
    const now = this.rt.heads.chainTime();
    const live: ProviderJob[] = [];
    for (const job of ready) {
      const onChain = await this.jobAt(job.jobId, head);
      if (onChain.status !== JobStatus.Requested) {
        this.store.setState(job.jobId, "skipped", `job is no longer open (status ${onChain.status})`);
        this.waitingForStake.delete(job.jobId);
      } else if (job.commitDeadline <= now + 1n) {
        this.waitingForStake.delete(job.jobId);
        this.store.setState(job.jobId, "expired", "commit deadline passed");
        this.log.warn({ jobId: job.jobId }, "commit deadline passed before the commit");
      } else {
        live.push(job);
      }
    }
    for (let i = 0; i < live.length; i += this.config.maxBatch) {
      const batch = live.slice(i, i + this.config.maxBatch);
      const key = `commit:${batch.map((j) => j.jobId).join(",")}:${head.number}`;
      this.store.setCommitting(
        batch.map((j) => j.jobId),
        key,
      );
      await this.sendCommits(key, batch, head);
    }
  }

  private async sendCommits(key: string, batch: readonly ProviderJob[], head: ChainHead): Promise<void> {
    const args = (j: ProviderJob): CommitArgs => ({
      jobId: j.jobId,
      outputRoot: j.outputRoot as Hex,
      output: j.outputPacked ?? new Uint8Array(),
    });
    const [first, ...others] = batch;
    if (first === undefined) return;
    // A batch of one is a plain commit: cheaper, and its refusal names the job.
    const single = others.length === 0 ? first : undefined;
    const a = this.rt.addresses;
    const deadline = batch.reduce((m, j) => (j.commitDeadline < m ? j.commitDeadline : m), first.commitDeadline);
    try {
      const call = single === undefined ? commitBatch(a, batch.map(args)) : commitJob(a, args(single));
      await this.rt.tx.submit(key, single === undefined ? "commitBatch" : "commit", call, { deadline });
      for (const j of batch) this.waitingForStake.delete(j.jobId);
      this.rt.metrics.inc("commit_txs", { kind: single === undefined ? "batch" : "single" });
      this.log.info({ jobs: batch.map((j) => j.jobId), key }, single === undefined ? "committing batch" : "committing");
    } catch (err) {
      if (!(err instanceof CallRevertedError)) throw err;
      if (single !== undefined && err.errorName === "InsufficientFreeStake") {
        // Not the job's fault: the stake is still being deposited, or locked by other jobs
        // until they finalize. Keep it and retry each tick until its commit deadline.
        if (!this.waitingForStake.has(single.jobId))
          this.log.warn({ jobId: single.jobId, err: errorText(err) }, "not enough free stake to commit; will retry");
        this.waitingForStake.set(single.jobId, Date.now());
        this.store.setState(single.jobId, "traced");
        return;
      }
      this.log.warn({ key, err: errorText(err) }, "commit refused by simulation");
      if (single === undefined) {
        for (const j of batch) {
          const singleKey = `${key}/${j.jobId}`;
          this.store.setCommitting([j.jobId], singleKey);
          await this.sendCommits(singleKey, [j], head);
        }
      } else {
        this.store.setState(single.jobId, "skipped", errorText(err));
      }
    }
  }

  /**
   * The jobs a mined commitBatch left out (CommitSkipped: another provider committed it,
   * it expired or its commit deadline passed in between), with why. Read once per key.
   */
  private async skippedBy(key: string): Promise<ReadonlyMap<bigint, string>> {
    let skipped = this.skips.get(key);
    if (skipped === undefined) {
      const receipt = await this.rt.tx.receiptOf(key);
      const logs =
        receipt === undefined
          ? []
          : parseEventLogs({ abi: jobManagerAbi, logs: receipt.logs, eventName: "CommitSkipped" });
      skipped = new Map(logs.map((l) => [l.args.jobId, skipReasonName(l.args.reason)]));
      this.skips.set(key, skipped);
    }
    return skipped;
  }

  private async followCommitted(head: ChainHead): Promise<void> {
    const me = this.rt.account.address.toLowerCase();
    for (const job of this.store.inState("committing")) {
      const t = job.commitKey === undefined ? undefined : this.rt.tx.get(job.commitKey);
      if (t === undefined || t.status === "pending") continue;
      if (t.outcome === "success" && job.commitKey !== undefined) {
        const reason = (await this.skippedBy(job.commitKey)).get(job.jobId);
        if (reason !== undefined) {
          // The batch went through without this job: it can no longer be committed.
          this.store.setState(job.jobId, "skipped", `commitBatch skipped it: ${reason}`);
          this.log.warn({ jobId: job.jobId, reason }, "job skipped by commitBatch");
          continue;
        }
      }
      const onChain = await this.jobAt(job.jobId, head);
      if (
        onChain.status !== JobStatus.Requested &&
        onChain.provider.toLowerCase() === me &&
        onChain.outputRoot === job.outputRoot
      ) {
        this.store.setCommitted(job.jobId, onChain.windowEnd);
        this.rt.metrics.inc("jobs_committed");
        this.log.info({ jobId: job.jobId, windowEnd: onChain.windowEnd, fault: job.fault }, "job committed");
      } else if (t.outcome !== "success" && onChain.status === JobStatus.Requested) {
        this.log.warn({ jobId: job.jobId, outcome: t.outcome }, "commit failed; retrying");
        this.store.setState(job.jobId, "traced");
      } else if (t.status === "final") {
        this.store.setState(job.jobId, "skipped", "committed by someone else");
      }
    }
    const finalizable: bigint[] = [];
    for (const job of this.store.inState("committed")) {
      const onChain = await this.jobAt(job.jobId, head);
      if (onChain.status === JobStatus.Finalized) {
        this.store.setState(job.jobId, "finalized");
        this.answerer.forget(job.jobId);
        this.rt.metrics.inc("jobs_finalized");
        this.log.info({ jobId: job.jobId, fee: onChain.fee }, "job finalized");
        continue;
      }
      if (onChain.status === JobStatus.Slashed) {
        this.store.setState(job.jobId, "slashed");
        this.answerer.forget(job.jobId);
        this.rt.metrics.inc("jobs_slashed");
        this.log.warn({ jobId: job.jobId, fault: job.fault, collateral: onChain.collateral }, "job slashed");
        continue;
      }
      if (onChain.status !== JobStatus.Committed) continue;
      const compiled = await this.servable(job.modelId, head);
      if (onChain.frozen && compiled !== undefined) {
        // Challenged: the roots are due. Trace now if the commit did not.
        try {
          await this.traceOf(job, compiled);
        } catch (err) {
          // A trace mismatch is logged once where it is found, not every tick.
          if (!this.untraceable.has(job.jobId))
            this.log.error({ jobId: job.jobId, err: errorText(err) }, "trace failed; cannot answer the dispute");
          continue;
        }
        const traced = this.store.job(job.jobId) ?? job;
        await this.answerer.answer(traced, compiled, head);
      } else if (!onChain.frozen && head.timestamp >= onChain.windowEnd) {
        const pending = this.finalizing.get(job.jobId);
        if (pending === undefined || this.rt.tx.get(pending)?.status !== "pending") finalizable.push(job.jobId);
      }
    }
    if (finalizable.length > 0) await this.finalize(finalizable, head);
  }

  private async finalize(jobIds: readonly bigint[], head: ChainHead): Promise<void> {
    const [only, ...more] = jobIds;
    if (only === undefined) return;
    const a = this.rt.addresses;
    const key = `finalize:${jobIds.join(",")}:${head.number}`;
    const call = more.length > 0 ? finalizeBatch(a, jobIds) : finalizeJob(a, only);
    try {
      await this.rt.tx.submit(key, more.length > 0 ? "finalizeBatch" : "finalize", call);
      for (const id of jobIds) this.finalizing.set(id, key);
    } catch (err) {
      if (!(err instanceof CallRevertedError)) throw err;
      this.log.warn({ jobIds, err: errorText(err) }, "finalize refused by simulation");
    }
  }

  /** The job as the chain holds it at the tick's head. */
  private jobAt(jobId: bigint, head: ChainHead): Promise<Job> {
    return readJob(this.rt.client, { address: this.rt.addresses.jobManager, jobId, blockHash: head.hash });
  }

  /**
   * Deposits until the stake reaches --stake; true once it has. Called every tick until
   * then: a balance too low is waited for (tokens may arrive at any time), and each
   * change of state is logged once, not every tick.
   */
  private async ensureStake(head: ChainHead): Promise<boolean> {
    const target = this.config.stake ?? 0n;
    const me = this.rt.account.address;
    const a = this.rt.addresses;
    const s = await readStake(this.rt.client, { address: a.stakeManager, provider: me, blockHash: head.hash });
    const have = s.free + s.locked;
    if (have >= target) {
      if (this.stakeState !== undefined) this.log.info({ stake: have, target }, "stake reached --stake");
      return true;
    }
    const need = target - have;
    const balance = await readBalance(this.rt.client, { address: a.token, owner: me, blockHash: head.hash });
    if (balance < need) {
      if (this.stakeState !== "short")
        this.log.warn({ need, balance, target }, "cannot reach --stake: token balance too low; waiting for tokens");
      this.stakeState = "short";
      return false;
    }
    if (this.stakeState === "short") this.log.info({ need, balance }, "tokens for --stake arrived");
    this.stakeState = "depositing";
    const allowance = await readAllowance(this.rt.client, {
      address: a.token,
      owner: me,
      spender: a.stakeManager,
      blockHash: head.hash,
    });
    if (allowance < need)
      await this.rt.tx.submit(`stake-approve:${have}:${target}`, "approve", approve(a, a.stakeManager, need));
    const ap = this.rt.tx.get(`stake-approve:${have}:${target}`);
    if (ap !== undefined && ap.status === "pending") return false;
    const key = `stake-deposit:${have}:${target}`;
    if (this.rt.tx.get(key) === undefined) {
      await this.rt.tx.submit(key, "deposit", deposit(a, need));
      this.log.info({ amount: need, target }, "depositing stake");
    }
    // Done once the deposit shows in the stake (read again next tick).
    return false;
  }
}

/**
 * The leaves of a node's data tree to store: its data words, and the padding leaves too when
 * any is not zero (a forged tree may hide junk there). Zero padding leaves are left out: the
 * tree built again from the data words pads with zero leaves, to the same root.
 */
function storedLeaves(tree: MerkleTree, wordCount: number): Uint8Array {
  const leaves = tree.leafBytes();
  const data = leaves.subarray(0, wordCount * 32);
  return leaves.subarray(wordCount * 32).every((b) => b === 0) ? data : leaves;
}
