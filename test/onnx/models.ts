/**
 * Small integer models for the loader, compiler, trace and CLI tests, built
 * with src/onnx/builder.ts. `mlpModel` has the shape of the shipped
 * Fashion-MNIST classifier (Flatten → MatMulInteger → Add → Mul → Div → Clip →
 * Cast → MatMulInteger → Add → ArgMax) at a size that runs in milliseconds.
 */
import { GraphBuilder } from "../../src/onnx/builder.ts";
import { DType } from "../../src/tensor/dtype.ts";
import { Layout, type TensorSpec } from "../../src/tensor/spec.ts";
import { Tensor } from "../../src/tensor/tensor.ts";
import { Rng } from "../../src/vectors/rng.ts";

export function tensor(dtype: DType, shape: number[], values: readonly (number | bigint)[]): Tensor {
  const spec: TensorSpec = { dtype, layout: Layout.ROW_MAJOR, shape };
  return Tensor.fromBigInts(
    spec,
    values.map((v) => BigInt(v)),
  );
}

export function randomTensor(rng: Rng, dtype: DType, shape: number[], lo: number, hi: number): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const values: bigint[] = [];
  for (let i = 0; i < n; i++) values.push(BigInt(lo + rng.int(hi - lo + 1)));
  return tensor(dtype, shape, values);
}

export interface MlpOptions {
  readonly seed?: number;
  readonly rows?: number;
  readonly cols?: number;
  readonly hidden?: number;
  readonly classes?: number;
  readonly opset?: number;
}

/** An int8 MLP classifier over a [1, rows, cols] int8 input; output int64 [1] (the class). */
export function mlpModel(options: MlpOptions = {}): Uint8Array {
  const { seed = 7, rows = 6, cols = 6, hidden = 12, classes = 5, opset = 13 } = options;
  const rng = new Rng(seed);
  const inputs = rows * cols;
  return new GraphBuilder({ opset })
    .input("input", DType.INT8, [1, rows, cols])
    .initializer("W1", randomTensor(rng, DType.INT8, [inputs, hidden], -127, 127))
    .initializer("x_zero_point", tensor(DType.INT8, [], [0]))
    .initializer("w_zero_point", tensor(DType.INT8, [], [0]))
    .initializer("b1", randomTensor(rng, DType.INT32, [hidden], -5000, 5000))
    .initializer("M1", tensor(DType.INT32, [], [77]))
    .initializer("D1", tensor(DType.INT32, [], [65536]))
    .initializer("relu_min", tensor(DType.INT32, [], [0]))
    .initializer("relu_max", tensor(DType.INT32, [], [127]))
    .initializer("W2", randomTensor(rng, DType.INT8, [hidden, classes], -127, 127))
    .initializer("b2", randomTensor(rng, DType.INT32, [classes], -5000, 5000))
    .node("Flatten", ["input"], ["x_flat"], { axis: 1 }, { name: "flatten" })
    .node("MatMulInteger", ["x_flat", "W1", "x_zero_point", "w_zero_point"], ["fc1_acc"], {}, { name: "fc1_matmul" })
    .node("Add", ["fc1_acc", "b1"], ["fc1_out"], {}, { name: "fc1_bias" })
    .node("Mul", ["fc1_out", "M1"], ["requant_scaled"], {}, { name: "requant_mul" })
    .node("Div", ["requant_scaled", "D1"], ["requant_shifted"], {}, { name: "requant_div" })
    .node("Clip", ["requant_shifted", "relu_min", "relu_max"], ["relu_out"], {}, { name: "relu_clip" })
    .node("Cast", ["relu_out"], ["hidden"], { to: DType.INT8 }, { name: "to_int8" })
    .node("MatMulInteger", ["hidden", "W2", "x_zero_point", "w_zero_point"], ["fc2_acc"], {}, { name: "fc2_matmul" })
    .node("Add", ["fc2_acc", "b2"], ["logits"], {}, { name: "fc2_bias" })
    .node("ArgMax", ["logits"], ["class"], { axis: 1, keepdims: 0, select_last_index: 0 }, { name: "argmax" })
    .output("class", DType.INT64, [1])
    .build();
}

/** A random int8 input for `mlpModel`. */
export function mlpInput(seed = 1, rows = 6, cols = 6): Tensor {
  return randomTensor(new Rng(seed), DType.INT8, [1, rows, cols], -128, 127);
}
