import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { GraphCommitment, Source, ZERO_ROOT, descriptorHash, type Operand } from "../../src/graph/descriptor.ts";
import { Opcode } from "../../src/graph/opcode.ts";
import { DEFAULT_MODEL_PARAMS, defaultUriFor } from "../../src/model/defaultParams.ts";
import { modelIdOf, Profile } from "../../src/model/modelSpec.ts";
import { GraphBuilder } from "../../src/onnx/builder.ts";
import { compileModel, constantOperand, type CompiledModel } from "../../src/onnx/compile.ts";
import { modelIdFor, modelSpecFor } from "../../src/onnx/modelSpecFor.ts";
import { TensorCommitment } from "../../src/tensor/commitment.ts";
import { DType } from "../../src/tensor/dtype.ts";
import { Layout } from "../../src/tensor/spec.ts";
import { mlpModel, tensor } from "./models.ts";

/** Operand `k` of node `i`; fails the test when the node has none. */
function operand(c: CompiledModel, i: number, k: number): Operand {
  const o = c.nodes[i]?.inputs[k];
  assert.ok(o, `node ${i} has an operand ${k}`);
  return o;
}

describe("compileModel (docs/PROTOCOL.md §5)", () => {
  const compiled = compileModel(mlpModel());

  it("describes every ONNX input as an operand with its source", () => {
    const sources = compiled.nodes.map((d) => d.inputs.map((o) => [o.source, o.index]));
    const C = [Source.CONSTANT, 0];
    assert.deepEqual(sources, [
      [[Source.JOB_INPUT, 0]],
      [[Source.NODE_OUTPUT, 0], C, C, C],
      [[Source.NODE_OUTPUT, 1], C],
      [[Source.NODE_OUTPUT, 2], C],
      [[Source.NODE_OUTPUT, 3], C],
      [[Source.NODE_OUTPUT, 4], C, C],
      [[Source.NODE_OUTPUT, 5]],
      [[Source.NODE_OUTPUT, 6], C, C, C],
      [[Source.NODE_OUTPUT, 7], C],
      [[Source.NODE_OUTPUT, 8]],
    ]);
    for (const d of compiled.nodes) {
      for (const o of d.inputs) if (o.source !== Source.CONSTANT) assert.equal(o.root, ZERO_ROOT);
    }
  });

  it("gives each operand the spec of what feeds it; node outputs and the job input row-major", () => {
    compiled.nodes.forEach((d, i) => {
      assert.equal(d.output.layout, Layout.ROW_MAJOR);
      for (const o of d.inputs) {
        if (o.source === Source.NODE_OUTPUT) assert.deepEqual(o.spec, compiled.nodes[o.index]?.output, `node ${i}`);
        if (o.source === Source.JOB_INPUT)
          assert.deepEqual(o.spec, { dtype: DType.INT8, layout: Layout.ROW_MAJOR, shape: [1, 6, 6] });
      }
    });
  });

  it("commits MatMulInteger's B transposed and every other constant row-major", () => {
    for (const i of [1, 7]) {
      const b = operand(compiled, i, 1);
      const w = compiled.constants.get(compiled.inputNames[i]?.[1] as string);
      assert.ok(w !== undefined);
      assert.equal(b.spec.layout, Layout.TRANSPOSED);
      assert.equal(b.root, new TensorCommitment(w.withLayout(Layout.TRANSPOSED)).root);
      assert.notEqual(b.root, new TensorCommitment(w).root);
      assert.equal(constantOperand(compiled, i, 1)?.root, b.root);
    }
    const bias = operand(compiled, 2, 1);
    assert.equal(bias.spec.layout, Layout.ROW_MAJOR);
    assert.equal(bias.root, new TensorCommitment(compiled.constants.get("b1")!).root);
  });

  it("commits a constant shared by a MatMulInteger B and another op once per layout", () => {
    const w = tensor(DType.INT8, [2, 2], [1, -2, 3, -4]);
    const c = compileModel(
      new GraphBuilder({ opset: 14 })
        .input("x", DType.INT8, [2, 2])
        .initializer("w", w)
        .node("Add", ["x", "w"], ["s"])
        .node("MatMulInteger", ["s", "w"], ["y"])
        .output("y", DType.INT32, [2, 2])
        .build(),
    );
    assert.equal(operand(c, 0, 1).spec.layout, Layout.ROW_MAJOR);
    assert.equal(operand(c, 1, 1).spec.layout, Layout.TRANSPOSED);
    assert.notEqual(operand(c, 0, 1).root, operand(c, 1, 1).root);
  });

  it("describes an omitted optional input as ABSENT: a scalar of the type the input would have", () => {
    const c = compileModel(
      new GraphBuilder({ opset: 13 })
        .input("x", DType.UINT8, [1, 3])
        .initializer("w", tensor(DType.INT8, [3, 2], [1, 2, 3, 4, 5, 6]))
        .initializer("bz", tensor(DType.INT8, [2], [0, 1]))
        .node("MatMulInteger", ["x", "w", "", "bz"], ["acc"])
        .initializer("hi", tensor(DType.INT32, [], [100]))
        .node("Clip", ["acc", "", "hi"], ["y"])
        .output("y", DType.INT32, [1, 2])
        .build(),
    );
    assert.deepEqual(operand(c, 0, 2), {
      source: Source.ABSENT,
      index: 0,
      root: ZERO_ROOT,
      spec: { dtype: DType.UINT8, layout: 0, shape: [] },
    });
    assert.equal(operand(c, 0, 3).source, Source.CONSTANT);
    assert.deepEqual(operand(c, 1, 1).spec, { dtype: DType.INT32, layout: 0, shape: [] });
    assert.equal(operand(c, 1, 1).source, Source.ABSENT);
    assert.equal(c.nodes[0]?.inputs.length, 4);
  });

  it("sets attrs per opcode: Cast [to], Flatten [axis], Gather [axis], ArgMax [axis, keepdims, select_last_index], others []", () => {
    assert.deepEqual(
      compiled.nodes.map((d) => [d.opcode, d.attrs]),
      [
        [Opcode.Flatten, [1n]],
        [Opcode.MatMulInteger, []],
        [Opcode.Add, []],
        [Opcode.Mul, []],
        [Opcode.Div, []],
        [Opcode.Clip, []],
        [Opcode.Cast, [BigInt(DType.INT8)]],
        [Opcode.MatMulInteger, []],
        [Opcode.Add, []],
        [Opcode.ArgMax, [1n, 0n, 0n]],
      ],
    );
  });

  it("commits the graph: graphRoot over the descriptor hashes, stable across compilations", () => {
    assert.equal(compiled.graphRoot, new GraphCommitment(compiled.nodes).root);
    const node3 = compiled.nodes[3];
    assert.ok(node3);
    assert.equal(compiled.graph.hashes[3], descriptorHash(node3));
    assert.equal(compileModel(mlpModel()).graphRoot, compiled.graphRoot);
    assert.notEqual(compileModel(mlpModel({ seed: 8 })).graphRoot, compiled.graphRoot);
  });

  it("keeps names, op types, the file hash and the bytes", () => {
    assert.equal(compiled.nodeNames[1], "fc1_matmul");
    assert.equal(compiled.outputNames[9], "class");
    assert.equal(compiled.onnxOpTypes[5], "Clip");
    assert.deepEqual(compiled.input, { name: "input", dtype: DType.INT8, layout: 0, shape: [1, 6, 6] });
    assert.deepEqual(compiled.output, { name: "class", dtype: DType.INT64, layout: 0, shape: [1] });
    assert.equal(compiled.bytes.length, mlpModel().length);
  });
});

