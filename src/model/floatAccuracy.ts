import * as ort from "onnxruntime-node";
import { floatPixels } from "../data/floatPixels.ts";
import type { IdxImages } from "../data/idx.ts";
import type { GraphSummary } from "./graphSummary.ts";

/** An accuracy measured by running a float32 classifier in onnxruntime-node. */
export interface FloatAccuracy {
  readonly correct: number;
  readonly count: number;
  readonly accuracy: number;
  /** Predicted class per image (first maximum of the logits). */
  readonly predictions: Uint8Array;
  /** e.g. "onnxruntime-node 1.30.0, batch 1 per image". */
  readonly measuredWith: string;
}

/** Index of the first largest logit. */
export function argmaxOf(logits: Float32Array): number {
  let best = 0;
  for (let k = 1; k < logits.length; k++) if (logits[k]! > logits[best]!) best = k;
  return best;
}

/**
 * Runs the first `count` images (all by default) through the model one at a
 * time, pixels as p/255, and counts predictions equal to the labels. The
 * graph's one input takes a whole image (e.g. [1,1,28,28] or [1,784]); its
 * one output holds the class logits.
 */
export async function floatAccuracy(
  file: Uint8Array,
  graph: GraphSummary,
  images: IdxImages,
  labels: Uint8Array,
  count = images.count,
): Promise<FloatAccuracy> {
  const [input, output] = [graph.inputs[0], graph.outputs[0]];
  if (graph.inputs.length !== 1 || graph.outputs.length !== 1 || input === undefined || output === undefined) {
    throw new Error(
      `a classifier has one input and one output, this graph has ${graph.inputs.length} and ${graph.outputs.length}`,
    );
  }
  if (input.dtype !== "float32" || output.dtype !== "float32") {
    throw new Error(`input and output must be float32, got ${input.dtype} and ${output.dtype}`);
  }
  const px = images.rows * images.cols;
  const inputSize = input.shape.reduce((a, b) => a * b, 1);
  if (inputSize !== px)
    throw new Error(
      `input ${input.name} [${input.shape.join(",")}] does not hold one ${images.rows}x${images.cols} image`,
    );
  if (!Number.isInteger(count) || count < 1 || count > images.count || count > labels.length) {
    throw new Error(`count ${count} outside 1..${Math.min(images.count, labels.length)}`);
  }

  const session = await ort.InferenceSession.create(file);
  const predictions = new Uint8Array(count);
  let correct = 0;
  try {
    for (let n = 0; n < count; n++) {
      const x = floatPixels(images.pixels.subarray(n * px, (n + 1) * px));
      const out = (await session.run({ [input.name]: new ort.Tensor("float32", x, [...input.shape]) }))[output.name];
      if (out === undefined || out.type !== "float32") throw new Error(`output ${output.name} missing or not float32`);
      predictions[n] = argmaxOf(out.data as Float32Array);
      if (predictions[n] === labels[n]) correct++;
    }
  } finally {
    await session.release();
  }
  return {
    correct,
    count,
    accuracy: correct / count,
    predictions,
    measuredWith: `onnxruntime-node ${ort.env.versions.common}, batch 1 per image`,
  };
}
