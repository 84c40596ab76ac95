/**
 * Serialises the float MLP (mlp.ts) as a float32 ONNX graph, the form
 * torch.onnx.export gives a Linear/ReLU stack, so the float32 profile's two
 * shipped models share one Gemm convention:
 *
 *   input [1,1,28,28] → Flatten → Gemm(W1ᵀ, b1, transB=1) → Relu → Gemm(W2ᵀ, b2, transB=1) → logits [1,10]
 *
 * Deterministic: the same weights give the same bytes.
 */
import onnxProto from "onnx-proto";
// The package is CommonJS: Node's ESM loader cannot see its named export, so
// the value comes from the default import and only types are named.
import type { onnx as pb } from "onnx-proto";
import { GraphBuilder } from "../onnx/builder.ts";
import type { Mlp } from "./mlp.ts";

const FLOAT = onnxProto.onnx.TensorProto.DataType.FLOAT;

export const FLOAT_OPSET = 17;
export const FLOAT_INPUT_NAME = "input";
export const FLOAT_OUTPUT_NAME = "logits";
export const FLOAT_INPUT_SHAPE = [1, 1, 28, 28] as const;
/** Op types in node order. */
export const FLOAT_GRAPH_OPS = ["Flatten", "Gemm", "Relu", "Gemm"] as const;

/** A float32 initializer holding `values` row-major. */
function floatTensor(name: string, dims: number[], values: Float32Array): pb.ITensorProto {
  if (values.length !== dims.reduce((a, b) => a * b, 1)) throw new Error(`${name}: size mismatch`);
  // raw_data is little-endian by spec; write it explicitly rather than rely on the host.
  const raw = new Uint8Array(4 * values.length);
  const view = new DataView(raw.buffer);
  for (let i = 0; i < values.length; i++) view.setFloat32(4 * i, values[i]!, true);
  return { name, dims, dataType: FLOAT, rawData: raw };
}

/** `w` stored [rows, cols] row-major, returned [cols, rows] row-major. */
function transposed(w: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(w.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = w[r * cols + c]!;
  return out;
}

export function buildFloatGraph(m: Mlp, modelName = "fmnist-mlp-f32"): Uint8Array {
  const { inputs, hidden, outputs } = m;
  if (inputs !== 28 * 28) throw new Error(`expected 784 inputs, got ${inputs}`);
  return (
    new GraphBuilder({ opset: FLOAT_OPSET, graphName: modelName, producerName: "refute-train" })
      .input(FLOAT_INPUT_NAME, FLOAT, FLOAT_INPUT_SHAPE)
      // Gemm's B is [N, K] with transB = 1, as PyTorch stores a Linear weight.
      .rawInitializer(floatTensor("fc1.weight", [hidden, inputs], transposed(m.w1, inputs, hidden)))
      .rawInitializer(floatTensor("fc1.bias", [hidden], m.b1))
      .rawInitializer(floatTensor("fc2.weight", [outputs, hidden], transposed(m.w2, hidden, outputs)))
      .rawInitializer(floatTensor("fc2.bias", [outputs], m.b2))
      .node("Flatten", [FLOAT_INPUT_NAME], ["x_flat"], { axis: 1 }, { name: "flatten" })
      .node("Gemm", ["x_flat", "fc1.weight", "fc1.bias"], ["fc1_out"], { transB: 1 }, { name: "fc1" })
      .node("Relu", ["fc1_out"], ["hidden"], {}, { name: "relu" })
      .node("Gemm", ["hidden", "fc2.weight", "fc2.bias"], [FLOAT_OUTPUT_NAME], { transB: 1 }, { name: "fc2" })
      .valueInfo("x_flat", FLOAT, [1, inputs])
      .valueInfo("fc1_out", FLOAT, [1, hidden])
      .valueInfo("hidden", FLOAT, [1, hidden])
      .output(FLOAT_OUTPUT_NAME, FLOAT, [1, outputs])
      .build()
  );
}
