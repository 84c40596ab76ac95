/**
 * The verifier's batching against a fake chain and a fake executor pool (the real
 * store, in memory): jobs grouped per model, a matching job verified with no trace,
 * a differing one traced alone and kept for the dispute, a batch that fails as a
 * whole checked again job by job, jobs no longer committed superseded, jobs of a
 * float32 model (models/fmnist-cnn.onnx) checked on their provider's served trace with no
 * executor run: admissible verified, a violation kept with its element for the dispute, a
 * trace not ending in the commitment left for a retry, no trace server unverifiable.
 */
import assert from "node:assert/strict";
import { Writable } from "node:stream";
import { after, afterEach, before, beforeEach, describe, it, mock } from "node:test";
import { pino } from "pino";
import { keccak256, type Hex } from "viem";
import { JobStatus } from "../../src/chain/enums.ts";
import type { JobRequestedLog } from "../../src/chain/read/jobEvents.ts";
import type { Model } from "../../src/chain/read/registry.ts";
import type { ChainHead } from "../../src/service/heads.ts";
import { NoopMetrics, type Labels, type Metrics } from "../../src/service/metrics.ts";
import { openDatabase } from "../../src/service/sqlite.ts";
import { pack } from "../../src/tensor/packing.ts";
import type { ExecResult, OutputsResult } from "../../watcher/executor/protocol.ts";
import type { ExecutorPool } from "../../watcher/executor/pool.ts";
import { TraceServers } from "../../watcher/float/servers.ts";
import type { WatcherMetric } from "../../watcher/metrics.ts";
import { WATCHER_MIGRATIONS, WatcherStore, type WatchedJob } from "../../watcher/store.ts";
import { Verifier } from "../../watcher/verifier.ts";
import type { JobOnChain, VerifierChain } from "../../watcher/verifierChain.ts";
import {
  CNN,
  CNN_PATH,
  honestJob,
  outputRootOf,
  servedBody,
  shiftedConv,
  startTestServer,
  type TestServer,
} from "./floatTraces.ts";

const MODEL_A: Hex = `0x${"aa".repeat(32)}`;
const MODEL_B: Hex = `0x${"bb".repeat(32)}`;
/** Registered with profile 2 (float32): models/fmnist-cnn.onnx. */
const MODEL_F: Hex = `0x${"ff".repeat(32)}`;
const PROVIDER: Hex = `0x${"cc".repeat(20)}`;
/** A provider whose trace server the watcher does not know. */
const UNKNOWN_PROVIDER: Hex = `0x${"dd".repeat(20)}`;
const fileOf = (m: Hex): Hex => keccak256(m);
const HEAD: ChainHead = {
  number: 100n,
  hash: `0x${"11".repeat(32)}`,
  parentHash: `0x${"22".repeat(32)}`,
  timestamp: 0n,
};
const WAIT_MS = 200;

/** The job's input: its id as one byte (the fake executor does not read it as a tensor). */
const inputOf = (jobId: bigint) => Uint8Array.of(Number(jobId));
/** The honest output root the fake executor computes from an input. */
const rootOf = (input: Uint8Array): Hex => keccak256(input);

