import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { compileModel } from "../../src/onnx/compile.ts";
import { checkDeterminism, DETERMINISM_MATRIX } from "../../src/trace/determinism.ts";
import { releaseSessions } from "../../src/trace/session.ts";
import { traceModel } from "../../src/trace/trace.ts";
import { GraphBuilder } from "../../src/onnx/builder.ts";
import { DType } from "../../src/tensor/dtype.ts";
import { mlpInput, mlpModel, tensor } from "../onnx/models.ts";

describe("trace determinism", () => {
  after(releaseSessions);

  it("the matrix covers every optimization level with one and two threads", () => {
    assert.equal(DETERMINISM_MATRIX.length, 8);
    for (const level of ["disabled", "basic", "extended", "all"]) {
      for (const threads of [1, 2]) {
        assert.ok(
          DETERMINISM_MATRIX.some((c) => c.graphOptimizationLevel === level && c.intraOpNumThreads === threads),
        );
      }
    }
  });

  for (const [label, bytes] of [
    ["MLP opset 13", mlpModel()],
    ["MLP opset 14, wider", mlpModel({ opset: 14, rows: 16, cols: 16, hidden: 64, classes: 10, seed: 11 })],
  ] as const) {
    it(`${label}: the same traceRoot over repeated runs, 1 and 2 threads, every optimization level`, async () => {
      const compiled = compileModel(bytes);
      const input = label.startsWith("MLP opset 13") ? mlpInput(5) : mlpInput(5, 16, 16);
      const report = await checkDeterminism(compiled, input, { repeats: 3 });
      assert.equal(report.runs.length, DETERMINISM_MATRIX.length * 3);
      assert.equal(report.firstDivergentNode, undefined);
      assert.equal(report.traceRoots.length, 1, JSON.stringify(report.traceRoots));
      assert.ok(report.deterministic);
    });
  }

  it("traces nodes computed only from constants (which onnxruntime folds) identically at every level", async () => {
    const bytes = new GraphBuilder({ opset: 14 })
      .input("x", DType.INT8, [1, 4])
      .initializer("c", tensor(DType.INT8, [4], [1, 2, 3, 4]))
      .node("Cast", ["c"], ["c32"], { to: DType.INT32 })
      .node("Mul", ["c32", "c32"], ["sq"])
      .node("Cast", ["x"], ["x32"], { to: DType.INT32 })
      .node("Add", ["x32", "sq"], ["y"])
      .output("y", DType.INT32, [1, 4])
      .build();
    const compiled = compileModel(bytes);
    const input = tensor(DType.INT8, [1, 4], [5, 6, 7, 8]);
    const report = await checkDeterminism(compiled, input, { repeats: 1 });
    assert.ok(report.deterministic);
    const trace = await traceModel(compiled, input, { graphOptimizationLevel: "all" });
    const squared = trace.nodeOutputs[1];
    assert.ok(squared, "node 1 has an output");
    assert.deepEqual(Array.from(squared.data as Int32Array), [1, 4, 9, 16]);
    assert.deepEqual(Array.from(trace.output.data as Int32Array), [6, 10, 16, 24]);
  });

  it("the same traceRoot from a fresh session", async () => {
    const compiled = compileModel(mlpModel());
    const first = await traceModel(compiled, mlpInput(4));
    await releaseSessions();
    const second = await traceModel(compiled, mlpInput(4));
    assert.equal(second.traceRoot, first.traceRoot);
  });

  it("different inputs give different traceRoots", async () => {
    const compiled = compileModel(mlpModel());
    const a = await traceModel(compiled, mlpInput(1));
    const b = await traceModel(compiled, mlpInput(2));
    assert.notEqual(a.traceRoot, b.traceRoot);
  });
});
