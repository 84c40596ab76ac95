import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { encodeAbiParameters, keccak256 } from "viem";
import { Source } from "../../src/graph/descriptor.ts";
import { Opcode } from "../../src/graph/opcode.ts";
import { NO_POLICY, Profile } from "../../src/model/modelSpec.ts";
import { GraphBuilder } from "../../src/onnx/builder.ts";
import { compileModel, constantOperand } from "../../src/onnx/compile.ts";
import { ProfileRuleError } from "../../src/onnx/errors.ts";
import { loadModel } from "../../src/onnx/load.ts";
import { fileBindingOf } from "../../src/onnx/modelSpecFor.ts";
import { tensorRoot } from "../../src/tensor/commitment.ts";
import { DType } from "../../src/tensor/dtype.ts";
import { pack, unpack } from "../../src/tensor/packing.ts";
import { Layout } from "../../src/tensor/spec.ts";
import { float32Bits } from "../../src/tensor/tensor.ts";
import { releaseSessions } from "../../src/trace/session.ts";
import { traceModel } from "../../src/trace/trace.ts";
import { f32, floatCnn, floatMlp, MLP, mlpReference, mlpWeights, randomValues } from "./floatModels.ts";
import { mlpModel } from "./models.ts";

after(releaseSessions);

/** keccak256(abi.encode(NumericsPolicy(1, 24, 0, −124, 0))), written out apart from src/float/policy.ts. */
const STRICT_POLICY_HASH = keccak256(
  encodeAbiParameters(
    [{ type: "uint8" }, { type: "uint8" }, { type: "uint8" }, { type: "int16" }, { type: "uint16" }],
    [1, 24, 0, -124, 0],
  ),
);

