/**
 * A small float model built here (src/onnx/builder.ts) whose nodes cover every operator
 * family the float checker knows — dot products (Conv, Gemm, MatMul), averages
 * (AveragePool, GlobalAveragePool, ReduceMean), elementwise arithmetic (Sub, Mul, Add,
 * Sqrt, Div with broadcasting) and exact operators (Relu, MaxPool, Max, Transpose,
 * Flatten, ArgMax) — so that real onnxruntime traces of real images exercise the families
 * the shipped models lack. Weights are seeded, not trained: the checker does not care what
 * the model computes, only how each node rounds.
 */
import onnxProto from "onnx-proto";
import { GraphBuilder } from "../onnx/builder.ts";
import { Rng } from "../vectors/rng.ts";

const { onnx } = onnxProto;
const FLOAT = 1;

/** Little-endian raw_data of fp32 values. */
function rawFloats(values: Float32Array): Uint8Array {
  const out = new Uint8Array(values.length * 4);
  const view = new DataView(out.buffer);
  values.forEach((v, i) => view.setFloat32(4 * i, v, true));
  return out;
}

function randomFloats(rng: Rng, count: number, scale: number): Float32Array {
  return Float32Array.from({ length: count }, () => Math.fround(((rng.u32() / 2 ** 32) * 2 - 1) * scale));
}

export interface ProbeOptions {
  /** Side of the square single-channel input (28 for Fashion-MNIST). */
  readonly side?: number;
  readonly channels?: number;
  readonly hidden?: number;
  readonly seed?: number;
}

export function buildProbeModel(options: ProbeOptions = {}): Uint8Array {
  const side = options.side ?? 28;
  const ch = options.channels ?? 8;
  const hidden = options.hidden ?? 32;
  const rng = new Rng(options.seed ?? 2026);
  const pooled = side / 2;
  if (!Number.isInteger(pooled)) throw new RangeError("the side must be even");
  const b = new GraphBuilder({ opset: 13 });
  const init = (name: string, dims: number[], values: Float32Array) =>
    b.rawInitializer({ name, dims, dataType: FLOAT, rawData: rawFloats(values) });
  init("W1", [ch, 1, 3, 3], randomFloats(rng, ch * 9, 1 / 3));
  init("B1", [ch], randomFloats(rng, ch, 0.1));
  init("eps", [1], Float32Array.of(Math.fround(1e-3)));
  init("Wg", [hidden, ch * pooled * pooled], randomFloats(rng, hidden * ch * pooled * pooled, 1 / Math.sqrt(ch * pooled * pooled)));
  init("Bg", [hidden], randomFloats(rng, hidden, 0.1));
  init("Wm", [hidden, 10], randomFloats(rng, hidden * 10, 1 / Math.sqrt(hidden)));
  const floatAttr = (name: string, f: number) => ({ name, type: onnx.AttributeProto.AttributeType.FLOAT, f });
  return b
    .input("x", FLOAT, [1, 1, side, side])
    .node("Conv", ["x", "W1", "B1"], ["conv"], { pads: [1, 1, 1, 1], kernel_shape: [3, 3] })
    .node("Relu", ["conv"], ["relu"])
    .node("MaxPool", ["relu"], ["pool"], { kernel_shape: [2, 2], strides: [2, 2] })
    .node("AveragePool", ["relu"], ["avg"], { kernel_shape: [3, 3], pads: [1, 1, 1, 1] })
    .node("GlobalAveragePool", ["conv"], ["gap"])
    .node("ReduceMean", ["pool"], ["rowMean"], { axes: [3], keepdims: 1 })
    .node("Sub", ["avg", "gap"], ["centered"])
    .node("Mul", ["centered", "centered"], ["square"])
    .node("Add", ["square", "eps"], ["shifted"])
    .node("Sqrt", ["shifted"], ["root"])
    .node("Div", ["centered", "root"], ["normalized"])
    .node("Max", ["normalized", "relu"], ["larger"])
    .node("Transpose", ["pool"], ["nhwc"], { perm: [0, 2, 3, 1] })
    .node("Flatten", ["pool"], ["flat"])
    .node("Gemm", ["flat", "Wg", "Bg"], ["hidden"], { transB: 1 }, { rawAttributes: [floatAttr("alpha", 0.5)] })
    .node("MatMul", ["hidden", "Wm"], ["logits"])
    .node("ArgMax", ["logits"], ["class"], { axis: 1 })
    .output("class", 7, [1, 1])
    .build();
}