describe("modelSpecFor / modelIdFor (docs/PROTOCOL.md §7)", () => {
  const compiled = compileModel(mlpModel());
  const options = { uri: defaultUriFor("/some/dir/mlp.onnx"), params: DEFAULT_MODEL_PARAMS };

  it("binds file hash, graph root, node count, profile, specs, URI and params", () => {
    const spec = modelSpecFor(compiled, options);
    assert.equal(spec.uri, "file://mlp.onnx");
    assert.equal(spec.fileHash, compiled.fileHash);
    assert.equal(spec.graphRoot, compiled.graphRoot);
    assert.equal(spec.nodeCount, 10);
    assert.equal(spec.profile, Profile.EXACT_INT);
    assert.deepEqual(spec.input, { dtype: DType.INT8, layout: 0, shape: [1, 6, 6] });
    assert.deepEqual(spec.params, {
      challengeWindow: 600n,
      responseWindow: 300n,
      collateralPerJob: 100n * 10n ** 18n,
      challengerBond: 10n * 10n ** 18n,
    });
    assert.equal(modelIdFor(compiled, options), modelIdOf(spec));
  });

  it("gives another modelId for another URI or other parameters", () => {
    const id = modelIdFor(compiled, options);
    assert.notEqual(modelIdFor(compiled, { ...options, uri: "ipfs://x" }), id);
    assert.notEqual(modelIdFor(compiled, { ...options, params: { ...options.params, challengeWindow: 601n } }), id);
  });
});
