/**
 * Small float32 models built in TypeScript (src/onnx/builder.ts), shaped like what
 * PyTorch exports for a CNN and an MLP: the loader, compiler, trace and CLI tests of the
 * float32 profile run on them.
 */
import { GraphBuilder } from "../../src/onnx/builder.ts";
import { DType } from "../../src/tensor/dtype.ts";
import { Layout } from "../../src/tensor/spec.ts";
import { Tensor } from "../../src/tensor/tensor.ts";
import { Rng } from "../../src/vectors/rng.ts";

const { FLOAT, INT64 } = DType;

/** A row-major float32 tensor of `values`. */
export function f32(shape: number[], values: ArrayLike<number>): Tensor {
  return new Tensor({ dtype: FLOAT, layout: Layout.ROW_MAJOR, shape }, Float32Array.from(values));
}

/** `n` pseudo-random values in [−scale, scale), deterministic per seed. */
export function randomValues(seed: number, n: number, scale = 1): Float32Array {
  const rng = new Rng(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = (rng.float() * 2 - 1) * scale;
  return out;
}

export interface MlpWeights {
  readonly w1: Float32Array; // [IN, HID], MatMul's B
  readonly b1: Float32Array; // [HID]
  readonly w2: Float32Array; // [OUT, HID], Gemm's B with transB = 1 (nn.Linear)
  readonly b2: Float32Array; // [OUT]
}

export const MLP = { IN: 16, HID: 8, OUT: 4 } as const;

export function mlpWeights(seed = 1): MlpWeights {
  return {
    w1: randomValues(seed, MLP.IN * MLP.HID, 0.5),
    b1: randomValues(seed + 1, MLP.HID, 0.1),
    w2: randomValues(seed + 2, MLP.OUT * MLP.HID, 0.5),
    b2: randomValues(seed + 3, MLP.OUT, 0.1),
  };
}

/** x [1, 16] → MatMul → Add → Relu → Gemm (transB = 1) → logits [1, 4] (→ ArgMax [1, 1] with `argMax`). */
export function floatMlp(opts: { argMax?: boolean; opset?: number; weights?: MlpWeights } = {}): Uint8Array {
  const w = opts.weights ?? mlpWeights();
  const b = new GraphBuilder({ opset: opts.opset ?? 17 })
    .input("x", FLOAT, [1, MLP.IN])
    .initializer("w1", f32([MLP.IN, MLP.HID], w.w1))
    .initializer("b1", f32([MLP.HID], w.b1))
    .initializer("w2", f32([MLP.OUT, MLP.HID], w.w2))
    .initializer("b2", f32([MLP.OUT], w.b2))
    .node("MatMul", ["x", "w1"], ["h0"])
    .node("Add", ["h0", "b1"], ["h1"])
    .node("Relu", ["h1"], ["h"])
    .node("Gemm", ["h", "w2", "b2"], ["logits"], { alpha: { float: 1 }, beta: { float: 1 }, transB: 1 });
  if (opts.argMax === true) {
    return b.node("ArgMax", ["logits"], ["label"], { axis: 1, keepdims: 1 }).output("label", INT64, [1, 1]).build();
  }
  return b.output("logits", FLOAT, [1, MLP.OUT]).build();
}

/** The MLP of `floatMlp` in float64, for comparing onnxruntime's float32 result within a tolerance. */
export function mlpReference(w: MlpWeights, x: ArrayLike<number>): number[] {
  const h: number[] = [];
  for (let j = 0; j < MLP.HID; j++) {
    let s = 0;
    for (let k = 0; k < MLP.IN; k++) s += (x[k] as number) * (w.w1[k * MLP.HID + j] as number);
    h.push(Math.max(0, s + (w.b1[j] as number)));
  }
  const out: number[] = [];
  for (let o = 0; o < MLP.OUT; o++) {
    let s = 0;
    for (let k = 0; k < MLP.HID; k++) s += (h[k] as number) * (w.w2[o * MLP.HID + k] as number);
    out.push(s + (w.b2[o] as number));
  }
  return out;
}

/**
 * x [1, 1, 8, 8] → Conv (4 filters 3×3, pads 1) → Relu → MaxPool 2×2 → Flatten →
 * Gemm (transB = 1) → logits [1, 3]: a Fashion-MNIST-style CNN in miniature.
 */
export function floatCnn(opts: { opset?: number } = {}): Uint8Array {
  return new GraphBuilder({ opset: opts.opset ?? 17 })
    .input("x", FLOAT, [1, 1, 8, 8])
    .initializer("cw", f32([4, 1, 3, 3], randomValues(11, 36, 0.5)))
    .initializer("cb", f32([4], randomValues(12, 4, 0.1)))
    .initializer("fw", f32([3, 64], randomValues(13, 192, 0.25)))
    .initializer("fb", f32([3], randomValues(14, 3, 0.1)))
    .node("Conv", ["x", "cw", "cb"], ["c"], {
      kernel_shape: [3, 3],
      pads: [1, 1, 1, 1],
      strides: [1, 1],
      dilations: [1, 1],
      group: 1,
    })
    .node("Relu", ["c"], ["r"])
    .node("MaxPool", ["r"], ["p"], { kernel_shape: [2, 2], strides: [2, 2] })
    .node("Flatten", ["p"], ["f"], { axis: 1 })
    .node("Gemm", ["f", "fw", "fb"], ["logits"], { transB: 1 })
    .output("logits", FLOAT, [1, 3])
    .build();
}