class FakeChain implements VerifierChain {
  readonly status = new Map<bigint, number>();
  registrationReads = 0;
  requestReads = 0;
  constructor(private readonly commitments: Map<bigint, Hex>) {}
  statusReads = 0;
  /** Jobs whose request on-chain is another than the cached one (a reorg the cache has not seen). */
  readonly changedOnChain = new Set<bigint>();
  /** The job ids of each read with `cached: false`. */
  readonly uncachedReads: bigint[][] = [];
  /** Inline inputs of jobs whose input is a real tensor (float32 jobs); others get `inputOf`. */
  readonly inputs = new Map<bigint, Uint8Array>();
  async jobs(ids: readonly bigint[]): Promise<JobOnChain[]> {
    this.statusReads++;
    return ids.map((id) => ({
      status: this.status.get(id) ?? JobStatus.Committed,
      commitmentHash: this.commitments.get(id) ?? "0x",
    }));
  }
  async registration(modelId: Hex): Promise<Model> {
    this.registrationReads++;
    if (modelId === MODEL_F) {
      const c = CNN.compiled;
      return {
        fileHash: c.fileHash,
        graphRoot: c.graphRoot,
        nodeCount: c.nodes.length,
        profile: c.profile,
        policyHash: c.policyHash,
        input: c.input,
        output: c.output,
        uri: "file://fmnist-cnn.onnx",
        params: { responseWindow: 60n },
      } as unknown as Model;
    }
    return {
      fileHash: fileOf(modelId),
      graphRoot: modelId,
      nodeCount: 1,
      profile: modelId === MODEL_F ? 2 : 0,
      input: { dtype: 0, layout: 0, shape: [1] },
      output: { dtype: 0, layout: 0, shape: [1] },
      uri: "file://fake.onnx",
      params: { responseWindow: 60n },
    } as unknown as Model;
  }
  async requests(
    ids: readonly bigint[],
    _toBlock: bigint,
    options: { readonly cached: boolean } = { cached: true },
  ): Promise<Map<bigint, JobRequestedLog["args"]>> {
    this.requestReads++;
    if (!options.cached) this.uncachedReads.push([...ids]);
    return new Map(
      ids.map((jobId) => {
        const input = `0x${Buffer.from(this.inputs.get(jobId) ?? inputOf(jobId)).toString("hex")}` as Hex;
        const changed = !options.cached && this.changedOnChain.has(jobId);
        return [jobId, { jobId, input, inputRoot: changed ? keccak256("0x01") : "0x", inputUri: "" } as never];
      }),
    );
  }
}

/** Runs jobs by `rootOf`; `failBatch` makes every outputs request fail as a whole. */
class FakePool implements Pick<ExecutorPool, "run" | "runOutputs"> {
  readonly batches: number[] = [];
  readonly traced: Hex[] = [];
  failBatch: OutputsResult | undefined;
  /** Inputs (first byte) the single-job path fails on as the loader would. */
  readonly invalid = new Set<number>();
  async runOutputs(req: Parameters<ExecutorPool["runOutputs"]>[0]): Promise<OutputsResult> {
    this.batches.push(req.count);
    if (this.failBatch !== undefined) return this.failBatch;
    const size = req.inputs.length / req.count;
    const outputRoots = Array.from({ length: req.count }, (_, i) => rootOf(req.inputs.slice(i * size, (i + 1) * size)));
    return { kind: "outputs", provider: "cpu", outputRoots, batched: true, warnings: [] };
  }
  async run(req: Parameters<ExecutorPool["run"]>[0]): Promise<ExecResult> {
    this.traced.push(req.input);
    const input = Buffer.from(req.input.slice(2), "hex");
    if (this.invalid.has(input[0] ?? -1)) return { kind: "invalid", code: "BAD", message: "refused" };
    return {
      kind: "ok",
      provider: "cpu",
      nodeRoots: [rootOf(input)],
      traceRoot: rootOf(input),
      outputRoot: rootOf(input),
      nodes: [req.input],
      warnings: [],
    };
  }
}

/** Counts every increment by name and labels, e.g. `jobs_float_checked{"result":"violation"}`. */
class CountingMetrics implements Metrics<WatcherMetric> {
  readonly counts = new Map<string, number>();
  private readonly noop = new NoopMetrics<WatcherMetric>();
  inc(name: WatcherMetric, labels?: Labels): void {
    const k = labels === undefined ? name : `${name}${JSON.stringify(labels)}`;
    this.counts.set(k, (this.counts.get(k) ?? 0) + 1);
  }
  set(): void {}
  observe(): void {}
  value = () => this.noop.value();
  close = () => this.noop.close();
}