function refusal(bytes: Uint8Array, code: string): (e: unknown) => boolean {
  return (e) => {
    assert.ok(e instanceof ProfileRuleError, `got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    return true;
  };
}

describe("the float32 profile is read from the graph (docs/PROTOCOL.md §11.8)", () => {
  it("a float32 job input makes a float32 model bound to the strict fp32 policy", () => {
    const compiled = compileModel(floatMlp());
    assert.equal(compiled.profile, Profile.FLOAT32);
    assert.equal(compiled.policyHash, STRICT_POLICY_HASH);
    const binding = fileBindingOf(compiled);
    assert.equal(binding.profile, Profile.FLOAT32);
    assert.equal(binding.policyHash, STRICT_POLICY_HASH);
    assert.equal(binding.input.dtype, DType.FLOAT);
  });

  it("an int8 job input keeps the exact integer profile, with no policy", () => {
    const compiled = compileModel(mlpModel());
    assert.equal(compiled.profile, Profile.EXACT_INT);
    assert.equal(compiled.policyHash, NO_POLICY);
  });

  it("a required profile the graph does not have is refused", () => {
    assert.throws(() => loadModel(floatMlp(), { profile: Profile.EXACT_INT }), refusal(floatMlp(), "PROFILE_MISMATCH"));
    assert.throws(() => loadModel(mlpModel(), { profile: Profile.FLOAT32 }), refusal(mlpModel(), "PROFILE_MISMATCH"));
    assert.equal(loadModel(floatMlp(), { profile: Profile.FLOAT32 }).profile, Profile.FLOAT32);
  });
});

describe("float32 descriptors (docs/PROTOCOL.md §11.7)", () => {
  it("the MLP: MatMul, Add, Relu, Gemm with alpha, beta as fp32 patterns and transA, transB", () => {
    const c = compileModel(floatMlp({ argMax: true }));
    assert.deepEqual(
      c.nodes.map((d) => d.opcode),
      [Opcode.MatMul, Opcode.Add, Opcode.Relu, Opcode.Gemm, Opcode.ArgMax],
    );
    assert.deepEqual(c.nodes[3]?.attrs, [0x3f800000n, 0x3f800000n, 0n, 1n]);
    assert.deepEqual(c.nodes[4]?.output, { dtype: DType.INT64, layout: Layout.ROW_MAJOR, shape: [1, 1] });
    for (const d of c.nodes.slice(0, 4)) assert.equal(d.output.dtype, DType.FLOAT);
  });

  it("commits MatMul's B transposed and Gemm's transB = 1 B row-major: a column of op(B) is one run", () => {
    const c = compileModel(floatMlp());
    const matmulB = constantOperand(c, 0, 1);
    const gemmB = constantOperand(c, 3, 1);
    assert.ok(matmulB && gemmB);
    assert.equal(matmulB.spec.layout, Layout.TRANSPOSED);
    assert.equal(gemmB.spec.layout, Layout.ROW_MAJOR);
    assert.equal(c.nodes[0]?.inputs[1]?.source, Source.CONSTANT);
    assert.equal(c.nodes[0]?.inputs[1]?.root, matmulB.root);
  });

  it("commits a transB = 0 Gemm's B transposed", () => {
    const bytes = new GraphBuilder({ opset: 13 })
      .input("x", DType.FLOAT, [1, 4])
      .initializer("w", f32([4, 2], [1, 2, 3, 4, 5, 6, 7, 8]))
      .node("Gemm", ["x", "w"], ["y"], { alpha: { float: 0.5 } })
      .output("y", DType.FLOAT, [1, 2])
      .build();
    const c = compileModel(bytes);
    assert.equal(constantOperand(c, 0, 1)?.spec.layout, Layout.TRANSPOSED);
    assert.deepEqual(c.nodes[0]?.attrs, [0x3f000000n, 0x3f800000n, 0n, 0n]);
  });

  it("the CNN: Conv's strides, pads, dilations and group; MaxPool's window; shapes inferred", () => {
    const c = compileModel(floatCnn());
    assert.deepEqual(
      c.nodes.map((d) => d.opcode),
      [Opcode.Conv, Opcode.Relu, Opcode.MaxPool, Opcode.Flatten, Opcode.Gemm],
    );
    assert.deepEqual(c.nodes[0]?.attrs, [1n, 1n, 1n, 1n, 1n, 1n, 1n, 1n, 1n]);
    assert.deepEqual(c.nodes[0]?.output.shape, [1, 4, 8, 8]);
    assert.deepEqual(c.nodes[2]?.attrs, [2n, 2n, 2n, 2n, 0n, 0n, 0n, 0n, 0n]);
    assert.deepEqual(c.nodes[2]?.output.shape, [1, 4, 4, 4]);
    assert.deepEqual(c.nodes[3]?.output.shape, [1, 64]);
    assert.equal(constantOperand(c, 0, 1)?.spec.layout, Layout.ROW_MAJOR, "a Conv filter W[m] is one run row-major");
  });

  it("AveragePool, GlobalAveragePool, ReduceMean, Sqrt, Transpose and Div compile with their attrs", () => {
    const bytes = new GraphBuilder({ opset: 18 })
      .input("x", DType.FLOAT, [1, 2, 4, 4])
      .node("AveragePool", ["x"], ["a"], { kernel_shape: [2, 2], strides: [2, 2], count_include_pad: 1 })
      .node("GlobalAveragePool", ["a"], ["g"])
      .node("Transpose", ["g"], ["t"], { perm: [0, 2, 3, 1] })
      .node("Sqrt", ["t"], ["s"])
      .node("Div", ["s", "t"], ["d"])
      .node("ReduceMean", ["d"], ["m"], { keepdims: 0 })
      .output("m", DType.FLOAT, [])
      .build();
    const c = compileModel(bytes);
    assert.deepEqual(
      c.nodes.map((d) => d.opcode),
      [Opcode.AveragePool, Opcode.GlobalAveragePool, Opcode.Transpose, Opcode.Sqrt, Opcode.Div, Opcode.ReduceMean],
    );
    assert.deepEqual(c.nodes[0]?.attrs, [2n, 2n, 2n, 2n, 0n, 0n, 0n, 0n, 0n, 1n]);
    assert.deepEqual(c.nodes[2]?.attrs, [0n, 2n, 3n, 1n]);
    assert.deepEqual(c.nodes[2]?.output.shape, [1, 1, 1, 2]);
    assert.deepEqual(c.nodes[5]?.attrs, [0n, 0n, 1n, 2n, 3n], "keepdims 0, then every axis");
    assert.deepEqual(c.nodes[5]?.output.shape, []);
  });

  it("ReduceMean over a leading axis is refused (its row would not be one run)", () => {
    const bytes = new GraphBuilder({ opset: 13 })
      .input("x", DType.FLOAT, [2, 3])
      .node("ReduceMean", ["x"], ["m"], { axes: [0] })
      .output("m", DType.FLOAT, [1, 3])
      .build();
    assert.throws(() => loadModel(bytes), refusal(bytes, "REDUCE_AXES"));
  });

  it("a pool with ceil_mode 1 is refused (its last windows are outside the one-step checks), ceil_mode 0 accepted", () => {
    for (const op of ["MaxPool", "AveragePool"]) {
      const pool = (ceil: number) =>
        new GraphBuilder({ opset: 17 })
          .input("x", DType.FLOAT, [1, 1, 5, 5])
          .node(op, ["x"], ["p"], { kernel_shape: [2, 2], strides: [2, 2], ceil_mode: ceil })
          .output("p", DType.FLOAT, [1, 1, ceil === 1 ? 3 : 2, ceil === 1 ? 3 : 2])
          .build();
      const refused = pool(1);
      assert.throws(() => loadModel(refused), refusal(refused, "POOL_SHAPE"), op);
      assert.equal(compileModel(pool(0)).nodes.length, 1, op);
    }
  });

  it("an integer Clip in a float32 model is refused as mixing the profiles", () => {
    const bytes = new GraphBuilder({ opset: 13 })
      .input("x", DType.FLOAT, [1, 4])
      .node("Clip", ["x"], ["y"])
      .output("y", DType.FLOAT, [1, 4])
      .build();
    assert.throws(() => loadModel(bytes), refusal(bytes, "MIXED_PROFILE"));
  });

  it("a canonical NaN constant is accepted; −0 and infinities too", () => {
    const w = f32([4], [Number.NaN, -0, Number.POSITIVE_INFINITY, 1]);
    const bytes = new GraphBuilder({ opset: 13 })
      .input("x", DType.FLOAT, [1, 4])
      .initializer("w", w)
      .node("Add", ["x", "w"], ["y"])
      .output("y", DType.FLOAT, [1, 4])
      .build();
    const c = compileModel(bytes);
    assert.equal(float32Bits(c.constants.get("w")?.data as Float32Array)[0], 0x7fc00000);
  });
});

describe("float32 tensors commit their bit patterns (docs/PROTOCOL.md §11.1)", () => {
  it("packs big-endian bit patterns and every NaN as 0x7fc00000", () => {
    const t = f32([4], [1, -0, Number.NaN, -2.5]);
    float32Bits(t.data as Float32Array)[2] = 0xffc00000; // the x86 default NaN
    assert.deepEqual([...pack(t)], [0x3f, 0x80, 0, 0, 0x80, 0, 0, 0, 0x7f, 0xc0, 0, 0, 0xc0, 0x20, 0, 0]);
    const back = unpack(t.spec, pack(t));
    assert.deepEqual([...float32Bits(back.data as Float32Array)], [0x3f800000, 0x80000000, 0x7fc00000, 0xc0200000]);
    assert.equal(t.at(1), 0x80000000n, "at() reads the bit pattern");
  });

  it("a transposed float32 constant packs column by column", () => {
    const t = f32([2, 2], [1, 2, 3, 4]).withLayout(Layout.TRANSPOSED);
    const words = pack(t);
    const view = new DataView(words.buffer);
    assert.deepEqual(
      [0, 1, 2, 3].map((i) => view.getFloat32(4 * i, false)),
      [1, 3, 2, 4],
    );
  });
});

describe("traceModel runs float32 models (docs/PROTOCOL.md §7)", () => {
  const weights = mlpWeights();

  it("the MLP: every node's output, roots ending in outputRoot, logits within float32 noise of float64", async () => {
    const compiled = compileModel(floatMlp({ weights }));
    const x = randomValues(99, MLP.IN);
    const trace = await traceModel(compiled, f32([1, MLP.IN], x));
    assert.equal(trace.nodeOutputs.length, compiled.nodes.length);
    assert.equal(trace.nodeRoots.length, 4);
    trace.nodeOutputs.forEach((t, i) => {
      assert.deepEqual(t.spec, compiled.nodes[i]?.output);
      assert.equal(trace.nodeRoots[i], tensorRoot(t));
    });
    assert.equal(trace.outputRoot, trace.nodeRoots[3]);
    const got = [...(trace.output.data as Float32Array)];
    const want = mlpReference(weights, x);
    got.forEach((g, i) => assert.ok(Math.abs(g - (want[i] as number)) < 1e-5, `logit ${i}: ${g} vs ${want[i]}`));
    // The Relu output is the MatMul + Add output with negatives zeroed: the fused kernels
    // of higher optimization levels cannot hide a node's own output.
    const pre = trace.nodeOutputs[1]?.data as Float32Array;
    const relu = trace.nodeOutputs[2]?.data as Float32Array;
    pre.forEach((v, i) => assert.equal(relu[i], Math.max(0, v)));
  });

  it("the CNN traces with every node's output, at every optimization level", async () => {
    const compiled = compileModel(floatCnn());
    const x = f32([1, 1, 8, 8], randomValues(5, 64));
    for (const graphOptimizationLevel of ["disabled", "basic", "all"] as const) {
      const trace = await traceModel(compiled, x, { graphOptimizationLevel });
      assert.equal(trace.nodeOutputs.length, 5);
      assert.deepEqual(trace.nodeOutputs[2]?.spec.shape, [1, 4, 4, 4]);
      assert.equal(trace.outputRoot, trace.nodeRoots[4]);
    }
  });

  it("an ArgMax head ends the float trace in an int64 output", async () => {
    const trace = await traceModel(compileModel(floatMlp({ argMax: true })), f32([1, MLP.IN], randomValues(3, MLP.IN)));
    assert.equal(trace.output.spec.dtype, DType.INT64);
    const logits = [...(trace.nodeOutputs[3]?.data as Float32Array)];
    assert.equal(Number(trace.output.at(0)), logits.indexOf(Math.max(...logits)));
  });
});
