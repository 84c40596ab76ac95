/**
 * Batched plain inference (src/trace/batch.ts, src/trace/batchable.ts): N jobs in
 * one onnxruntime call give exactly the outputs of N single calls, a graph that
 * mixes rows is refused by the check (and then runs one call per job, still
 * correct), and the batched copy of the graph is what the check says.
 */
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { loadWorkload } from "../../src/bench/inputs.ts";
import { GraphBuilder } from "../../src/onnx/builder.ts";
import { compileModel, type CompiledModel } from "../../src/onnx/compile.ts";
import { packedTensorRoot, tensorRoot } from "../../src/tensor/commitment.ts";
import { DType } from "../../src/tensor/dtype.ts";
import { pack } from "../../src/tensor/packing.ts";
import type { Tensor } from "../../src/tensor/tensor.ts";
import { inferBatch, maxJobsPerRun, runBatch } from "../../src/trace/batch.ts";
import { batchability } from "../../src/trace/batchable.ts";
import { infer } from "../../src/trace/infer.ts";
import { releaseSessions } from "../../src/trace/session.ts";
import { BATCH_DIM, ortModelBytes } from "../../src/trace/rewrite.ts";
import onnxProto from "onnx-proto";
import type { onnx as pb } from "onnx-proto";
import { Rng } from "../../src/vectors/rng.ts";
import { mlpInput, mlpModel, randomTensor, tensor } from "../onnx/models.ts";

const { onnx } = onnxProto;

async function singles(compiled: CompiledModel, inputs: readonly Tensor[]): Promise<Tensor[]> {
  const out: Tensor[] = [];
  for (const x of inputs) out.push(await infer(compiled, x));
  return out;
}

function assertSameTensors(got: readonly Tensor[], want: readonly Tensor[]): void {
  assert.equal(got.length, want.length);
  got.forEach((t, i) => {
    const w = want[i] as Tensor;
    assert.deepEqual(t.spec, w.spec, `job ${i}: spec`);
    assert.deepEqual(
      Array.from(t.data as ArrayLike<number | bigint>),
      Array.from(w.data as ArrayLike<number | bigint>),
      `job ${i}`,
    );
  });
}

/** The shipped model's architecture with the int32 logits as output, so every bit of the sums is compared. */
function logitsModel(): Uint8Array {
  const rng = new Rng(3);
  return new GraphBuilder({ opset: 13 })
    .input("x", DType.INT8, [1, 8, 8])
    .initializer("W1", randomTensor(rng, DType.INT8, [64, 48], -128, 127))
    .initializer("b1", randomTensor(rng, DType.INT32, [48], -100000, 100000))
    .initializer("W2", randomTensor(rng, DType.INT8, [48, 10], -128, 127))
    .initializer("lo", tensor(DType.INT32, [], [-128]))
    .initializer("hi", tensor(DType.INT32, [], [127]))
    .initializer("d", tensor(DType.INT32, [], [97]))
    .node("Flatten", ["x"], ["f"], { axis: 1 })
    .node("MatMulInteger", ["f", "W1"], ["a1"])
    .node("Add", ["a1", "b1"], ["s1"])
    .node("Div", ["s1", "d"], ["q1"])
    .node("Clip", ["q1", "lo", "hi"], ["c1"])
    .node("Cast", ["c1"], ["h"], { to: DType.INT8 })
    .node("MatMulInteger", ["h", "W2"], ["logits"])
    .output("logits", DType.INT32, [1, 10])
    .build();
}

function randomInputs(seed: number, count: number, shape: number[]): Tensor[] {
  const rng = new Rng(seed);
  return Array.from({ length: count }, () => randomTensor(rng, DType.INT8, shape, -128, 127));
}

