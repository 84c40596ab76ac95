/**
 * The float checker's view of one node of a compiled float32 model's trace: its ONNX
 * operator and attributes, its operands (the job input, constants, earlier nodes' outputs of
 * the same trace) and its claimed output. The committed descriptors hold the attributes in
 * the protocol's encoding (§11.7); the checker reads them by their ONNX names, so they are
 * read from the model file, once per compiled model.
 */
import type { CompiledModel } from "../../onnx/compile.ts";
import { decodeModel } from "../../onnx/decode.ts";
import type { Tensor } from "../../tensor/tensor.ts";
import type { Attributes } from "./attributes.ts";
import type { FloatNode } from "./node.ts";
import { attributesOf } from "./onnxAttributes.ts";
import { CheckInputError, type NodeTensor } from "./tensor.ts";

/** A trace as node outputs in graph order, one per compiled node, and the job input. */
export interface NodeOutputs {
  readonly input: Tensor;
  readonly nodeOutputs: readonly Tensor[];
}

const attributeCache = new WeakMap<CompiledModel, readonly Attributes[]>();

/** Per compiled node, its ONNX attributes (nodes matched by their output name). */
function attributesOfModel(compiled: CompiledModel): readonly Attributes[] {
  let cached = attributeCache.get(compiled);
  if (cached === undefined) {
    const byOutput = new Map<string, Attributes>();
    for (const node of decodeModel(compiled.bytes).graph?.node ?? []) {
      const output = node.output?.[0];
      if (output !== undefined && output !== "") byOutput.set(output, attributesOf(node));
    }
    cached = compiled.outputNames.map((name, i) => {
      const attrs = byOutput.get(name);
      if (attrs === undefined) throw new CheckInputError(`node ${i}: no ONNX node outputs ${name}`);
      return attrs;
    });
    attributeCache.set(compiled, cached);
  }
  return cached;
}

/** A float32 or int64 tensor as the checker reads it (in place). */
export function nodeTensorOf(t: Tensor, what: string): NodeTensor {
  if (!(t.data instanceof Float32Array) && !(t.data instanceof BigInt64Array)) {
    throw new CheckInputError(`${what} is neither float32 nor int64: not a float32 model's value`);
  }
  return { dims: t.spec.shape, data: t.data };
}

/** Node `i` of the trace as the float checker takes it. */
export function floatNodeOfTrace(compiled: CompiledModel, trace: NodeOutputs, i: number): FloatNode {
  const names = compiled.inputNames[i];
  const output = trace.nodeOutputs[i];
  if (names === undefined || output === undefined) {
    throw new RangeError(
      `no node ${i} (the model has ${compiled.nodes.length}, the trace ${trace.nodeOutputs.length})`,
    );
  }
  const attributes = attributesOfModel(compiled)[i] ?? {};
  const inputs = names.map((name, k) => {
    if (name === null) return undefined;
    if (name === compiled.input.name) return nodeTensorOf(trace.input, "the job input");
    const constant = compiled.constants.get(name);
    if (constant !== undefined) return nodeTensorOf(constant, `constant ${name}`);
    const from = compiled.outputNames.indexOf(name);
    const value = from >= 0 && from < i ? trace.nodeOutputs[from] : undefined;
    if (value === undefined) throw new CheckInputError(`node ${i} input ${k} (${name}) has no earlier producer`);
    return nodeTensorOf(value, `node ${from}'s output`);
  });
  return {
    opType: compiled.onnxOpTypes[i] ?? "",
    attributes,
    inputs,
    output: nodeTensorOf(output, `node ${i}'s output`),
  };
}
