import assert from "node:assert/strict";
import { readFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { GraphBuilder, type AttrValue } from "../../src/onnx/builder.ts";
import {
  GraphStructureError,
  ModelValidationError,
  ProfileRuleError,
  UnsupportedDTypeError,
  type ModelErrorCode,
} from "../../src/onnx/errors.ts";
import { loadModel, type LoadedModel, type LoadedNode } from "../../src/onnx/load.ts";
import { DType } from "../../src/tensor/dtype.ts";
import type { Tensor } from "../../src/tensor/tensor.ts";
import { mlpModel, tensor } from "./models.ts";
import { ROOT } from "./runCli.ts";

const FLOAT = 1;

interface OneOp {
  readonly op: string;
  readonly input?: { dtype: number; shape: (number | string)[] };
  /** Extra inputs after the job input: a tensor is an initializer, a string an existing value name, "" absent. */
  readonly args?: readonly (Tensor | string)[];
  readonly attrs?: Record<string, AttrValue>;
  readonly out?: { dtype: number; shape: number[] };
  readonly opset?: number;
  /** Prepend a Cast of the input to this dtype (the job input must be int8/uint8). */
  readonly castTo?: DType;
}

/** A model: x → [Cast] → op(x, args…) → y. */
function oneOp(spec: OneOp): Uint8Array {
  const input = spec.input ?? { dtype: DType.INT8, shape: [2, 3] };
  const b = new GraphBuilder({ opset: spec.opset ?? 13 }).input("x", input.dtype, input.shape);
  let first = "x";
  if (spec.castTo !== undefined) {
    b.node("Cast", ["x"], ["xc"], { to: spec.castTo });
    first = "xc";
  }
  const names = (spec.args ?? []).map((a, i) => {
    if (typeof a === "string") return a;
    b.initializer(`k${i}`, a);
    return `k${i}`;
  });
  b.node(spec.op, [first, ...names], ["y"], spec.attrs ?? {}, { name: "the_op" });
  const out = spec.out ?? { dtype: DType.INT32, shape: [2, 3] };
  return b.output("y", out.dtype, out.shape).build();
}

function outputOf(model: LoadedModel) {
  return { dtype: model.output.dtype, shape: [...model.output.shape] };
}

/** The first node of a loaded model; fails the test when there is none. */
function firstNode(model: LoadedModel): LoadedNode {
  const [node] = model.nodes;
  assert.ok(node, "the model has a node");
  return node;
}

function rejects(
  bytes: Uint8Array,
  cls: abstract new (...a: never[]) => ModelValidationError,
  code: ModelErrorCode,
  node?: string,
) {
  assert.throws(
    () => loadModel(bytes),
    (e: unknown) => {
      assert.ok(e instanceof cls, `expected ${cls.name}, got ${(e as Error).name}: ${(e as Error).message}`);
      assert.equal((e as ModelValidationError).code, code, (e as Error).message);
      if (node !== undefined) {
        assert.equal((e as ModelValidationError).node, node);
        assert.match((e as Error).message, new RegExp(`node "${node}"`));
      }
      return true;
    },
  );
}

describe("loadModel accepts the exact integer profile", () => {
  it("loads the MLP with every node's inferred type", () => {
    const m = loadModel(mlpModel());
    assert.equal(m.opset, 13);
    assert.deepEqual(m.input, { name: "input", dtype: DType.INT8, shape: [1, 6, 6] });
    assert.deepEqual(
      m.nodes.map((n) => [n.name, n.opType, n.outputType.dtype, n.outputType.shape.join("x")]),
      [
        ["flatten", "Flatten", DType.INT8, "1x36"],
        ["fc1_matmul", "MatMulInteger", DType.INT32, "1x12"],
        ["fc1_bias", "Add", DType.INT32, "1x12"],
        ["requant_mul", "Mul", DType.INT32, "1x12"],
        ["requant_div", "Div", DType.INT32, "1x12"],
        ["relu_clip", "Clip", DType.INT32, "1x12"],
        ["to_int8", "Cast", DType.INT8, "1x12"],
        ["fc2_matmul", "MatMulInteger", DType.INT32, "1x5"],
        ["fc2_bias", "Add", DType.INT32, "1x5"],
        ["argmax", "ArgMax", DType.INT64, "1"],
      ],
    );
    assert.deepEqual(m.output, { name: "class", dtype: DType.INT64, shape: [1] });
  });

  it(
    "loads the shipped model when present",
    { skip: !existsSync(join(ROOT, "models", "fmnist-mlp.onnx")) && "no models/fmnist-mlp.onnx" },
    () => {
      const m = loadModel(new Uint8Array(readFileSync(join(ROOT, "models", "fmnist-mlp.onnx"))));
      assert.equal(m.nodes.length, 10);
      assert.deepEqual(m.input.shape, [1, 28, 28]);
    },
  );

  it("uses a node's output name as its name when the node has none", () => {
    const bytes = new GraphBuilder({ opset: 13 })
      .input("x", DType.INT8, [4])
      .node("Identity", ["x"], ["y"], {}, { name: "" })
      .output("y", DType.INT8, [4])
      .build();
    assert.equal(loadModel(bytes).nodes[0]?.name, "y");
  });

  it("accepts initializers listed as graph inputs (IR 3 style) and treats them as constants", () => {
    const bytes = new GraphBuilder({ opset: 13, irVersion: 3 })
      .input("x", DType.INT8, [2, 3])
      .input("k", DType.INT8, [3, 2])
      .initializer("k", tensor(DType.INT8, [3, 2], [1, 2, 3, 4, 5, 6]))
      .node("MatMulInteger", ["x", "k"], ["y"])
      .output("y", DType.INT32, [2, 2])
      .build();
    const m = loadModel(bytes);
    assert.equal(m.input.name, "x");
    assert.ok(m.initializers.has("k"));
  });

  it("accepts value_info with symbolic dims but refuses value_info that contradicts inference", () => {
    const base = () =>
      new GraphBuilder({ opset: 13 })
        .input("x", DType.INT8, [2, 3])
        .node("Cast", ["x"], ["a"], { to: DType.INT32 })
        .node("Identity", ["a"], ["y"])
        .output("y", DType.INT32, [2, 3]);
    loadModel(base().valueInfo("a", DType.INT32, ["n", 3]).build());
    rejects(base().valueInfo("a", DType.INT32, [3, 2]).build(), ProfileRuleError, "VALUE_INFO_MISMATCH");
    rejects(base().valueInfo("a", DType.INT64, [2, 3]).build(), ProfileRuleError, "VALUE_INFO_MISMATCH");
    rejects(base().valueInfo("nowhere", DType.INT32, [2, 3]).build(), GraphStructureError, "UNKNOWN_NAME");
  });

  it("accepts int32_data initializers and refuses values outside the element type", () => {
    const model = (values: number[]) =>
      new GraphBuilder({ opset: 13 })
        .input("x", DType.INT8, [2, 3])
        .rawInitializer({ name: "lo", dims: [], dataType: DType.INT8, int32Data: values })
        .node("Clip", ["x", "lo"], ["y"])
        .output("y", DType.INT8, [2, 3])
        .build();
    assert.equal(
      loadModel(model([-5]))
        .initializers.get("lo")
        ?.at(0),
      -5n,
    );
    rejects(model([300]), ModelValidationError, "INVALID_TENSOR");
    rejects(model([]), ModelValidationError, "INITIALIZER_DATA_MISMATCH");
  });
});

describe("static shape inference", () => {
  const i32 = (shape: number[], values: (number | bigint)[]) => tensor(DType.INT32, shape, values);
  const i64 = (shape: number[], values: (number | bigint)[]) => tensor(DType.INT64, shape, values);

  it("broadcasts Add/Sub/Mul/Div/Max/Min numpy-style", () => {
    for (const op of ["Add", "Sub", "Mul", "Div", "Max", "Min"]) {
      const m = loadModel(
        oneOp({
          op,
          castTo: DType.INT32,
          input: { dtype: DType.INT8, shape: [2, 1, 3] },
          args: [i32([4, 1], [1, 2, 3, 4])],
          out: { dtype: DType.INT32, shape: [2, 4, 3] },
        }),
      );
      assert.deepEqual(outputOf(m), { dtype: DType.INT32, shape: [2, 4, 3] }, op);
    }
    rejects(
      oneOp({ op: "Add", castTo: DType.INT32, args: [i32([2], [1, 2])] }),
      ProfileRuleError,
      "SHAPE_MISMATCH",
      "the_op",
    );
  });

  it("takes Max and Min over one to many inputs", () => {
    const one = oneOp({
      op: "Max",
      input: { dtype: DType.UINT8, shape: [2, 3] },
      out: { dtype: DType.UINT8, shape: [2, 3] },
    });
    assert.deepEqual(outputOf(loadModel(one)), { dtype: DType.UINT8, shape: [2, 3] });
    const three = oneOp({
      op: "Min",
      input: { dtype: DType.INT8, shape: [2, 3] },
      args: ["x", tensor(DType.INT8, [3], [1, 2, 3])],
      out: { dtype: DType.INT8, shape: [2, 3] },
    });
    assert.deepEqual(outputOf(loadModel(three)), { dtype: DType.INT8, shape: [2, 3] });
  });

  it("computes MatMulInteger [M,K]×[K,N] → int32 [M,N] and checks zero points", () => {
    const w = tensor(
      DType.INT8,
      [3, 4],
      Array.from({ length: 12 }, (_, i) => i - 6),
    );
    const ok = oneOp({
      op: "MatMulInteger",
      args: [w, tensor(DType.INT8, [], [1]), tensor(DType.INT8, [4], [0, 1, 2, 3])],
      out: { dtype: DType.INT32, shape: [2, 4] },
    });
    assert.deepEqual(outputOf(loadModel(ok)), { dtype: DType.INT32, shape: [2, 4] });
    rejects(
      oneOp({ op: "MatMulInteger", args: [w, tensor(DType.INT8, [2], [1, 1])] }),
      ProfileRuleError,
      "ZERO_POINT_SHAPE",
    );
    rejects(
      oneOp({ op: "MatMulInteger", args: [w, "", tensor(DType.INT8, [3], [1, 1, 1])] }),
      ProfileRuleError,
      "ZERO_POINT_SHAPE",
    );
    rejects(
      oneOp({ op: "MatMulInteger", args: [w, tensor(DType.UINT8, [], [1])] }),
      ProfileRuleError,
      "DTYPE_MISMATCH",
    );
    rejects(
      oneOp({ op: "MatMulInteger", args: [tensor(DType.INT8, [4, 4], new Array(16).fill(1))] }),
      ProfileRuleError,
      "SHAPE_MISMATCH",
    );
    rejects(
      oneOp({ op: "MatMulInteger", input: { dtype: DType.INT8, shape: [3] }, args: [w] }),
      ProfileRuleError,
      "MATMUL_RANK",
    );
    rejects(oneOp({ op: "MatMulInteger", castTo: DType.INT32, args: [w] }), UnsupportedDTypeError, "OP_DTYPE");
    const zpFromNode = new GraphBuilder({ opset: 13 })
      .input("x", DType.INT8, [2, 3])
      .initializer("w", w)
      .initializer("z", tensor(DType.INT8, [], [1]))
      .node("Identity", ["z"], ["zc"])
      .node("MatMulInteger", ["x", "w", "", "zc"], ["y"])
      .output("y", DType.INT32, [2, 4])
      .build();
    rejects(zpFromNode, ProfileRuleError, "ZERO_POINT_NOT_CONSTANT");
  });

  it("normalizes Flatten's axis and flattens around it", () => {
    const input = { dtype: DType.INT8, shape: [2, 3, 4] };
    const shapeFor = (axis: number, declared: number[]) =>
      firstNode(
        loadModel(oneOp({ op: "Flatten", input, attrs: { axis }, out: { dtype: DType.INT8, shape: declared } })),
      );
    assert.deepEqual([...shapeFor(0, [1, 24]).outputType.shape], [1, 24]);
    assert.deepEqual(shapeFor(-1, [6, 4]).attrs, [2n]);
    assert.deepEqual([...shapeFor(3, [24, 1]).outputType.shape], [24, 1]);
    rejects(oneOp({ op: "Flatten", input, attrs: { axis: 4 } }), ProfileRuleError, "INVALID_ATTRIBUTE");
  });

  it("resolves Reshape's 0 and -1 and checks the element count", () => {
    const input = { dtype: DType.INT8, shape: [2, 3, 4] };
    const m = loadModel(
      oneOp({ op: "Reshape", input, args: [i64([3], [0, -1, 2])], out: { dtype: DType.INT8, shape: [2, 6, 2] } }),
    );
    assert.deepEqual(outputOf(m), { dtype: DType.INT8, shape: [2, 6, 2] });
    rejects(oneOp({ op: "Reshape", input, args: [i64([2], [5, -1])] }), ProfileRuleError, "SHAPE_MISMATCH");
    rejects(oneOp({ op: "Reshape", input, args: [i64([2], [-1, -1])] }), ProfileRuleError, "SHAPE_MISMATCH");
    rejects(oneOp({ op: "Reshape", input, args: [i64([2], [4, 5])] }), ProfileRuleError, "SHAPE_MISMATCH");
    rejects(
      oneOp({ op: "Reshape", input, opset: 14, attrs: { allowzero: 1 }, args: [i64([2], [0, 24])] }),
      ProfileRuleError,
      "ZERO_DIMENSION",
    );
    rejects(
      oneOp({ op: "Reshape", input, attrs: { allowzero: 1 }, args: [i64([1], [24])] }),
      ProfileRuleError,
      "INVALID_ATTRIBUTE",
    );
    rejects(oneOp({ op: "Reshape", input, args: [i32([1], [24])] }), ProfileRuleError, "DTYPE_MISMATCH");
    rejects(
      new GraphBuilder({ opset: 13 })
        .input("x", DType.INT8, [2, 3])
        .node("Cast", ["x"], ["s"], { to: DType.INT64 })
        .node("Reshape", ["x", "s"], ["y"])
        .output("y", DType.INT8, [6])
        .build(),
      ProfileRuleError,
      "RESHAPE_SHAPE_NOT_CONSTANT",
    );
  });

  it("infers Gather over any axis, with scalar and negative indices", () => {
    const input = { dtype: DType.INT8, shape: [2, 3, 4] };
    const g = (axis: number, indices: Tensor, declared: number[]) =>
      firstNode(
        loadModel(
          oneOp({ op: "Gather", input, args: [indices], attrs: { axis }, out: { dtype: DType.INT8, shape: declared } }),
        ),
      );
    assert.deepEqual([...g(1, i64([2, 2], [0, -1, 2, 1]), [2, 2, 2, 4]).outputType.shape], [2, 2, 2, 4]);
    assert.deepEqual([...g(-1, i32([], [3]), [2, 3]).outputType.shape], [2, 3]);
    assert.deepEqual(g(-1, i32([], [3]), [2, 3]).attrs, [2n]);
    rejects(
      oneOp({ op: "Gather", input, args: [i64([1], [-3])], attrs: { axis: 0 } }),
      ProfileRuleError,
      "GATHER_INDEX_OUT_OF_RANGE",
    );
    rejects(oneOp({ op: "Gather", input, args: [tensor(DType.INT8, [1], [0])] }), UnsupportedDTypeError, "OP_DTYPE");
    rejects(oneOp({ op: "Gather", input, args: ["x"] }), ProfileRuleError, "GATHER_INDICES_NOT_CONSTANT");
  });

  it("infers ArgMax on the last axis with and without keepdims", () => {
    const input = { dtype: DType.INT8, shape: [2, 3, 4] };
    const a = (attrs: Record<string, AttrValue>, declared: number[]) =>
      firstNode(loadModel(oneOp({ op: "ArgMax", input, attrs, out: { dtype: DType.INT64, shape: declared } })));
    assert.deepEqual([...a({ axis: -1 }, [2, 3, 1]).outputType.shape], [2, 3, 1]);
    assert.deepEqual(a({ axis: -1 }, [2, 3, 1]).attrs, [2n, 1n, 0n]);
    assert.deepEqual(a({ axis: 2, keepdims: 0, select_last_index: 1 }, [2, 3]).attrs, [2n, 0n, 1n]);
    rejects(oneOp({ op: "ArgMax", input }), ProfileRuleError, "ARGMAX_NOT_LAST_AXIS");
    rejects(oneOp({ op: "ArgMax", input, attrs: { axis: 2, keepdims: 2 } }), ProfileRuleError, "INVALID_ATTRIBUTE");
  });

  it("checks Clip's bounds are scalars of X's type and may be omitted", () => {
    const out = { dtype: DType.INT8, shape: [2, 3] };
    assert.equal(
      firstNode(loadModel(oneOp({ op: "Clip", args: ["", tensor(DType.INT8, [1], [5])], out }))).inputs[1],
      null,
    );
    loadModel(oneOp({ op: "Clip", out }));
    rejects(oneOp({ op: "Clip", args: [tensor(DType.INT8, [2], [0, 1])], out }), ProfileRuleError, "SCALAR_REQUIRED");
    rejects(oneOp({ op: "Clip", args: [tensor(DType.INT32, [], [0])], out }), ProfileRuleError, "DTYPE_MISMATCH");
  });

  it("gates element types by opset as onnxruntime does", () => {
    const int8 = { dtype: DType.INT8, shape: [2, 3] };
    rejects(oneOp({ op: "Add", args: ["x"], out: int8 }), UnsupportedDTypeError, "OP_DTYPE");
    loadModel(oneOp({ op: "Add", opset: 14, args: ["x"], out: int8 }));
    rejects(oneOp({ op: "Relu", out: int8 }), UnsupportedDTypeError, "OP_DTYPE");
    loadModel(oneOp({ op: "Relu", opset: 14, out: int8 }));
    rejects(
      oneOp({
        op: "Relu",
        opset: 14,
        input: { dtype: DType.UINT8, shape: [2, 3] },
        out: { dtype: DType.UINT8, shape: [2, 3] },
      }),
      UnsupportedDTypeError,
      "OP_DTYPE",
    );
  });

  it("requires Cast's `to`, allows `saturate` from opset 19 only, and refuses float targets", () => {
    const out = { dtype: DType.INT64, shape: [2, 3] };
    assert.deepEqual(firstNode(loadModel(oneOp({ op: "Cast", attrs: { to: DType.INT64 }, out }))).attrs, [7n]);
    rejects(oneOp({ op: "Cast", out }), ProfileRuleError, "INVALID_ATTRIBUTE");
    rejects(oneOp({ op: "Cast", attrs: { to: DType.INT64, saturate: 1 }, out }), ProfileRuleError, "INVALID_ATTRIBUTE");
    loadModel(oneOp({ op: "Cast", opset: 19, attrs: { to: DType.INT64, saturate: 1 }, out }));
    rejects(oneOp({ op: "Cast", attrs: { to: FLOAT }, out }), UnsupportedDTypeError, "UNSUPPORTED_DTYPE");
  });

  it("refuses wrong input counts and a missing required input", () => {
    rejects(oneOp({ op: "Add", castTo: DType.INT32 }), GraphStructureError, "NODE_INPUT_COUNT");
    rejects(
      oneOp({ op: "Identity", args: ["x"], out: { dtype: DType.INT8, shape: [2, 3] } }),
      GraphStructureError,
      "NODE_INPUT_COUNT",
    );
    rejects(oneOp({ op: "Gather", args: [""] }), GraphStructureError, "NODE_INPUT_COUNT");
  });

  it("refuses non-INT attribute types", () => {
    const bytes = new GraphBuilder({ opset: 13 })
      .input("x", DType.INT8, [2, 3])
      .node("Flatten", ["x"], ["y"], {}, { rawAttributes: [{ name: "axis", type: 1, f: 1 }] })
      .output("y", DType.INT8, [2, 3])
      .build();
    rejects(bytes, ProfileRuleError, "INVALID_ATTRIBUTE");
  });
});

describe("one-step size bounds (docs/PROTOCOL.md §8)", () => {
  const rejects = (bytes: Uint8Array) =>
    assert.throws(
      () => loadModel(bytes),
      (e: unknown) => e instanceof ProfileRuleError && e.code === "ONE_STEP_TOO_LARGE",
    );

  it("refuses a MatMulInteger whose K exceeds 4096 and accepts K = 4096", () => {
    const build = (k: number) =>
      new GraphBuilder({ opset: 13 })
        .input("x", DType.INT8, [1, k])
        .initializer("w", tensor(DType.INT8, [k, 1], new Array<number>(k).fill(1)))
        .node("MatMulInteger", ["x", "w"], ["y"])
        .output("y", DType.INT32, [1, 1])
        .build();
    rejects(build(4097));
    assert.equal(loadModel(build(4096)).nodes.length, 1);
  });

  it("refuses an ArgMax whose row exceeds 4096", () => {
    const bytes = new GraphBuilder({ opset: 13 })
      .input("x", DType.INT8, [1, 4097])
      .node("ArgMax", ["x"], ["y"], { axis: 1, keepdims: 0 })
      .output("y", DType.INT64, [1])
      .build();
    rejects(bytes);
  });
});
