import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { cardIdentity } from "../../src/model/card.ts";
import { compileModel } from "../../src/onnx/compile.ts";
import { traceModel } from "../../src/trace/trace.ts";
import { readIdxImages, readIdxLabels } from "../../src/data/idx.ts";
import { quantizePixels } from "../../src/data/quantizeInput.ts";
import { Tensor } from "../../src/tensor/tensor.ts";
import { DType } from "../../src/tensor/dtype.ts";
import { Layout } from "../../src/tensor/spec.ts";

const MODEL = "models/fmnist-mlp.onnx";
const card = JSON.parse(readFileSync("models/fmnist-mlp.card.json", "utf8")) as {
  modelId: string;
  graphRoot: string;
  fileHash: string;
  ops: string[];
  accuracy: { float: number; int8: number };
  testImages: number;
  evalSubset: { int8Accuracy: number; count: number };
};

test("the card's modelId, graphRoot and fileHash are those of the shipped file", () => {
  const id = cardIdentity(readFileSync(MODEL), MODEL);
  assert.equal(card.modelId, id.modelId);
  assert.equal(card.graphRoot, id.graphRoot);
  assert.equal(card.fileHash, id.fileHash);
});

test("the card lists the ops of the graph and meets the accuracy targets", () => {
  const compiled = compileModel(readFileSync(MODEL));
  assert.deepEqual([...new Set(compiled.onnxOpTypes)].sort(), [...new Set(card.ops)].sort());
  assert.equal(card.testImages, 10_000);
  assert.ok(card.accuracy.int8 >= 0.85, `int8 accuracy ${card.accuracy.int8}`);
  assert.ok(Math.abs(card.accuracy.float - card.accuracy.int8) <= 0.01);
});

test("the shipped model reproduces the card's eval-subset accuracy under onnxruntime", async () => {
  const compiled = compileModel(readFileSync(MODEL));
  const images = readIdxImages("models/fmnist-mlp.eval-images.idx");
  const labels = readIdxLabels("models/fmnist-mlp.eval-labels.idx");
  const px = images.rows * images.cols;
  let correct = 0;
  for (let i = 0; i < images.count; i++) {
    const q = quantizePixels(images.pixels.subarray(i * px, (i + 1) * px));
    const input = new Tensor({ dtype: DType.INT8, layout: Layout.ROW_MAJOR, shape: [1, 28, 28] }, q);
    const trace = await traceModel(compiled, input);
    if (Number(trace.output.at(0)) === labels[i]) correct++;
  }
  assert.equal(images.count, card.evalSubset.count);
  assert.equal(correct / images.count, card.evalSubset.int8Accuracy);
});
