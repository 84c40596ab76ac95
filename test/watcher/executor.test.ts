/**
 * The watcher's executor pool (real child processes): its traces are the in-process
 * traces bit for bit, a worker reuses what it compiled while the model file is
 * unchanged, and a file replaced at the same path is compiled and checked again;
 * outputs requests (many jobs, their output roots) below.
 */
import assert from "node:assert/strict";
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { bytesToHex, type Hex } from "viem";
import { loadWorkload, MODEL_FILE, REPO } from "../../src/bench/inputs.ts";
import { createLogger } from "../../src/service/logger.ts";
import { pack } from "../../src/tensor/packing.ts";
import { traceModel } from "../../src/trace/trace.ts";
import { ExecutorPool } from "../../watcher/executor/pool.ts";
import { fileBindingOf } from "../../src/onnx/modelSpecFor.ts";
import type { ExecRequest } from "../../watcher/executor/protocol.ts";
import { concatInputs } from "../../watcher/executor/inputs.ts";
import { GraphBuilder } from "../../src/onnx/builder.ts";
import { compileModel, type CompiledModel } from "../../src/onnx/compile.ts";
import { at } from "../../src/tensor/at.ts";
import { tensorRoot } from "../../src/tensor/commitment.ts";
import { DType } from "../../src/tensor/dtype.ts";
import { Tensor } from "../../src/tensor/tensor.ts";
import { infer } from "../../src/trace/infer.ts";
import { releaseSessions } from "../../src/trace/session.ts";
import { Rng } from "../../src/vectors/rng.ts";
import { mlpModel, randomTensor, tensor } from "../onnx/models.ts";

