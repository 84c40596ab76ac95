/**
 * Model cards of the float32 profile: what they state, how they are checked
 * against the ONNX file they describe, and how the measured fields are filled.
 *
 * A training script writes the descriptive fields (name, architecture, input,
 * output, training recipe); `completeFloatCard` then measures the shipped file
 * itself with onnxruntime-node, so an accuracy on a card is never one copied
 * from the trainer. modelId and graphRoot join once the float32 loader
 * compiles these graphs.
 */
import type { Hex } from "viem";
import type { IdxImages } from "../data/idx.ts";
import { floatAccuracy } from "./floatAccuracy.ts";
import type { GraphSummary, ValueSummary } from "./graphSummary.ts";
import { summarizeGraph } from "./graphSummary.ts";
import { fileHashOf } from "./modelSpec.ts";

/** The shipped evaluation images (the first 1000 of the test set); float models read them as p/255. */
export const EVAL_IMAGES = "models/fmnist-mlp.eval-images.idx";
export const EVAL_LABELS = "models/fmnist-mlp.eval-labels.idx";

export interface FloatCardInput extends ValueSummary {
  readonly preprocessing: string;
}

export interface FloatCardOutput extends ValueSummary {
  readonly meaning: string;
  readonly labels: readonly string[];
}

/** The fields a trainer writes. */
export interface FloatCardDraft {
  readonly name: string;
  readonly profile: "float32";
  readonly dataset: string;
  readonly task: string;
  readonly architecture: string;
  readonly input: FloatCardInput;
  readonly output: FloatCardOutput;
  readonly training: Readonly<Record<string, unknown>>;
}

