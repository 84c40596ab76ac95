/**
 * `refute watch`: the watcher daemon (modeled on op-challenger), wired in init steps:
 *
 *   monitor (heads, reorgs) → job source (JobCommitted since a persisted cursor) →
 *   sampler → scheduler (bounded queue) → executor (child processes with limits) →
 *   compare the committed outputRoot → responder (challenge, then the dispute moves
 *   the pure solver asks for) → transaction sender (journal, nonces, fee bumps,
 *   re-sends after reorgs) → claimer (bonds and bounties from events).
 *
 * The chain is the source of truth and the database a cache plus idempotency keys:
 * each tick reads the chain at one head's hash and re-derives what to do, so a
 * restart after `kill -9` carries on without duplicating anything.
 */
import { randomBytes } from "node:crypto";
import { maxUint256, type Hex } from "viem";
import { readModel } from "../src/chain/read/registry.ts";
import { readAllowance, readBalance } from "../src/chain/read/token.ts";
import { approve } from "../src/client/calls.ts";
import { SYSTEM_CLOCK } from "../src/service/clock.ts";
import { Withdrawer } from "../src/service/withdrawer.ts";
import type { ConfigOf } from "../src/service/config.ts";
import { resolveDeployment } from "../src/service/commonConfig.ts";
import { errorText } from "../src/service/logger.ts";
import { ModelFiles } from "../src/service/modelFiles.ts";
import { initRuntime, type Runtime } from "../src/service/runtime.ts";
import { sleep } from "../src/service/shutdown.ts";
import { getMeta, setMeta } from "../src/service/sqlite.ts";
import { cudaUnavailableReason } from "../src/trace/sessionOptions.ts";
import { Claimer } from "./claimer.ts";
import type { WATCHER_FIELDS } from "./config.ts";
import { ExecutorPool } from "./executor/pool.ts";
import { JobSource } from "./jobSource.ts";
import { WATCHER_METRICS, type WatcherMetric } from "./metrics.ts";
import { RpcChallengeChain } from "./challenge/chain.ts";
import { Responder } from "./challenge/responder.ts";
import { TraceServers } from "./float/servers.ts";
import { Sampler } from "./sampler.ts";
import { WATCHER_MIGRATIONS, WatcherStore } from "./store.ts";
import { Verifier } from "./verifier.ts";
import { RequestCache } from "./requests.ts";
import { RpcVerifierChain } from "./verifierChain.ts";

export type WatcherConfig = ConfigOf<typeof WATCHER_FIELDS>;

/** Tries of one trace fetch before a float32 job is unverifiable, and the pause before the second (doubled after). */
const TRACE_FETCH_ATTEMPTS = 3;
const TRACE_FETCH_BACKOFF_MS = 500;

export async function runWatcher(config: WatcherConfig): Promise<void> {
  const deployment = resolveDeployment(config);
  // Checked before anything starts: a trace server on a host the input rule refuses is a config error.
  const traceServers = new TraceServers(config);
  const rt = await initRuntime<WatcherMetric>({
    service: "watcher",
    config,
    deployment,
    metricDefs: WATCHER_METRICS,
    migrations: WATCHER_MIGRATIONS,
  });
  const w = new Watcher(rt, config, traceServers);
  try {
    await w.run();
  } finally {
    await w.close();
    await rt.close();
  }
}

class Watcher {
  private readonly store: WatcherStore;
  private readonly files: ModelFiles;
  private readonly pool: ExecutorPool;
  private readonly source: JobSource;
  private readonly verifier: Verifier;
  private readonly responder: Responder;
  private readonly claimer: Claimer;
  /** Collects bonds back, bounties and pots: the game credits them to claimable (§9.5). */
  private readonly withdrawer: Withdrawer;
  private approved = false;
  /** Whether the last bond check found too few tokens (logged once per change). */
  private bondShort = false;

