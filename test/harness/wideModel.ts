import { GraphBuilder } from "../../src/onnx/builder.ts";
import { compileModel, type CompiledModel } from "../../src/onnx/compile.ts";
import { DType } from "../../src/tensor/dtype.ts";
import { Layout } from "../../src/tensor/spec.ts";
import { Tensor } from "../../src/tensor/tensor.ts";
import { Rng } from "../../src/vectors/rng.ts";

/**
 * A two-node integer model with one large intermediate output, for games that
 * need the k-ary reveal (the shipped model's outputs are all ≤ 64 words):
 * x int8 [1,K] → MatMulInteger(W int8 [K,N]) → y int32 [1,N] → ArgMax → int64 [1].
 * Node 0's output is N·4 bytes, so N ≥ 513 makes it more than 64 words; the loader
 * bounds ArgMax rows at 4096, so N ≤ 4096 (at most 512 words, depth 9).
 */
export function wideModel(n: number, k = 16, seed = n): CompiledModel {
  const rng = new Rng(seed);
  // Weights in −64 … 63: the profile's bound for int8 MatMulInteger B (docs/PROTOCOL.md §6).
  const w = new Int8Array(k * n).map(() => rng.int(128) - 64);
  const bytes = new GraphBuilder({ opset: 14 })
    .input("x", DType.INT8, [1, k])
    .initializer("W", new Tensor({ dtype: DType.INT8, layout: Layout.ROW_MAJOR, shape: [k, n] }, w))
    .node("MatMulInteger", ["x", "W"], ["y"], {}, { name: "wide" })
    .node("ArgMax", ["y"], ["cls"], { axis: -1, keepdims: 0 }, { name: "argmax" })
    .output("cls", DType.INT64, [1])
    .build();
  return compileModel(bytes);
}

/** A random int8 input of a wide model. */
export function wideInput(compiled: CompiledModel, rng: Rng): Tensor {
  const n = compiled.input.shape.reduce((a, b) => a * b, 1);
  return new Tensor(
    compiled.input,
    new Int8Array(n).map(() => rng.int(256) - 128),
  );
}
