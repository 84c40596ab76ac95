/**
 * A float model's graph as the float checker reads it (src/float/check/node.ts): nodes in
 * graph order with their ONNX attributes decoded by name, the constants (initializers and
 * Constant nodes) as typed tensors, and the input. The integer loader's descriptors keep
 * only the attributes the one-step checks read, as numbers, so the checker reads the file.
 */
import type { onnx as pb } from "onnx-proto";
import { decodeModel, int64Of } from "../../onnx/decode.ts";
import type { Attributes } from "./attributes.ts";
import { attributesOf } from "./onnxAttributes.ts";
import type { FloatNode } from "./node.ts";
import type { NodeTensor } from "./tensor.ts";

const FLOAT = 1;
const INT64 = 7;

export interface GraphNode {
  readonly name: string;
  readonly opType: string;
  readonly inputs: readonly string[];
  readonly output: string;
  readonly attributes: Attributes;
}

export interface FloatGraph {
  readonly model: pb.ModelProto;
  readonly inputName: string;
  readonly inputDims: readonly number[];
  /** Nodes in graph order (Constant nodes are folded into `constants`). */
  readonly nodes: readonly GraphNode[];
  readonly constants: ReadonlyMap<string, NodeTensor>;
}

export class FloatModelError extends Error {
  override readonly name = "FloatModelError";
}

function tensorOf(t: pb.ITensorProto): NodeTensor {
  const dims = (t.dims ?? []).map((d) => Number(int64Of(d as number)));
  const count = dims.reduce((a, b) => a * b, 1);
  // A copy, aligned and of its own: protobufjs hands out Buffers that share one pool.
  const raw = new Uint8Array(t.rawData ?? new Uint8Array(0));
  if (t.dataType === FLOAT) {
    if (raw.length > 0) {
      if (raw.length !== 4 * count) throw new FloatModelError(`${t.name}: ${raw.length} bytes for ${count} floats`);
      return { dims, data: new Float32Array(raw.buffer, 0, count) };
    }
    return { dims, data: Float32Array.from(t.floatData ?? []) };
  }
  if (t.dataType === INT64) {
    if (raw.length > 0) {
      if (raw.length !== 8 * count) throw new FloatModelError(`${t.name}: ${raw.length} bytes for ${count} int64`);
      return { dims, data: new BigInt64Array(raw.buffer, 0, count) };
    }
    return { dims, data: BigInt64Array.from((t.int64Data ?? []).map((v) => int64Of(v as number))) };
  }
  throw new FloatModelError(`${t.name}: element type ${t.dataType} is neither float nor int64`);
}

/** Reads a float model's nodes, constants and input. */
export function loadFloatGraph(bytes: Uint8Array): FloatGraph {
  const model = decodeModel(bytes);
  const graph = model.graph;
  if (graph === null || graph === undefined) throw new FloatModelError("the model has no graph");
  const constants = new Map<string, NodeTensor>();
  for (const init of graph.initializer ?? []) constants.set(init.name ?? "", tensorOf(init));
  const input = (graph.input ?? []).find((v) => !constants.has(v.name ?? ""));
  if (input === undefined) throw new FloatModelError("the model has no input");
  const inputDims = (input.type?.tensorType?.shape?.dim ?? []).map((d) => {
    const v = Number(int64Of(d.dimValue as number));
    if (!(v > 0)) throw new FloatModelError(`input ${input.name} has a symbolic dimension`);
    return v;
  });
  const nodes: GraphNode[] = [];
  for (const [i, node] of (graph.node ?? []).entries()) {
    const output = node.output?.[0];
    if (output === undefined || output === "") throw new FloatModelError(`node ${i} has no output`);
    if (node.opType === "Constant") {
      const value = (node.attribute ?? []).find((a) => a.name === "value")?.t;
      if (value === null || value === undefined) throw new FloatModelError(`Constant node ${i} has no tensor value`);
      constants.set(output, tensorOf(value));
      continue;
    }
    nodes.push({
      name: node.name ?? `node_${i}`,
      opType: node.opType ?? "",
      inputs: [...(node.input ?? [])],
      output,
      attributes: attributesOf(node),
    });
  }
  return { model, inputName: input.name ?? "", inputDims, nodes, constants };
}

/** The checker's view of node i of a trace. */
export function floatNodeOf(node: GraphNode, values: ReadonlyMap<string, NodeTensor>): FloatNode {
  const output = values.get(node.output);
  if (output === undefined) throw new FloatModelError(`no value for ${node.output}`);
  return {
    opType: node.opType,
    attributes: node.attributes,
    inputs: node.inputs.map((name) => {
      if (name === "") return undefined;
      const v = values.get(name);
      if (v === undefined) throw new FloatModelError(`${node.name}: no value for input ${name}`);
      return v;
    }),
    output,
  };
}