/** A complete card: the draft plus what was measured on the shipped file. */
export interface FloatCard extends FloatCardDraft {
  readonly accuracy: { readonly float32: number; readonly measuredOn: string; readonly measuredWith: string };
  readonly testImages: number;
  readonly evalSubset: {
    readonly images: string;
    readonly labels: string;
    readonly count: number;
    readonly source: string;
    readonly float32Accuracy: number;
  };
  readonly onnx: { readonly opset: number; readonly irVersion: number; readonly bytes: number };
  readonly ops: readonly string[];
  readonly fileHash: Hex;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function checkValue(where: string, v: unknown, extra: readonly string[]): void {
  if (!isObject(v)) throw new Error(`card.${where} must be an object`);
  for (const k of ["name", "dtype", ...extra]) {
    if (typeof v[k] !== "string" || v[k] === "") throw new Error(`card.${where}.${k} must be a non-empty string`);
  }
  const shape = v["shape"];
  if (!Array.isArray(shape) || shape.some((d) => !Number.isInteger(d) || (d as number) < 1)) {
    throw new Error(`card.${where}.shape must be a list of positive integers`);
  }
}

/** Checks the fields a trainer writes; throws naming the first bad one. */
export function parseFloatCardDraft(json: unknown): FloatCardDraft {
  if (!isObject(json)) throw new Error("a model card is a JSON object");
  if (json["profile"] !== "float32") throw new Error(`card.profile must be "float32", got ${String(json["profile"])}`);
  for (const k of ["name", "dataset", "task", "architecture"]) {
    if (typeof json[k] !== "string" || json[k] === "") throw new Error(`card.${k} must be a non-empty string`);
  }
  checkValue("input", json["input"], ["preprocessing"]);
  checkValue("output", json["output"], ["meaning"]);
  const labels = (json["output"] as Record<string, unknown>)["labels"];
  if (!Array.isArray(labels) || labels.some((l) => typeof l !== "string")) {
    throw new Error("card.output.labels must be a list of class names");
  }
  if (!isObject(json["training"])) throw new Error("card.training must be an object (the recipe)");
  return json as unknown as FloatCardDraft;
}

const sameShape = (a: readonly number[], b: readonly number[]): boolean =>
  a.length === b.length && a.every((d, i) => d === b[i]);

/**
 * Where a card disagrees with the ONNX file it describes: input and output
 * names, element types and shapes, the class count, and (on a complete
 * card) the op list, ONNX header fields and file hash. Empty when they agree.
 */
export function floatCardMismatches(card: FloatCardDraft | FloatCard, file: Uint8Array): string[] {
  const graph = summarizeGraph(file);
  const problems: string[] = [];
  const compare = (what: string, stated: ValueSummary, actual: readonly ValueSummary[]): void => {
    const [v] = actual;
    if (actual.length !== 1 || v === undefined) {
      problems.push(`the file has ${actual.length} ${what}s, a card states one`);
      return;
    }
    if (stated.name !== v.name) problems.push(`${what} name: card ${stated.name}, file ${v.name}`);
    if (stated.dtype !== v.dtype) problems.push(`${what} dtype: card ${stated.dtype}, file ${v.dtype}`);
    if (!sameShape(stated.shape, v.shape)) {
      problems.push(`${what} shape: card [${stated.shape.join(",")}], file [${v.shape.join(",")}]`);
    }
  };
  compare("input", card.input, graph.inputs);
  compare("output", card.output, graph.outputs);
  const classes = card.output.shape.reduce((a, b) => a * b, 1);
  if (card.output.labels.length !== classes) {
    problems.push(`${card.output.labels.length} labels for ${classes} logits`);
  }
  if ("fileHash" in card) {
    if (card.fileHash !== fileHashOf(file)) problems.push(`fileHash: card ${card.fileHash}, file ${fileHashOf(file)}`);
    if (card.ops.join(",") !== graph.ops.join(",")) {
      problems.push(`ops: card ${card.ops.join(",")}, file ${graph.ops.join(",")}`);
    }
    const { opset, irVersion, bytes } = card.onnx;
    if (opset !== graph.opset || irVersion !== graph.irVersion || bytes !== graph.bytes) {
      problems.push(
        `onnx: card opset ${opset} ir ${irVersion} ${bytes} bytes, ` +
          `file opset ${graph.opset} ir ${graph.irVersion} ${graph.bytes} bytes`,
      );
    }
  }
  return problems;
}

/** The labelled images a card's accuracy is measured on. */
export interface LabelledImages {
  readonly images: IdxImages;
  readonly labels: Uint8Array;
}

const round4 = (x: number): number => Math.round(x * 10000) / 10000;

/**
 * Measures the ONNX file with onnxruntime-node over the whole `testSet` and
 * the shipped `evalSet`, and returns the complete card (fields in a fixed
 * order). Throws if the draft disagrees with the file.
 */
export async function completeFloatCard(
  draft: FloatCardDraft,
  file: Uint8Array,
  testSet: LabelledImages,
  evalSet: LabelledImages,
): Promise<FloatCard> {
  const problems = floatCardMismatches(draft, file);
  if (problems.length > 0) throw new Error(`card ${draft.name} disagrees with its ONNX file: ${problems.join("; ")}`);
  const graph: GraphSummary = summarizeGraph(file);
  const test = await floatAccuracy(file, graph, testSet.images, testSet.labels);
  const evalRun = await floatAccuracy(file, graph, evalSet.images, evalSet.labels);
  return {
    name: draft.name,
    profile: draft.profile,
    dataset: draft.dataset,
    task: draft.task,
    architecture: draft.architecture,
    input: draft.input,
    output: draft.output,
    accuracy: {
      float32: round4(test.accuracy),
      measuredOn: `full test set (${test.count} images)`,
      measuredWith: test.measuredWith,
    },
    testImages: test.count,
    evalSubset: {
      images: EVAL_IMAGES,
      labels: EVAL_LABELS,
      count: evalRun.count,
      source: `first ${evalRun.count} images/labels of the Fashion-MNIST test set (t10k), uncompressed IDX, read as pixel/255`,
      float32Accuracy: round4(evalRun.accuracy),
    },
    onnx: { opset: graph.opset, irVersion: graph.irVersion, bytes: graph.bytes },
    ops: graph.ops,
    training: draft.training,
    fileHash: fileHashOf(file),
  };
}
