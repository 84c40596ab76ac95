import onnxProto from "onnx-proto";
// The package is CommonJS: Node's ESM loader cannot see its named export, so
// the value comes from the default import and only types are named.
import type { onnx as pb } from "onnx-proto";
import type { CompiledModel } from "../onnx/compile.ts";
import { at } from "../tensor/at.ts";
import { batchability } from "./batchable.ts";
import { DType } from "../tensor/dtype.ts";
import type { Tensor } from "../tensor/tensor.ts";

const { onnx } = onnxProto;

export interface OrtModelOptions {
  /** Declare every node's output as a graph output, so one run returns the whole trace. */
  readonly allOutputs: boolean;
  /**
   * Give the input and the output a symbolic leading dimension, so one run takes
   * any number of jobs stacked along dimension 0. Only for a model that
   * batchable.ts accepts (throws otherwise); not together with `allOutputs`.
   */
  readonly batch?: boolean;
}

/** The name of the symbolic leading dimension of a batched copy. */
export const BATCH_DIM = "refute_batch";

/**
 * The model as onnxruntime is given it. The committed model (file, graphRoot,
 * descriptors) is never changed; only the copy onnxruntime runs is, in two
 * ways that leave every value the same:
 *
 * 1. Every MatMulInteger whose B is int8 gets B and b_zero_point as uint8
 *    (each value + 128, in fresh initializers of its own):
 *    (a − azp)·((b + 128) − (bzp + 128)) = (a − azp)·(b − bzp), exactly.
 *    onnxruntime's uint8×int8 kernels on x86 CPUs without VNNI sum product
 *    pairs in saturating 16-bit lanes (VPMADDUBSW) and can return something
 *    other than the integer sum, on some hosts only; its uint8×uint8 kernels
 *    are exact everywhere, and an int8 A is flipped to uint8 by onnxruntime
 *    itself. onnxruntime's own fix (session.x64quantprecision) only works at
 *    optimization level "extended" and above, and fails to load models whose
 *    MatMulIntegers share a b_zero_point initializer ("Attempt to replace
 *    the existing tensor"), so the conversion is done here, for every level.
 * 2. With `allOutputs`, every node output is also a graph output, declared
 *    with the dtype and shape the loader inferred.
 * 3. With `batch`, dimension 0 of the input and the output is symbolic, each
 *    Reshape target infers dimension 0, and value_info (which would pin the
 *    intermediate shapes to one job) is dropped. Each job's rows are computed
 *    by the same kernels as alone; batchable.ts says when that is sound.
 *
 * Call only on a compiled (validated) model: B and b_zero_point are constants.
 */
export function ortModelBytes(compiled: CompiledModel, options: OrtModelOptions): Uint8Array {
  const model = onnx.ModelProto.decode(compiled.bytes);
  const graph = model.graph as pb.GraphProto;
  unsignedMatMulWeights(graph, compiled);
  if (options.allOutputs) declareNodeOutputs(graph, compiled);
  if (options.batch === true) {
    if (options.allOutputs) throw new Error("a batched copy declares only the model's output");
    batchLeadingDimension(graph, compiled);
  }
  return onnx.ModelProto.encode(model).finish();
}

const B = 1;
const B_ZERO_POINT = 3;

/** Every name the graph already uses, and a way to make a fresh one. */
function freshNames(graph: pb.GraphProto): (base: string) => string {
  const taken = new Set<string>([
    ...graph.initializer.map((t) => t.name ?? ""),
    ...[...graph.input, ...graph.output, ...graph.valueInfo].map((v) => v.name ?? ""),
    ...graph.node.flatMap((n) => [...(n.input ?? []), ...(n.output ?? [])]),
  ]);
  return (base: string): string => {
    let name = base;
    for (let k = 1; taken.has(name); k++) name = `${base}_${k}`;
    taken.add(name);
    return name;
  };
}