describe("verifier batching", () => {
  let server: TestServer;
  let metrics: CountingMetrics;
  let store: WatcherStore;
  let chain: FakeChain;
  let pool: FakePool;
  let verifier: Verifier;
  const commitments = new Map<bigint, Hex>();
  /** The verifier's log lines at warn and above, parsed. */
  let warnings: { msg: string; modelId?: string }[];

  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  beforeEach(async () => {
    mock.timers.enable({ apis: ["setTimeout"] });
    metrics = new CountingMetrics();
    store = new WatcherStore(await openDatabase(":memory:", WATCHER_MIGRATIONS));
    chain = new FakeChain(commitments);
    pool = new FakePool();
    warnings = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        for (const line of chunk
          .toString()
          .split("\n")
          .filter((l) => l !== ""))
          warnings.push(JSON.parse(line));
        done();
      },
    });
    verifier = new Verifier(
      chain,
      store,
      {
        find: (fileHash: Hex) =>
          fileHash === CNN.compiled.fileHash
            ? CNN_PATH
            : [MODEL_A, MODEL_B].some((m) => fileHash === fileOf(m))
              ? "/m.onnx"
              : undefined,
      },
      pool,
      () => HEAD,
      {
        concurrency: 1,
        queueLimit: 64,
        batchSize: 4,
        batchWaitMs: WAIT_MS,
        executionProvider: "cpu",
        threads: 1,
        input: { allowedHosts: [], timeoutMs: 1000 },
        policy: { minResponseWindow: 0, allowedModels: [] },
        float: {
          servers: new TraceServers({ traceServers: new Map([[PROVIDER, server.url]]), inputHosts: [] }),
          fetch: { timeoutMs: 5000, attempts: 1, backoffMs: 0 },
        },
      },
      pino({ level: "warn" }, sink),
      metrics,
    );
  });

  afterEach(async () => {
    await verifier.close();
    mock.timers.reset();
  });

  /** A sampled job; `wrong` commits an output root other than the honest one (or `outputRoot`, where given). */
  const addJob = (
    jobId: bigint,
    modelId: Hex,
    wrong = false,
    p: { provider?: Hex; outputRoot?: Hex } = {},
  ): WatchedJob => {
    const commitmentHash = keccak256(Uint8Array.of(Number(jobId), 7));
    commitments.set(jobId, commitmentHash);
    const job = store.addJob(
      {
        jobId,
        commitmentHash,
        modelId,
        provider: p.provider ?? PROVIDER,
        outputRoot: p.outputRoot ?? (wrong ? keccak256("0x") : rootOf(inputOf(jobId))),
        windowEnd: 1000n + jobId,
        blockNumber: 50n,
      },
      () => ({ state: "sampled", reason: "sampled: test" }),
    );
    assert.ok(job);
    return job;
  };
  const stateOf = (j: WatchedJob) => store.job(j.jobId, j.commitmentHash)?.state;

  it("checks float32 jobs on their provider's served trace, never running the executor", async () => {
    const honest = await honestJob(21);
    const { job: shifted, nodeIndex, outIndex } = shiftedConv(honest, 2);
    const outputRoot = outputRootOf(honest);
    assert.equal(outputRootOf(shifted), outputRoot, "the shift leaves the output as it was");
    const serve = (id: bigint, body: object) => {
      chain.inputs.set(id, pack(honest.input));
      server.routes.set(`/jobs/${id}/trace`, { status: 200, body: JSON.stringify(body) });
    };
    serve(1n, servedBody(honest, 1n));
    serve(2n, servedBody(shifted, 2n));
    serve(3n, servedBody(honest, 3n));
    serve(4n, servedBody(honest, 4n));
    serve(5n, servedBody(honest, 5n));
    const admissible = addJob(1n, MODEL_F, false, { outputRoot });
    const violating = addJob(2n, MODEL_F, false, { outputRoot });
    // Committed another output than the trace its provider serves ends in: the trace proves nothing.
    const notTheCommitted = addJob(3n, MODEL_F, false, { outputRoot: keccak256("0x01") });
    const unknown = [4n, 5n].map((id) => addJob(id, MODEL_F, false, { outputRoot, provider: UNKNOWN_PROVIDER }));
    verifier.schedule(0n);
    await verifier.onIdle();
    mock.timers.tick(WAIT_MS);
    await verifier.onIdle();

    assert.deepEqual(pool.batches, [], "nothing re-executed");
    assert.deepEqual(pool.traced, [], "nothing traced by the executor");
    assert.equal(stateOf(admissible), "verified");
    assert.equal(store.trace(admissible), undefined);
    assert.equal(stateOf(violating), "mismatch");
    assert.match(
      store.job(violating.jobId, violating.commitmentHash)?.reason ?? "",
      /^float trace outside its bound at node 0 \(Conv\)/,
    );
    const kept = store.trace(violating);
    assert.deepEqual(kept?.target, { nodeIndex, outIndex });
    assert.deepEqual(kept?.nodeRoots, (servedBody(shifted) as { nodeRoots: Hex[] }).nodeRoots);
    assert.deepEqual(kept?.input, pack(honest.input));
    assert.equal(stateOf(notTheCommitted), "sampled", "left for a later try");
    assert.equal(store.trace(notTheCommitted), undefined);
    for (const j of unknown) {
      assert.equal(stateOf(j), "unverifiable");
      assert.match(store.job(j.jobId, j.commitmentHash)?.reason ?? "", /no trace server for provider 0xdd/);
    }
    const unknownWarnings = warnings.filter((w) => /no trace from this provider/.test(w.msg));
    assert.equal(unknownWarnings.length, 1, "one warning per provider");
    assert.deepEqual(Object.fromEntries(metrics.counts), {
      'jobs_float_checked{"result":"admissible"}': 1,
      'jobs_float_checked{"result":"violation"}': 1,
      jobs_verified: 1,
      jobs_mismatched: 1,
      float_trace_invalid: 1,
      'jobs_unverifiable{"why":"trace-unavailable"}': 2,
    });

    // An integer model next to it is checked as before.
    const a = addJob(7n, MODEL_A);
    verifier.schedule(2n);
    mock.timers.tick(WAIT_MS);
    await verifier.onIdle();
    assert.equal(stateOf(a), "verified");
  });

  it("sends a full batch at once and verifies every matching job without keeping a trace", async () => {
    const jobs = [1n, 2n, 3n, 4n].map((id) => addJob(id, MODEL_A));
    verifier.schedule(0n);
    await verifier.onIdle();
    assert.deepEqual(pool.batches, [4]);
    assert.deepEqual(pool.traced, []);
    for (const j of jobs) {
      assert.equal(stateOf(j), "verified");
      assert.equal(store.trace(j), undefined);
    }
  });

  it("sends a batch that is not full when its timer fires", async () => {
    const jobs = [1n, 2n].map((id) => addJob(id, MODEL_A));
    verifier.schedule(0n);
    await verifier.onIdle();
    assert.deepEqual(pool.batches, []);
    assert.equal(stateOf(jobs[0] as WatchedJob), "sampled");
    mock.timers.tick(WAIT_MS);
    await verifier.onIdle();
    assert.deepEqual(pool.batches, [2]);
    for (const j of jobs) assert.equal(stateOf(j), "verified");
  });

  it("batches each model apart and reads each registration once", async () => {
    const a = [1n, 2n, 3n].map((id) => addJob(id, MODEL_A));
    const b = [4n, 5n].map((id) => addJob(id, MODEL_B));
    verifier.schedule(0n);
    mock.timers.tick(WAIT_MS);
    await verifier.onIdle();
    assert.deepEqual(
      [...pool.batches].sort((x, y) => x - y),
      [2, 3],
    );
    assert.equal(chain.registrationReads, 2);
    assert.equal(chain.requestReads, 2);
    for (const j of [...a, ...b]) assert.equal(stateOf(j), "verified");
  });

  it("traces a job whose output differs, alone, marks it mismatch and keeps its trace for the dispute", async () => {
    const honest = [1n, 2n, 4n].map((id) => addJob(id, MODEL_A));
    const wrong = addJob(3n, MODEL_A, true);
    verifier.schedule(0n);
    await verifier.onIdle();
    assert.deepEqual(pool.batches, [4]);
    assert.deepEqual(pool.traced, ["0x03"]);
    for (const j of honest) assert.equal(stateOf(j), "verified");
    assert.equal(stateOf(wrong), "mismatch");
    const trace = store.trace(wrong);
    assert.ok(trace);
    assert.deepEqual([...trace.input], [3]);
    assert.deepEqual(trace.nodeRoots, [rootOf(inputOf(3n))]);
  });

  it("checks the jobs of a batch that failed as a whole one by one, losing none", async () => {
    pool.failBatch = { kind: "killed", why: "timeout", message: "ran longer than the limit" };
    pool.invalid.add(2);
    const ok = [1n, 3n].map((id) => addJob(id, MODEL_A));
    const bad = addJob(2n, MODEL_A);
    const wrong = addJob(4n, MODEL_A, true);
    verifier.schedule(0n);
    await verifier.onIdle();
    assert.equal(pool.traced.length, 4);
    for (const j of ok) assert.equal(stateOf(j), "verified");
    assert.equal(stateOf(bad), "unverifiable");
    assert.equal(stateOf(wrong), "mismatch");
    assert.ok(store.trace(wrong));
  });

  it("marks every job of a batch whose file is not the registered model unverifiable", async () => {
    pool.failBatch = { kind: "mismatch", problems: ["graphRoot differs"] };
    const jobs = [1n, 2n, 3n, 4n].map((id) => addJob(id, MODEL_A));
    verifier.schedule(0n);
    await verifier.onIdle();
    for (const j of jobs) {
      assert.equal(stateOf(j), "unverifiable");
      assert.match(store.job(j.jobId, j.commitmentHash)?.reason ?? "", /graphRoot differs/);
    }
  });

  it("reads no job status for a batch whose outputs all match", async () => {
    const jobs = [1n, 2n, 3n, 4n].map((id) => addJob(id, MODEL_A));
    chain.status.set(2n, JobStatus.Finalized);
    verifier.schedule(0n);
    await verifier.onIdle();
    assert.deepEqual(pool.batches, [4]);
    assert.equal(chain.statusReads, 0);
    // Nothing follows from a matching output, whatever the job's status.
    assert.deepEqual(jobs.map(stateOf), ["verified", "verified", "verified", "verified"]);
  });

  it("supersedes a differing job no longer committed on-chain instead of tracing it", async () => {
    const jobs = [addJob(1n, MODEL_A), addJob(2n, MODEL_A, true), addJob(3n, MODEL_A, true), addJob(4n, MODEL_A)];
    chain.status.set(2n, JobStatus.Slashed);
    verifier.schedule(0n);
    await verifier.onIdle();
    assert.equal(chain.statusReads, 1);
    assert.deepEqual(pool.traced, ["0x03"]);
    assert.deepEqual(jobs.map(stateOf), ["verified", "superseded", "mismatch", "verified"]);
  });

  it("reads a differing job's request from the chain again and leaves it sampled when a reorg changed it", async () => {
    const job = addJob(3n, MODEL_A, true);
    const others = [1n, 2n, 4n].map((id) => addJob(id, MODEL_A));
    chain.changedOnChain.add(3n);
    verifier.schedule(0n);
    await verifier.onIdle();
    assert.deepEqual(chain.uncachedReads, [[3n]]);
    assert.deepEqual(pool.traced, []);
    assert.equal(stateOf(job), "sampled");
    for (const j of others) assert.equal(stateOf(j), "verified");
  });

  it("keeps at most queueLimit jobs in memory and takes the rest on a later tick", async () => {
    const jobs = Array.from({ length: 70 }, (_, i) => addJob(BigInt(i + 1), MODEL_A));
    verifier.schedule(0n);
    assert.ok(verifier.depth <= 64);
    await verifier.onIdle();
    mock.timers.tick(WAIT_MS);
    await verifier.onIdle();
    verifier.schedule(0n);
    mock.timers.tick(WAIT_MS);
    await verifier.onIdle();
    for (const j of jobs) assert.equal(stateOf(j), "verified");
  });
});
