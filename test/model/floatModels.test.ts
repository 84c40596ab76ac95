/**
 * The shipped float32 models against their cards: each file's graph holds
 * exactly the op types the float32 profile's one-step checks cover for it,
 * its inputs, outputs, header and hash are what its card states, and
 * onnxruntime-node reproduces the card's accuracy on the shipped evaluation
 * images (read as pixel/255).
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import * as ort from "onnxruntime-node";
import { readIdxImages, readIdxLabels } from "../../src/data/idx.ts";
import { quantizePixels } from "../../src/data/quantizeInput.ts";
import { floatAccuracy } from "../../src/model/floatAccuracy.ts";
import {
  EVAL_IMAGES,
  EVAL_LABELS,
  type FloatCard,
  floatCardMismatches,
  parseFloatCardDraft,
} from "../../src/model/floatCard.ts";
import { summarizeGraph } from "../../src/model/graphSummary.ts";

interface Shipped {
  readonly name: string;
  readonly ops: readonly string[];
  /** The least full-test-set accuracy the model is shipped with. */
  readonly minAccuracy: number;
}

const SHIPPED: readonly Shipped[] = [
  { name: "fmnist-cnn", ops: ["Conv", "Flatten", "Gemm", "MaxPool", "Relu"], minAccuracy: 0.9 },
  { name: "fmnist-mlp-f32", ops: ["Flatten", "Gemm", "Relu"], minAccuracy: 0.85 },
];
// A near-tie may round the other way on another CPU's kernels: allow two images of the 1000.
const EVAL_TOLERANCE = 0.002;

const images = readIdxImages(EVAL_IMAGES);
const labels = readIdxLabels(EVAL_LABELS);
const fileOf = (name: string): Uint8Array => new Uint8Array(readFileSync(`models/${name}.onnx`));
const cardOf = (name: string): FloatCard => {
  const json: unknown = JSON.parse(readFileSync(`models/${name}.card.json`, "utf8"));
  parseFloatCardDraft(json);
  return json as FloatCard;
};

for (const model of SHIPPED) {
  describe(`models/${model.name}.onnx`, () => {
    const file = fileOf(model.name);
    const card = cardOf(model.name);

    it("holds only the op types of its architecture, one input and one float32 logits output", () => {
      const graph = summarizeGraph(file);
      assert.deepEqual([...new Set(graph.ops)].sort(), model.ops);
      assert.equal(graph.opset, 17);
      assert.deepEqual(graph.inputs, [{ name: "input", dtype: "float32", shape: [1, 1, 28, 28] }]);
      assert.deepEqual(graph.outputs, [{ name: "logits", dtype: "float32", shape: [1, 10] }]);
    });

    it("matches its card: shapes, ops, ONNX header and file hash", () => {
      assert.equal(card.profile, "float32");
      assert.deepEqual(floatCardMismatches(card, file), []);
    });

    it("meets its accuracy target on the full test set, as its card records", () => {
      assert.equal(card.testImages, 10_000);
      assert.ok(card.accuracy.float32 >= model.minAccuracy, `accuracy ${card.accuracy.float32}`);
    });

    it("reproduces the card's eval-image accuracy under onnxruntime-node", async () => {
      const run = await floatAccuracy(file, summarizeGraph(file), images, labels);
      assert.equal(run.count, card.evalSubset.count);
      assert.ok(
        Math.abs(run.accuracy - card.evalSubset.float32Accuracy) <= EVAL_TOLERANCE,
        `eval accuracy ${run.accuracy}, card ${card.evalSubset.float32Accuracy}`,
      );
      assert.ok(run.accuracy >= model.minAccuracy, `eval accuracy ${run.accuracy}`);
    });
  });
}

describe("a float32 card", () => {
  const file = fileOf("fmnist-cnn");
  const card = cardOf("fmnist-cnn");

  it("disagrees with its file when it states another input shape", () => {
    const wrong = { ...card, input: { ...card.input, shape: [1, 784] } };
    assert.deepEqual(floatCardMismatches(wrong, file), ["input shape: card [1,784], file [1,1,28,28]"]);
  });

  it("disagrees with its file when it lists other ops or another file's hash", () => {
    const other = fileOf("fmnist-mlp-f32");
    const problems = floatCardMismatches(card, other);
    assert.ok(
      problems.some((p) => p.startsWith("fileHash:")),
      problems.join("; "),
    );
    assert.ok(
      problems.some((p) => p.startsWith("ops:")),
      problems.join("; "),
    );
  });

  it("must name the float32 profile", () => {
    assert.throws(() => parseFloatCardDraft({ ...card, profile: "int8" }), /card\.profile must be "float32"/);
  });
});

describe("the float32 MLP beside the integer MLP it was quantized into", () => {
  it("predicts the same class on at least 97% of the eval images", async () => {
    const floatFile = fileOf("fmnist-mlp-f32");
    const floatRun = await floatAccuracy(floatFile, summarizeGraph(floatFile), images, labels);
    const session = await ort.InferenceSession.create(fileOf("fmnist-mlp"));
    const px = images.rows * images.cols;
    let same = 0;
    try {
      for (let i = 0; i < images.count; i++) {
        const q = quantizePixels(images.pixels.subarray(i * px, (i + 1) * px));
        const out = (await session.run({ input: new ort.Tensor("int8", q, [1, 28, 28]) }))["class"];
        if (Number((out!.data as BigInt64Array)[0]) === floatRun.predictions[i]) same++;
      }
    } finally {
      await session.release();
    }
    assert.ok(same / images.count >= 0.97, `${same} of ${images.count} agree`);
  });
});
