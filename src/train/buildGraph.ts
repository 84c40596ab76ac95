/**
 * Serialises a QuantizedMlp as an integer-only ONNX model.
 *
 * Constraints the fraud-proof verifier relies on (and which we assert here,
 * not just by convention):
 *   - opset 13, default domain only, IR version 8;
 *   - every shape static, batch fixed to 1;
 *   - no float tensor anywhere (inputs, outputs, intermediates, initializers);
 *   - one graph output, unique node and value names.
 */
import onnxProto from "onnx-proto";
// The package is CommonJS: Node's ESM loader cannot see its named export,
// so the value comes from the default import and only types are named.
import type { onnx as pb } from "onnx-proto";
import type { QuantizedMlp } from "./quantize.js";

const { onnx } = onnxProto;
const DT = onnx.TensorProto.DataType;
type DataType = pb.TensorProto.DataType;

export const OPSET_VERSION = 13;
export const IR_VERSION = 8;
export const INPUT_NAME = "input";
export const OUTPUT_NAME = "class";

/** Op types in graph order, for the model card and the verifier's allow-list. */
export const GRAPH_OPS = [
  "Flatten",
  "MatMulInteger",
  "Add",
  "Mul",
  "Div",
  "Clip",
  "Cast",
  "MatMulInteger",
  "Add",
  "ArgMax",
] as const;

const INTEGER_TYPES: ReadonlySet<number> = new Set([DT.INT8, DT.INT32, DT.INT64]);

function int8Tensor(name: string, dims: number[], data: Int8Array): pb.ITensorProto {
  if (data.length !== dims.reduce((a, b) => a * b, 1)) throw new Error(`${name}: size mismatch`);
  return {
    name,
    dims,
    dataType: DT.INT8,
    // Copy so the proto owns exactly these bytes, not a view into a larger buffer.
    rawData: new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice(),
  };
}

function int32Tensor(name: string, dims: number[], data: Int32Array): pb.ITensorProto {
  if (data.length !== dims.reduce((a, b) => a * b, 1)) throw new Error(`${name}: size mismatch`);
  // raw_data is little-endian by spec; write it explicitly rather than rely
  // on the host's byte order.
  const raw = new Uint8Array(4 * data.length);
  const view = new DataView(raw.buffer);
  for (let i = 0; i < data.length; i++) view.setInt32(4 * i, data[i]!, true);
  return { name, dims, dataType: DT.INT32, rawData: raw };
}

function valueInfo(name: string, elemType: DataType, shape: number[]): pb.IValueInfoProto {
  return {
    name,
    type: { tensorType: { elemType, shape: { dim: shape.map((d) => ({ dimValue: d })) } } },
  };
}

function intAttr(name: string, i: number): pb.IAttributeProto {
  return { name, type: onnx.AttributeProto.AttributeType.INT, i };
}

function node(
  opType: string,
  name: string,
  input: string[],
  output: string,
  attribute: pb.IAttributeProto[] = [],
): pb.INodeProto {
  return { opType, name, input, output: [output], attribute, domain: "" };
}

