/** src/onnx/builder.ts: the bytes decode to the intended ModelProto, and onnxruntime runs them. */
import assert from "node:assert/strict";
import { test } from "node:test";
import onnxProto from "onnx-proto";
import type { onnx as pb } from "onnx-proto";
import { GraphBuilder, rawDataOf } from "../../src/onnx/builder.ts";
import { DType } from "../../src/tensor/dtype.ts";
import { Layout } from "../../src/tensor/spec.ts";
import { Tensor } from "../../src/tensor/tensor.ts";
import { runModel } from "./ort.ts";

const { onnx } = onnxProto;

/** protobufjs hands int64 fields out as number or Long; both print as decimal. */
const toBig = (v: number | { toString(): string } | null | undefined): bigint =>
  v == null ? 0n : BigInt(v.toString());

test("builder: model fields, attributes (int64 exact), '' inputs, little-endian raw_data", () => {
  const i64 = Tensor.fromBigInts({ dtype: DType.INT64, layout: Layout.ROW_MAJOR, shape: [2] }, [1n, -(2n ** 63n)]);
  const i32 = Tensor.fromBigInts({ dtype: DType.INT32, layout: Layout.ROW_MAJOR, shape: [2] }, [0x01020304n, -2n]);
  const bytes = new GraphBuilder({ opset: 17, extraOpsets: [{ domain: "com.example", version: 1 }] })
    .input("x", DType.INT8, [1, "batch"])
    .initializer("a", i64)
    .initializer("b", i32)
    .node(
      "Clip",
      ["x", "", "m"],
      ["y"],
      { big: 2n ** 62n + 1n, neg: -(2n ** 63n), small: -3, list: [1, -2, 3] },
      { name: "clip0" },
    )
    .output("y", DType.INT8, [1, 4])
    .build();
  const m = onnx.ModelProto.decode(bytes);
  assert.equal(toBig(m.irVersion), 8n);
  assert.deepEqual(
    m.opsetImport.map((o) => [o.domain, toBig(o.version)]),
    [
      ["", 17n],
      ["com.example", 1n],
    ],
  );
  const g = m.graph as pb.GraphProto;
  const [input] = g.input;
  const [clip] = g.node;
  const [int64Init, int32Init] = g.initializer;
  assert.ok(input && clip && int64Init && int32Init);
  assert.deepEqual(
    input.type!.tensorType!.shape!.dim!.map((d) => d.dimParam || toBig(d.dimValue)),
    [1n, "batch"],
  );
  assert.deepEqual(clip.input, ["x", "", "m"]);
  assert.equal(clip.name, "clip0");
  const attrs = Object.fromEntries(clip.attribute!.map((a) => [a.name, a]));
  assert.equal(toBig(attrs.big.i), 2n ** 62n + 1n);
  assert.equal(toBig(attrs.neg.i), -(2n ** 63n));
  assert.equal(toBig(attrs.small.i), -3n);
  assert.deepEqual(attrs.list.ints!.map(toBig), [1n, -2n, 3n]);
  assert.equal(attrs.list.type, onnx.AttributeProto.AttributeType.INTS);
  assert.deepEqual([...int64Init.rawData!], [1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x80]);
  assert.deepEqual([...int32Init.rawData!], [4, 3, 2, 1, 0xfe, 0xff, 0xff, 0xff]);
  assert.equal(int32Init.dataType, DType.INT32);
  assert.deepEqual(int32Init.dims!.map(toBig), [2n]);
  assert.deepEqual(
    [...rawDataOf(Tensor.fromBigInts({ dtype: DType.UINT8, layout: Layout.ROW_MAJOR, shape: [2] }, [255n, 7n]))],
    [255, 7],
  );
});

test("builder: onnxruntime runs a built graph (initializer weights, attributes)", async () => {
  const w = Tensor.fromBigInts({ dtype: DType.INT8, layout: Layout.ROW_MAJOR, shape: [2, 3] }, [
    1n,
    2n,
    3n,
    -4n,
    5n,
    -128n,
  ]);
  const bytes = new GraphBuilder({ opset: 13 })
    .input("x", DType.INT8, [1, 2])
    .initializer("w", w)
    .node("MatMulInteger", ["x", "w"], ["y"])
    .node("Cast", ["y"], ["z"], { to: DType.INT64 })
    .node("ArgMax", ["z"], ["c"], { axis: -1, keepdims: 0 })
    .output("c", DType.INT64, [1])
    .build();
  const out = await runModel(
    bytes,
    new Map([["x", Tensor.fromBigInts({ dtype: DType.INT8, layout: Layout.ROW_MAJOR, shape: [1, 2] }, [3n, -1n])]]),
  );
  // x·w = [7, 1, 137] → argmax 2
  assert.deepEqual([...out.data], [2n]);
});