  constructor(
    private readonly rt: Runtime<WatcherMetric>,
    private readonly config: WatcherConfig,
    traceServers: TraceServers,
  ) {
    const log = rt.log;
    this.store = new WatcherStore(rt.db);
    this.files = new ModelFiles(config.models);
    for (const [path, why] of this.files.problems()) log.error({ path, reason: why }, "model path not usable");
    log.info({ files: this.files.entries().map(([hash, path]) => ({ path, fileHash: hash })) }, "model files");

    const cudaReason = cudaUnavailableReason();
    const ep =
      config.executionProvider === "cuda" || (config.executionProvider === "auto" && cudaReason === undefined)
        ? "cuda"
        : "cpu";
    log.info({ executionProvider: ep, reason: ep === "cpu" ? (cudaReason ?? "asked for cpu") : undefined }, "executor");
    this.pool = new ExecutorPool(
      config.concurrency,
      { memoryMb: config.executorMemoryMb, timeoutMs: config.executorTimeoutMs },
      log.child({ component: "executor" }),
    );
    this.pool.warm();

    let secretHex = getMeta(rt.db, "sampling_secret");
    if (secretHex === undefined) {
      secretHex = randomBytes(32).toString("hex");
      setMeta(rt.db, "sampling_secret", secretHex);
    }
    const sampler = new Sampler(Buffer.from(secretHex, "hex"), {
      rate: config.samplingRate,
      alwaysCheckFee: config.alwaysCheckFee,
      alwaysCheckNewProviders: config.alwaysCheckNewProviders,
    });
    const start = config.startBlock >= 0 ? BigInt(config.startBlock) : rt.deployBlock;
    // Requests seen by the job source, so that sampling and verifying a job need no read of their own.
    const requests = new RequestCache();
    this.source = new JobSource(
      rt.client,
      rt.addresses,
      this.store,
      sampler,
      requests,
      config.confirmations,
      log.child({ component: "jobs" }),
      rt.metrics,
    );
    this.source.init(start);
    this.verifier = new Verifier(
      new RpcVerifierChain(rt.client, rt.addresses, rt.deployBlock, requests),
      this.store,
      this.files,
      this.pool,
      () => rt.heads.head,
      {
        concurrency: config.concurrency,
        queueLimit: config.queueLimit,
        batchSize: config.batchSize,
        batchWaitMs: config.batchWaitMs,
        executionProvider: ep,
        threads: config.executorThreads,
        input: { allowedHosts: config.inputHosts, timeoutMs: config.inputTimeoutMs },
        policy: { minResponseWindow: config.minResponseWindow, allowedModels: config.allowedModels },
        float: {
          servers: traceServers,
          fetch: {
            timeoutMs: config.traceTimeoutMs,
            attempts: TRACE_FETCH_ATTEMPTS,
            backoffMs: TRACE_FETCH_BACKOFF_MS,
          },
        },
      },
      log.child({ component: "verifier" }),
      rt.metrics,
    );
    this.responder = new Responder({
      chain: new RpcChallengeChain(rt.client, rt.addresses),
      store: this.store,
      tx: rt.tx,
      files: this.files,
      clock: SYSTEM_CLOCK,
      log: log.child({ component: "responder" }),
      metrics: rt.metrics,
    });
    this.claimer = new Claimer(
      rt.client,
      rt.addresses,
      rt.account.address,
      this.store,
      config.confirmations,
      log.child({ component: "claimer" }),
      rt.metrics,
    );
    this.claimer.init(start);
    this.withdrawer = new Withdrawer({
      client: rt.client,
      addresses: rt.addresses,
      account: rt.account.address,
      tx: rt.tx,
      log: log.child({ component: "withdrawer" }),
      now: () => Date.now(),
    });
    log.info(
      {
        sampled: this.store.jobsInState("sampled").length,
        mismatched: this.store.jobsInState("mismatch").length,
        openChallenges: this.store.activeChallenges().length,
        openTxs: rt.tx.openCount(),
        samplingRate: config.samplingRate,
      },
      "state on start (reconciled with the chain on the first tick)",
    );
  }