describe("executor pool", { timeout: 120_000 }, () => {
  const { compiled, inputs } = loadWorkload(4);
  const dir = mkdtempSync(join(tmpdir(), "refute-executor-"));
  const path = join(dir, "model.onnx");
  const expected = fileBindingOf(compiled);
  const request = (input: Tensor): Omit<ExecRequest, "id"> => ({
    modelPath: path,
    expected,
    input: bytesToHex(pack(input)),
    executionProvider: "cpu",
    threads: 1,
  });
  let pool: ExecutorPool;

  before(() => {
    copyFileSync(MODEL_FILE, path);
    pool = new ExecutorPool(1, { memoryMb: 1024, timeoutMs: 30_000 }, createLogger("test", "error"));
  });
  after(async () => {
    await pool?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test("traces in the child equal in-process traces, for every job on the same worker", async () => {
    for (const input of inputs) {
      const r = await pool.run(request(input));
      assert.equal(r.kind, "ok", JSON.stringify(r));
      if (r.kind !== "ok") return;
      const local = await traceModel(compiled, input);
      assert.equal(r.traceRoot, local.traceRoot);
      assert.deepEqual(r.nodeRoots, local.nodeRoots);
      assert.equal(r.provider, "cpu");
    }
  });

  test("a model file replaced at the same path is compiled and checked again", async () => {
    const [first, second] = inputs;
    assert.ok(first && second, "the workload has two images");
    copyFileSync(join(REPO, "test", "fixtures", "hostile", "bit-flipped.onnx"), path);
    const refused = await pool.run(request(first));
    assert.equal(refused.kind, "invalid", JSON.stringify(refused));
    copyFileSync(MODEL_FILE, path);
    const back = await pool.run(request(second));
    assert.equal(back.kind, "ok", JSON.stringify(back));
  });
});

/**
 * Outputs requests: many jobs of one model re-executed in the child, one output root
 * per job, equal to the root of an in-process single run; a wrong commitment shows
 * as a differing root; a bad file or request is an answer, not a dead parent.
 */
describe("executor pool: outputs requests", { timeout: 300_000 }, () => {
  const { compiled, inputs } = loadWorkload(520);
  const dir = mkdtempSync(join(tmpdir(), "refute-executor-outputs-"));
  const path = join(dir, "model.onnx");
  const expected = fileBindingOf(compiled);
  const request = (jobs: readonly Tensor[], modelPath = path, binding = expected) => ({
    modelPath,
    expected: binding,
    inputs: concatInputs(jobs.map(pack)),
    count: jobs.length,
    executionProvider: "cpu" as const,
    threads: 1,
  });
  let pool: ExecutorPool;
  const rootsOf = async (c: CompiledModel, jobs: readonly Tensor[]): Promise<Hex[]> => {
    const roots: Hex[] = [];
    for (const x of jobs) roots.push(tensorRoot(await infer(c, x)));
    return roots;
  };

  before(() => {
    copyFileSync(MODEL_FILE, path);
    pool = new ExecutorPool(1, { memoryMb: 1024, timeoutMs: 60_000 }, createLogger("test", "error"));
  });
  after(async () => {
    await pool?.close();
    await releaseSessions();
    rmSync(dir, { recursive: true, force: true });
  });

  test("output roots of 520 evaluation images, in batches of 64, equal single in-process runs", async () => {
    assert.equal(inputs.length, 520);
    const want = await rootsOf(compiled, inputs);
    const got: Hex[] = [];
    for (let i = 0; i < inputs.length; i += 64) {
      const r = await pool.runOutputs(request(inputs.slice(i, i + 64)));
      assert.equal(r.kind, "outputs", JSON.stringify(r));
      if (r.kind !== "outputs") return;
      assert.equal(r.batched, true);
      assert.equal(r.provider, "cpu");
      got.push(...r.outputRoots);
    }
    assert.deepEqual(got, want);
  });

  test("output roots of random int8 inputs equal single in-process runs", async () => {
    const rng = new Rng(44);
    const jobs = Array.from({ length: 200 }, () => randomTensor(rng, DType.INT8, [...compiled.input.shape], -128, 127));
    const r = await pool.runOutputs(request(jobs));
    assert.equal(r.kind, "outputs", JSON.stringify(r));
    if (r.kind !== "outputs") return;
    assert.deepEqual(r.outputRoots, await rootsOf(compiled, jobs));
  });

  test("a wrong committed root is the one job whose root differs", async () => {
    const jobs = inputs.slice(0, 64);
    const committed = await rootsOf(compiled, jobs);
    // A dishonest provider commits, for job 17, the output of a class it did not compute.
    const honest = await infer(compiled, at(jobs, 17));
    const other = new Tensor(honest.spec, BigInt64Array.of(((honest.data[0] as bigint) + 1n) % 10n));
    committed[17] = tensorRoot(other);
    const r = await pool.runOutputs(request(jobs));
    assert.equal(r.kind, "outputs", JSON.stringify(r));
    if (r.kind !== "outputs") return;
    const differing = r.outputRoots.flatMap((root, i) => (root === committed[i] ? [] : [i]));
    assert.deepEqual(differing, [17]);
  });

  test("a batch of one equals a single run; an empty batch and a short buffer are refused", async () => {
    const [x] = inputs;
    assert.ok(x);
    const one = await pool.runOutputs(request([x]));
    assert.equal(one.kind, "outputs", JSON.stringify(one));
    if (one.kind !== "outputs") return;
    assert.deepEqual(one.outputRoots, await rootsOf(compiled, [x]));
    const empty = await pool.runOutputs(request([]));
    assert.deepEqual(
      { kind: empty.kind, code: empty.kind === "invalid" ? empty.code : undefined },
      { kind: "invalid", code: "EMPTY_BATCH" },
    );
    const short = await pool.runOutputs({ ...request(inputs.slice(0, 3)), count: 4 });
    assert.deepEqual(
      { kind: short.kind, code: short.kind === "invalid" ? short.code : undefined },
      { kind: "invalid", code: "INPUT_MISMATCH" },
    );
  });

  test("a hostile file is invalid, another registered model's file a mismatch, and the pool keeps working", async () => {
    const jobs = inputs.slice(0, 8);
    const hostile = join(dir, "hostile.onnx");
    copyFileSync(join(REPO, "test", "fixtures", "hostile", "bit-flipped.onnx"), hostile);
    const refused = await pool.runOutputs(request(jobs, hostile));
    assert.equal(refused.kind, "invalid", JSON.stringify(refused));
    const otherPath = join(dir, "other.onnx");
    writeFileSync(otherPath, mlpModel());
    const mismatch = await pool.runOutputs(request(jobs, otherPath));
    assert.equal(mismatch.kind, "mismatch", JSON.stringify(mismatch));
    const back = await pool.runOutputs(request(jobs));
    assert.equal(back.kind, "outputs", JSON.stringify(back));
    if (back.kind !== "outputs") return;
    assert.deepEqual(back.outputRoots, await rootsOf(compiled, jobs));
  });

  test("a model the batch check refuses runs one call per job and returns correct roots", async () => {
    const bytes = new GraphBuilder({ opset: 14 })
      .input("x", DType.INT8, [1, 4])
      .initializer("i", tensor(DType.INT64, [1], [0]))
      .node("Gather", ["x", "i"], ["g"], { axis: 0 })
      .node("Cast", ["g"], ["y"], { to: DType.INT32 })
      .output("y", DType.INT32, [1, 4])
      .build();
    const refusedPath = join(dir, "gather-rows.onnx");
    writeFileSync(refusedPath, bytes);
    const c = compileModel(bytes);
    const rng = new Rng(8);
    const jobs = Array.from({ length: 10 }, () => randomTensor(rng, DType.INT8, [1, 4], -128, 127));
    const r = await pool.runOutputs(request(jobs, refusedPath, fileBindingOf(c)));
    assert.equal(r.kind, "outputs", JSON.stringify(r));
    if (r.kind !== "outputs") return;
    assert.equal(r.batched, false);
    assert.deepEqual(r.outputRoots, await rootsOf(c, jobs));
    assert.equal(new Set(r.outputRoots).size, jobs.length);
  });

  test("an outputs request past the time limit is killed in its child, and the parent goes on", async () => {
    // The first request on a fresh worker compiles the model (tens of milliseconds at
    // least): a 1 ms limit cannot be met.
    const strict = new ExecutorPool(1, { memoryMb: 1024, timeoutMs: 1 }, createLogger("test", "error"));
    try {
      const r = await strict.runOutputs(request(inputs.slice(0, 64)));
      assert.deepEqual(
        { kind: r.kind, why: r.kind === "killed" ? r.why : undefined },
        { kind: "killed", why: "timeout" },
      );
    } finally {
      await strict.close();
    }
    const next = await pool.runOutputs(request(inputs.slice(0, 4)));
    assert.equal(next.kind, "outputs", JSON.stringify(next));
  });

  test("a trace request still runs on a worker that served outputs requests", async () => {
    const [x] = inputs;
    assert.ok(x);
    const r = await pool.run({
      modelPath: path,
      expected,
      input: bytesToHex(pack(x)),
      executionProvider: "cpu",
      threads: 1,
    });
    assert.equal(r.kind, "ok", JSON.stringify(r));
    if (r.kind !== "ok") return;
    assert.equal(r.traceRoot, (await traceModel(compiled, x)).traceRoot);
  });
});
