import assert from "node:assert/strict";
import { test } from "node:test";
import * as ort from "onnxruntime-node";
import { summarizeGraph } from "../../src/model/graphSummary.ts";
import { buildFloatGraph, FLOAT_GRAPH_OPS } from "../../src/train/floatGraph.ts";
import { forward, initMlp, INPUT_SCALE, Rng } from "../../src/train/mlp.ts";

test("the float graph of an MLP computes the MLP's own logits in onnxruntime", async () => {
  const rng = new Rng(7);
  const mlp = initMlp(784, 16, 10, rng);
  // Non-zero biases, so a bias wired to the wrong Gemm or dropped shows.
  for (const b of [mlp.b1, mlp.b2]) for (let i = 0; i < b.length; i++) b[i] = rng.next() - 0.5;
  const file = buildFloatGraph(mlp);
  assert.deepEqual(summarizeGraph(file).ops, [...FLOAT_GRAPH_OPS]);

  const session = await ort.InferenceSession.create(file);
  const h = new Float64Array(mlp.hidden);
  const z = new Float64Array(mlp.outputs);
  try {
    for (let s = 0; s < 4; s++) {
      const q = new Int8Array(784);
      for (let i = 0; i < q.length; i++) q[i] = rng.int(128);
      forward(mlp, q, 0, h, z);
      const x = Float32Array.from(q, (v) => v * INPUT_SCALE);
      const out = (await session.run({ input: new ort.Tensor("float32", x, [1, 1, 28, 28]) }))["logits"]!;
      assert.deepEqual(out.dims, [1, 10]);
      const logits = out.data as Float32Array;
      for (let k = 0; k < 10; k++) {
        // float32 sums of 784 terms against a float64 reference.
        assert.ok(
          Math.abs(logits[k]! - z[k]!) <= 1e-4 * (1 + Math.abs(z[k]!)),
          `sample ${s} logit ${k}: ${logits[k]} vs ${z[k]}`,
        );
      }
    }
  } finally {
    await session.release();
  }
});

test("the float graph refuses an MLP that does not take a 28x28 image", () => {
  assert.throws(() => buildFloatGraph(initMlp(100, 4, 10, new Rng(1))), /expected 784 inputs, got 100/);
});
