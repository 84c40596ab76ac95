/**
 * Float traces for the float-noise bench: a float ONNX model run under onnxruntime-node
 * with every node output declared as a graph output (as src/trace/rewrite.ts does for the
 * integer profile), then every node checked against its own inputs from the same run with
 * the float checker (src/float/check/). The graph itself is read by src/float/check/graph.ts.
 */
import onnxProto from "onnx-proto";
// The package is CommonJS: Node's ESM loader cannot see its named export, so
// the value comes from the default import and only types are named.
import type { onnx as pb } from "onnx-proto";
import * as ort from "onnxruntime-node";
import { floatNodeOf, FloatModelError, type FloatGraph, type GraphNode } from "../float/check/graph.ts";
import { checkNode, type NodeCheck } from "../float/check/node.ts";
import type { NodeTensor } from "../float/check/tensor.ts";
import type { NumericsPolicy } from "../float/policy.ts";
import { resolveExecutionConfig, sessionOptionsFor, type ExecutionConfig } from "../trace/sessionOptions.ts";

export { floatNodeOf, FloatModelError, loadFloatGraph, type FloatGraph, type GraphNode } from "../float/check/graph.ts";

const { onnx } = onnxProto;
const FLOAT = 1;
const INT64 = 7;

/** The model as onnxruntime runs it for a trace: every node output is also a graph output. */
export function traceModelBytes(g: FloatGraph): Uint8Array {
  const model = onnx.ModelProto.decode(onnx.ModelProto.encode(g.model).finish());
  const graph = model.graph as pb.GraphProto;
  const declared = new Set(graph.output.map((o) => o.name ?? ""));
  for (const node of g.nodes) {
    if (declared.has(node.output)) continue;
    const elemType = node.opType === "ArgMax" ? INT64 : FLOAT;
    graph.output.push({ name: node.output, type: { tensorType: { elemType } } });
  }
  return onnx.ModelProto.encode(model).finish();
}

export interface FloatTraceSession {
  readonly graph: FloatGraph;
  readonly session: ort.InferenceSession;
  readonly config: ReturnType<typeof resolveExecutionConfig>;
}

export async function openTraceSession(g: FloatGraph, config: ExecutionConfig): Promise<FloatTraceSession> {
  const resolved = resolveExecutionConfig(config);
  const session = await ort.InferenceSession.create(traceModelBytes(g), sessionOptionsFor(resolved));
  return { graph: g, session, config: resolved };
}

/** Every value of one run: the input, the constants and each node's output. */
export async function runFloatTrace(s: FloatTraceSession, input: Float32Array): Promise<Map<string, NodeTensor>> {
  const { graph } = s;
  const results = await s.session.run({ [graph.inputName]: new ort.Tensor("float32", input, [...graph.inputDims]) });
  const values = new Map<string, NodeTensor>(graph.constants);
  values.set(graph.inputName, { dims: graph.inputDims, data: input });
  for (const node of graph.nodes) {
    const value = results[node.output];
    if (value === undefined) throw new FloatModelError(`onnxruntime returned no value for ${node.output}`);
    const data = value.data;
    if (!(data instanceof Float32Array) && !(data instanceof BigInt64Array)) {
      throw new FloatModelError(`${node.output}: onnxruntime returned ${value.type}`);
    }
    values.set(node.output, { dims: value.dims.map(Number), data });
  }
  return values;
}

export interface TraceCheck {
  readonly node: GraphNode;
  readonly result: NodeCheck;
}

/** Checks every node of a trace against its inputs from the same run. */
export function checkFloatTrace(
  g: FloatGraph,
  values: ReadonlyMap<string, NodeTensor>,
  policy?: NumericsPolicy,
): TraceCheck[] {
  return g.nodes.map((node) => ({
    node,
    result: checkNode(floatNodeOf(node, values), policy === undefined ? {} : { policy }),
  }));
}
