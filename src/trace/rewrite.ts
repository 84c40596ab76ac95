import onnxProto from "onnx-proto";
// The package is CommonJS: Node's ESM loader cannot see its named export, so
// the value comes from the default import and only types are named.
import type { onnx as pb } from "onnx-proto";
import type { CompiledModel } from "../onnx/compile.ts";
import { at } from "../tensor/at.ts";
import { DType } from "../tensor/dtype.ts";
import type { Tensor } from "../tensor/tensor.ts";

const { onnx } = onnxProto;

export interface OrtModelOptions {
  /** Declare every node's output as a graph output, so one run returns the whole trace. */
  readonly allOutputs: boolean;
}

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
 *
 * Call only on a compiled (validated) model: B and b_zero_point are constants.
 */
export function ortModelBytes(compiled: CompiledModel, options: OrtModelOptions): Uint8Array {
  const model = onnx.ModelProto.decode(compiled.bytes);
  const graph = model.graph as pb.GraphProto;
  unsignedMatMulWeights(graph, compiled);
  if (options.allOutputs) declareNodeOutputs(graph, compiled);
  return onnx.ModelProto.encode(model).finish();
}

const B = 1;
const B_ZERO_POINT = 3;

function unsignedMatMulWeights(graph: pb.GraphProto, compiled: CompiledModel): void {
  const taken = new Set<string>([
    ...graph.initializer.map((t) => t.name ?? ""),
    ...[...graph.input, ...graph.output, ...graph.valueInfo].map((v) => v.name ?? ""),
    ...graph.node.flatMap((n) => [...(n.input ?? []), ...(n.output ?? [])]),
  ]);
  const fresh = (base: string): string => {
    let name = base;
    for (let k = 1; taken.has(name); k++) name = `${base}_${k}`;
    taken.add(name);
    return name;
  };
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