describe("batched inference", { timeout: 300_000 }, () => {
  after(releaseSessions);

  it("the shipped model is accepted and its batched outputs equal single runs over 600 evaluation images", async () => {
    const { compiled, inputs } = loadWorkload(600);
    assert.equal(inputs.length, 600);
    assert.deepEqual(batchability(compiled), { ok: true, reshapeTargets: new Map() });
    const run = await runBatch(compiled, inputs);
    assert.equal(run.batched, true);
    assert.equal(run.provider, "cpu");
    assertSameTensors(run.outputs, await singles(compiled, inputs));
  });

  it("the shipped model's batched outputs equal single runs over random int8 inputs, in batches of several sizes", async () => {
    const { compiled } = loadWorkload(1);
    const inputs = randomInputs(17, 300, [...compiled.input.shape]);
    const want = await singles(compiled, inputs);
    for (const size of [1, 7, 64, 300]) {
      const got: Tensor[] = [];
      for (let i = 0; i < inputs.length; i += size)
        got.push(...(await inferBatch(compiled, inputs.slice(i, i + size))));
      assertSameTensors(got, want);
    }
  });

  it("wide int32 outputs (no ArgMax) are bit-exact batched", async () => {
    const compiled = compileModel(logitsModel());
    assert.ok(batchability(compiled).ok);
    const inputs = randomInputs(5, 200, [1, 8, 8]);
    const got = await inferBatch(compiled, inputs);
    assertSameTensors(got, await singles(compiled, inputs));
    // The outputs are not all alike, so the comparison above can tell jobs apart.
    assert.ok(new Set(got.map((t) => tensorRoot(t))).size > 100);
  });

  it("the test MLP (shared zero points, Clip bounds, ArgMax keepdims 0) is accepted and exact", async () => {
    const compiled = compileModel(mlpModel({ opset: 14, rows: 16, cols: 16, hidden: 64, classes: 10, seed: 11 }));
    assert.ok(batchability(compiled).ok);
    const inputs = Array.from({ length: 120 }, (_, i) => mlpInput(i + 1, 16, 16));
    assertSameTensors(await inferBatch(compiled, inputs), await singles(compiled, inputs));
  });

  it("a batch of one equals a single run; an empty batch is refused", async () => {
    const { compiled, inputs } = loadWorkload(1);
    const [x] = inputs;
    assert.ok(x);
    assertSameTensors(await inferBatch(compiled, [x]), [await infer(compiled, x)]);
    await assert.rejects(inferBatch(compiled, []), /at least one input/);
  });

  it("an input of the wrong shape is refused, not run", async () => {
    const { compiled, inputs } = loadWorkload(1);
    const bad = tensor(DType.INT8, [1, 4], [1, 2, 3, 4]);
    await assert.rejects(inferBatch(compiled, [...inputs, bad]), /shape/);
  });

  it("a Reshape that keeps dimension 0 at 1 is accepted, its target rewritten, and exact", async () => {
    const bytes = new GraphBuilder({ opset: 14 })
      .input("x", DType.INT8, [1, 2, 3])
      .initializer("s", tensor(DType.INT64, [2], [1, -1]))
      .initializer("w", tensor(DType.INT8, [6, 2], [1, -2, 3, -4, 5, -6, 7, -8, 9, -10, 11, -12]))
      .node("Reshape", ["x", "s"], ["r"])
      .node("MatMulInteger", ["r", "w"], ["y"])
      .output("y", DType.INT32, [1, 2])
      .build();
    const compiled = compileModel(bytes);
    const b = batchability(compiled);
    assert.ok(b.ok);
    assert.deepEqual([...b.reshapeTargets], [[0, [-1, 6]]]);
    const inputs = randomInputs(9, 50, [1, 2, 3]);
    const run = await runBatch(compiled, inputs);
    assert.equal(run.batched, true);
    assertSameTensors(run.outputs, await singles(compiled, inputs));
  });

  // Graphs in which one job's output would depend on another's input if they were
  // stacked: the check must refuse each, and the jobs then run one call each.
  const refused: readonly (readonly [string, () => Uint8Array, RegExp, number[]])[] = [
    [
      "a Reshape that moves rows out of dimension 0",
      () =>
        new GraphBuilder({ opset: 14 })
          .input("x", DType.INT8, [1, 4])
          .initializer("s", tensor(DType.INT64, [2], [2, 2]))
          .node("Reshape", ["x", "s"], ["y"])
          .output("y", DType.INT8, [2, 2])
          .build(),
      /not leading with a dimension of 1/,
      [1, 4],
    ],
    [
      "a Flatten from axis 0 (across jobs)",
      () =>
        new GraphBuilder({ opset: 14 })
          .input("x", DType.INT8, [1, 2, 2])
          .node("Flatten", ["x"], ["y"], { axis: 0 })
          .output("y", DType.INT8, [1, 4])
          .build(),
      /flattens from axis 0/,
      [1, 2, 2],
    ],
    [
      "a Gather along dimension 0 (it would pick one job's row for all)",
      () =>
        new GraphBuilder({ opset: 14 })
          .input("x", DType.INT8, [1, 4])
          .initializer("i", tensor(DType.INT64, [1], [0]))
          .node("Gather", ["x", "i"], ["y"], { axis: 0 })
          .output("y", DType.INT8, [1, 4])
          .build(),
      /gathers along dimension 0/,
      [1, 4],
    ],
    [
      "an Add of a constant with rows of its own along dimension 0",
      () =>
        new GraphBuilder({ opset: 14 })
          .input("x", DType.INT8, [1, 3])
          .initializer("c", tensor(DType.INT32, [2, 3], [1, 2, 3, 4, 5, 6]))
          .node("Cast", ["x"], ["x32"], { to: DType.INT32 })
          .node("Add", ["x32", "c"], ["y"])
          .output("y", DType.INT32, [2, 3])
          .build(),
      /not leading with a dimension of 1/,
      [1, 3],
    ],
    [
      "an input that does not lead with 1",
      () =>
        new GraphBuilder({ opset: 14 })
          .input("x", DType.INT8, [2, 2])
          .node("Relu", ["x"], ["y"])
          .output("y", DType.INT8, [2, 2])
          .build(),
      /does not lead with a dimension of 1/,
      [2, 2],
    ],
  ];
  for (const [label, build, reason, shape] of refused) {
    it(`refuses ${label}, and still runs it exactly one job per call`, async () => {
      const compiled = compileModel(build());
      const b = batchability(compiled);
      assert.equal(b.ok, false);
      if (b.ok) return;
      assert.match(b.reason, reason);
      const dtype = compiled.input.dtype;
      const rng = new Rng(21);
      const inputs = Array.from({ length: 12 }, () => randomTensor(rng, dtype, shape, -100, 100));
      const run = await runBatch(compiled, inputs);
      assert.equal(run.batched, false);
      assertSameTensors(run.outputs, await singles(compiled, inputs));
    });
  }

  it("packedTensorRoot of an output's packing is its tensorRoot", async () => {
    const compiled = compileModel(logitsModel());
    for (const t of await inferBatch(compiled, randomInputs(2, 20, [1, 8, 8])))
      assert.equal(packedTensorRoot(t.spec, pack(t)), tensorRoot(t));
    const { compiled: shipped, inputs } = loadWorkload(20);
    for (const t of await inferBatch(shipped, inputs)) assert.equal(packedTensorRoot(t.spec, pack(t)), tensorRoot(t));
  });

  it("the batched copy has a symbolic leading dimension on the input and output and no value_info; a refused model has none", () => {
    const { compiled } = loadWorkload(1);
    const model = onnx.ModelProto.decode(ortModelBytes(compiled, { allOutputs: false, batch: true }));
    const graph = model.graph as pb.GraphProto;
    const lead = (v: pb.IValueInfoProto | undefined) => v?.type?.tensorType?.shape?.dim?.[0]?.dimParam;
    assert.equal(lead(graph.input.find((v) => v.name === compiled.input.name)), BATCH_DIM);
    assert.equal(lead(graph.output.find((v) => v.name === compiled.output.name)), BATCH_DIM);
    assert.equal(graph.valueInfo.length, 0);
    const refusedModel = compileModel(
      new GraphBuilder({ opset: 14 })
        .input("x", DType.INT8, [1, 2, 2])
        .node("Flatten", ["x"], ["y"], { axis: 0 })
        .output("y", DType.INT8, [1, 4])
        .build(),
    );
    assert.throws(() => ortModelBytes(refusedModel, { allOutputs: false, batch: true }), /cannot run batched/);
  });

  it("bounds the jobs per run by the elements a run holds", () => {
    const { compiled } = loadWorkload(1);
    const perJob = compiled.nodes.reduce((n, node) => n + node.output.shape.reduce((a, b) => a * b, 1), 784);
    assert.equal(maxJobsPerRun(compiled), Math.floor(2 ** 24 / perJob));
  });
});
