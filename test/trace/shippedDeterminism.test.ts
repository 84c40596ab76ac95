import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { compileModel } from "../../src/onnx/compile.ts";
import { traceModel } from "../../src/trace/trace.ts";
import { DETERMINISM_MATRIX } from "../../src/trace/determinism.ts";
import { readIdxImages } from "../../src/data/idx.ts";
import { quantizePixels } from "../../src/data/quantizeInput.ts";
import { Tensor } from "../../src/tensor/tensor.ts";
import { DType } from "../../src/tensor/dtype.ts";
import { Layout } from "../../src/tensor/spec.ts";

// CI checks a prefix of the evaluation subset; `npm run test:deep` checks all 1,000 images.
const deep = process.env.REFUTE_DEEP === "1";
const IMAGES = deep ? 1000 : 60;
const REPEATS = 20;
const REPEATED_IMAGES = deep ? 50 : 5;

test(`the shipped model's traceRoots are identical over ${REPEATS} runs, 1 and 2 threads and every optimization level`, async () => {
  const compiled = compileModel(readFileSync("models/fmnist-mlp.onnx"));
  const images = readIdxImages("models/fmnist-mlp.eval-images.idx");
  const px = images.rows * images.cols;
  const inputs = Array.from({ length: IMAGES }, (_, i) => {
    const q = quantizePixels(images.pixels.subarray(i * px, (i + 1) * px));
    return new Tensor({ dtype: DType.INT8, layout: Layout.ROW_MAJOR, shape: [1, 28, 28] }, q);
  });
  const baseline: string[] = [];
  for (const input of inputs) baseline.push((await traceModel(compiled, input)).traceRoot);
  assert.equal(new Set(baseline).size > 1, true, "different images must give different traces");

  let compared = 0;
  for (const config of DETERMINISM_MATRIX) {
    for (const [i, input] of inputs.entries()) {
      const t = await traceModel(compiled, input, config);
      assert.equal(t.traceRoot, baseline[i], `image ${i} under ${JSON.stringify(config)}`);
      compared++;
    }
  }
  for (let r = 0; r < REPEATS; r++) {
    for (const [i, input] of inputs.slice(0, REPEATED_IMAGES).entries()) {
      assert.equal((await traceModel(compiled, input)).traceRoot, baseline[i], `image ${i}, run ${r}`);
      compared++;
    }
  }
  assert.equal(compared, DETERMINISM_MATRIX.length * IMAGES + REPEATS * REPEATED_IMAGES);
});