  async run(): Promise<void> {
    const signal = this.rt.shutdown.signal;
    while (!signal.aborted) {
      try {
        await this.tick();
      } catch (err) {
        this.rt.log.warn({ err: errorText(err) }, "tick failed; retrying");
      }
      await sleep(this.config.pollIntervalMs, signal);
    }
  }

  async close(): Promise<void> {
    // Kill the executors first: a re-execution in flight ends at once (it is retried on restart).
    await this.pool.close();
    await this.verifier.close();
  }

  private async tick(): Promise<void> {
    const { head, reorgAncestor, behind } = await this.rt.heads.poll();
    this.rt.metrics.set("head", Number(head.number));
    for (const e of this.rt.rpc.endpoints) this.rt.metrics.set("rpc_up", e.up ? 1 : 0, { url: e.url });
    if (behind) this.rt.log.debug({ head: head.number }, "RPC answered with an older head");
    if (reorgAncestor !== undefined) {
      this.rt.log.warn({ ancestor: reorgAncestor, head: head.number }, "reorg detected: rewinding cursors");
      this.source.rewind(reorgAncestor);
      this.claimer.rewind(reorgAncestor);
    }
    const now = this.rt.heads.chainTime();
    await this.rt.tx.tick(head, now);
    if (!this.approved) this.approved = await this.approveBonds(head);
    await this.source.poll(head);
    this.verifier.schedule(now);
    this.rt.metrics.set("queue_depth", this.verifier.depth);
    for (const job of this.store.jobsInState("mismatch")) {
      if (this.store.challengeOfJob(job.jobId, job.commitmentHash) === undefined) {
        if (!(await this.canPayBond(job.modelId, head))) continue;
        this.responder.open(job);
        this.rt.log.info({ jobId: job.jobId, provider: job.provider }, "challenge opened");
      }
    }
    await this.responder.tick(head, now);
    await this.claimer.poll(head);
    await this.withdrawer.poll(head);
  }

  /**
   * Whether the balance covers the model's challenger bond and the dispute game may
   * pull it. Checked before each challenge is opened, so a watcher started without
   * tokens challenges as soon as they arrive; the wait is logged once, not every tick.
   */
  private async canPayBond(modelId: Hex, head: { hash: Hex }): Promise<boolean> {
    const me = this.rt.account.address;
    const a = this.rt.addresses;
    const [{ params }, balance] = await Promise.all([
      readModel(this.rt.client, { address: a.modelRegistry, modelId, blockHash: head.hash }),
      readBalance(this.rt.client, { address: a.token, owner: me, blockHash: head.hash }),
    ]);
    const bond = params.challengerBond;
    const ok = this.approved && balance >= bond;
    if (!ok && !this.bondShort)
      this.rt.log.warn(
        { address: me, balance, bond, approved: this.approved },
        "cannot pay a challenger bond; waiting for tokens",
      );
    if (ok && this.bondShort) this.rt.log.info({ balance, bond }, "tokens for challenger bonds arrived");
    this.bondShort = !ok;
    return ok;
  }

  /** Lets the dispute game pull bonds (once, unlimited); true when done. */
  private async approveBonds(head: { hash: Hex }): Promise<boolean> {
    const a = this.rt.addresses;
    const me = this.rt.account.address;
    const allowance = await readAllowance(this.rt.client, {
      address: a.token,
      owner: me,
      spender: a.disputeGame,
      blockHash: head.hash,
    });
    if (allowance >= 1n << 128n) return true;
    const key = `approve-bonds:${a.disputeGame}`;
    const rec = this.rt.tx.get(key);
    if (rec === undefined) await this.rt.tx.submit(key, "approve", approve(a, a.disputeGame, maxUint256));
    return false;
  }
}