function unsignedMatMulWeights(graph: pb.GraphProto, compiled: CompiledModel): void {
  const fresh = freshNames(graph);
  graph.node.forEach((node, i) => {
    if (compiled.onnxOpTypes[i] !== "MatMulInteger") return;
    const inputs = [...(node.input ?? [])];
    const bIn = inputs[B];
    if (bIn === undefined) throw new Error(`MatMulInteger node ${i} has no B (the loader requires one)`);
    const b = compiled.constants.get(bIn) as Tensor;
    if (b.spec.dtype !== DType.INT8) return;
    const zpName = inputs[B_ZERO_POINT] ?? "";
    const zp = zpName === "" ? undefined : (compiled.constants.get(zpName) as Tensor);
    const bName = fresh(`refute_u8_B_${i}`);
    const zpU8Name = fresh(`refute_u8_b_zero_point_${i}`);
    graph.initializer.push(
      uint8Plus128(bName, b),
      zp === undefined
        ? { name: zpU8Name, dims: [], dataType: DType.UINT8, rawData: Uint8Array.of(128) }
        : uint8Plus128(zpU8Name, zp),
    );
    while (inputs.length <= B_ZERO_POINT) inputs.push("");
    inputs[B] = bName;
    inputs[B_ZERO_POINT] = zpU8Name;
    node.input = inputs;
  });
}

/** An int8 tensor as uint8 with every value + 128 (flipping the top bit), row-major as ONNX stores it. */
function uint8Plus128(name: string, t: Tensor): pb.ITensorProto {
  const raw = new Uint8Array(t.data.length);
  for (let i = 0; i < raw.length; i++) raw[i] = (Number(t.data[i]) + 128) & 0xff;
  return { name, dims: [...t.spec.shape], dataType: DType.UINT8, rawData: raw };
}

function declareNodeOutputs(graph: pb.GraphProto, compiled: CompiledModel): void {
  const declared = new Set(graph.output.map((o) => o.name ?? ""));
  const extra: pb.IValueInfoProto[] = [];
  compiled.outputNames.forEach((name, i) => {
    if (declared.has(name)) return;
    const spec = at(compiled.nodes, i).output; // outputNames and nodes hold one entry per node
    extra.push({
      name,
      type: { tensorType: { elemType: spec.dtype, shape: { dim: spec.shape.map((d) => ({ dimValue: d })) } } },
    });
  });
  graph.output = [...extra, ...graph.output];
}

function batchLeadingDimension(graph: pb.GraphProto, compiled: CompiledModel): void {
  const plan = batchability(compiled);
  if (!plan.ok) throw new Error(`the model cannot run batched: ${plan.reason}`);
  const symbolic = (v: pb.IValueInfoProto): void => {
    const dims = v.type?.tensorType?.shape?.dim;
    const first = dims?.[0];
    if (first === undefined || first === null) throw new Error(`${v.name} has no leading dimension to make symbolic`);
    dims?.splice(0, 1, { dimParam: BATCH_DIM });
  };
  const input = graph.input.find((v) => v.name === compiled.input.name);
  const output = graph.output.find((v) => v.name === compiled.output.name);
  if (input === undefined || output === undefined) throw new Error("the graph lacks its declared input or output");
  symbolic(input);
  symbolic(output);
  graph.valueInfo = [];
  // Each Reshape gets a target of its own (a shared shape initializer may serve other nodes).
  const fresh = freshNames(graph);
  for (const [i, target] of plan.reshapeTargets) {
    const node = graph.node[i];
    if (node === undefined) throw new Error(`no node ${i}`);
    const name = fresh(`refute_batch_shape_${i}`);
    const raw = new Uint8Array(target.length * 8);
    const view = new DataView(raw.buffer);
    target.forEach((d, k) => view.setBigInt64(k * 8, BigInt(d), true));
    graph.initializer.push({ name, dims: [target.length], dataType: DType.INT64, rawData: raw });
    const inputs = [...(node.input ?? [])];
    inputs[1] = name;
    node.input = inputs;
  }
}