export function buildGraph(q: QuantizedMlp, modelName = "fmnist-mlp"): pb.IModelProto {
  const { inputs, hidden: H, outputs } = q;
  if (inputs !== 28 * 28) throw new Error(`expected 784 inputs, got ${inputs}`);

  const initializer = [
    int8Tensor("W1", [inputs, H], q.w1),
    int8Tensor("x_zero_point", [], Int8Array.of(0)),
    int8Tensor("w_zero_point", [], Int8Array.of(0)),
    int32Tensor("b1", [H], q.b1),
    int32Tensor("M1", [], Int32Array.of(q.m1)),
    int32Tensor("D1", [], Int32Array.of(q.d1)),
    int32Tensor("relu_min", [], Int32Array.of(0)),
    int32Tensor("relu_max", [], Int32Array.of(127)),
    int8Tensor("W2", [H, outputs], q.w2),
    int32Tensor("b2", [outputs], q.b2),
  ];

  const nodes = [
    node("Flatten", "flatten", [INPUT_NAME], "x_flat", [intAttr("axis", 1)]),
    node("MatMulInteger", "fc1_matmul", ["x_flat", "W1", "x_zero_point", "w_zero_point"], "fc1_acc"),
    node("Add", "fc1_bias", ["fc1_acc", "b1"], "fc1_out"),
    node("Mul", "requant_mul", ["fc1_out", "M1"], "requant_scaled"),
    node("Div", "requant_div", ["requant_scaled", "D1"], "requant_shifted"),
    node("Clip", "relu_clip", ["requant_shifted", "relu_min", "relu_max"], "relu_out"),
    node("Cast", "to_int8", ["relu_out"], "hidden", [intAttr("to", DT.INT8)]),
    // The hidden activations are 0..127, so x_zero_point (0) is the right
    // zero point for them too; sharing the initializer keeps the graph small.
    node("MatMulInteger", "fc2_matmul", ["hidden", "W2", "x_zero_point", "w_zero_point"], "fc2_acc"),
    node("Add", "fc2_bias", ["fc2_acc", "b2"], "logits"),
    node("ArgMax", "argmax", ["logits"], OUTPUT_NAME, [
      intAttr("axis", 1),
      intAttr("keepdims", 0),
      intAttr("select_last_index", 0),
    ]),
  ];

  const intermediates = [
    valueInfo("x_flat", DT.INT8, [1, inputs]),
    valueInfo("fc1_acc", DT.INT32, [1, H]),
    valueInfo("fc1_out", DT.INT32, [1, H]),
    valueInfo("requant_scaled", DT.INT32, [1, H]),
    valueInfo("requant_shifted", DT.INT32, [1, H]),
    valueInfo("relu_out", DT.INT32, [1, H]),
    valueInfo("hidden", DT.INT8, [1, H]),
    valueInfo("fc2_acc", DT.INT32, [1, outputs]),
    valueInfo("logits", DT.INT32, [1, outputs]),
  ];

  const model: pb.IModelProto = {
    irVersion: IR_VERSION,
    opsetImport: [{ domain: "", version: OPSET_VERSION }],
    producerName: "refute-train",
    // Fixed, not a timestamp or package version: the file must be
    // byte-identical across reruns with the same seed.
    producerVersion: "1",
    graph: {
      name: modelName,
      node: nodes,
      initializer,
      input: [valueInfo(INPUT_NAME, DT.INT8, [1, 28, 28])],
      output: [valueInfo(OUTPUT_NAME, DT.INT64, [1])],
      valueInfo: intermediates,
    },
  };
  checkGraph(model);
  return model;
}

/** Structural checks on the invariants listed at the top of this file. */
export function checkGraph(model: pb.IModelProto): void {
  const g = model.graph;
  if (g == null) throw new Error("model has no graph");
  const ops = model.opsetImport ?? [];
  if (ops.length !== 1 || (ops[0]!.domain ?? "") !== "" || Number(ops[0]!.version) !== OPSET_VERSION) {
    throw new Error("model must import exactly the default domain at opset 13");
  }
  if ((g.output ?? []).length !== 1) throw new Error("graph must have exactly one output");

  const names = new Set<string>();
  const claim = (n: string, what: string): void => {
    if (n === "") throw new Error(`empty ${what} name`);
    if (names.has(n)) throw new Error(`duplicate name ${n} (${what})`);
    names.add(n);
  };
  for (const t of g.initializer ?? []) {
    claim(t.name ?? "", "initializer");
    if (!INTEGER_TYPES.has(t.dataType ?? -1)) throw new Error(`initializer ${t.name} is not an integer tensor`);
  }
  for (const v of [...(g.input ?? []), ...(g.output ?? []), ...(g.valueInfo ?? [])]) {
    const tt = v.type?.tensorType;
    if (tt == null || !INTEGER_TYPES.has(tt.elemType ?? -1))
      throw new Error(`value ${v.name} is not an integer tensor`);
    for (const d of tt.shape?.dim ?? []) {
      if (d.dimValue == null || Number(d.dimValue) <= 0) throw new Error(`value ${v.name} has a non-static dimension`);
    }
  }
  for (const v of g.input ?? []) claim(v.name ?? "", "graph input");
  const nodeNames = new Set<string>();
  for (const n of g.node ?? []) {
    if ((n.domain ?? "") !== "") throw new Error(`node ${n.name} is outside the default domain`);
    if (n.name == null || n.name === "" || nodeNames.has(n.name))
      throw new Error(`node name ${n.name} missing or duplicated`);
    nodeNames.add(n.name);
    for (const o of n.output ?? []) claim(o, `output of ${n.name}`);
    if (n.opType === "Cast") {
      const to = (n.attribute ?? []).find((a) => a.name === "to");
      if (to == null || !INTEGER_TYPES.has(Number(to.i))) throw new Error("Cast must target an integer type");
    }
  }
}

export function encodeModel(model: pb.IModelProto): Uint8Array {
  return onnx.ModelProto.encode(onnx.ModelProto.create(model)).finish();
}
