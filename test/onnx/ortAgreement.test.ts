/**
 * The loader's verdict and shape inference against onnxruntime 1.30 CPU:
 * every single-op model the loader accepts runs, and onnxruntime returns the
 * dtype and shape the loader inferred for every node (traceModel checks that)
 * and the values the reference evaluator computes; every op/dtype pair the
 * loader refuses as OP_DTYPE is one onnxruntime cannot load either.
 */
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import * as ort from "onnxruntime-node";
import { GraphBuilder, type AttrValue } from "../../src/onnx/builder.ts";
import { compileModel } from "../../src/onnx/compile.ts";
import { UnsupportedDTypeError } from "../../src/onnx/errors.ts";
import { evaluateNode } from "../../src/reference/evaluate.ts";
import { DType, dtypeInfo } from "../../src/tensor/dtype.ts";
import type { Tensor } from "../../src/tensor/tensor.ts";
import { operandTensors } from "../../src/trace/operands.ts";
import { releaseSessions } from "../../src/trace/session.ts";
import { traceModel } from "../../src/trace/trace.ts";
import { Rng } from "../../src/vectors/rng.ts";
import { randomTensor, tensor } from "./models.ts";

const ALL: readonly DType[] = [DType.UINT8, DType.INT8, DType.INT32, DType.INT64];
const OPSETS = [13, 14, 21];

interface Case {
  readonly label: string;
  readonly bytes: Uint8Array;
  readonly input: Tensor;
}

/** x (int8/uint8 job input) → Cast to `dtype` when needed → op(xc, extra inputs…) → y. */
function caseFor(
  label: string,
  opset: number,
  dtype: DType,
  op: string,
  args: readonly (Tensor | string)[],
  attrs: Record<string, AttrValue>,
  rng: Rng,
  shape: number[],
  out: { dtype: DType; shape: number[] },
): Case {
  const inDType = dtype === DType.UINT8 ? DType.UINT8 : DType.INT8;
  const b = new GraphBuilder({ opset }).input("x", inDType, shape);
  let first = "x";
  if (dtype !== inDType) {
    b.node("Cast", ["x"], ["xc"], { to: dtype });
    first = "xc";
  }
  const names = args.map((a, i) => {
    if (typeof a === "string") return a === "x" ? first : a;
    b.initializer(`k${i}`, a);
    return `k${i}`;
  });
  b.node(op, [first, ...names], ["y"], attrs);
  const bytes = b.output("y", out.dtype, out.shape).build();
  const { min, max } = dtypeInfo(inDType);
  return { label: `${label} @${opset}`, bytes, input: randomTensor(rng, inDType, shape, Number(min), Number(max)) };
}

function cases(): Case[] {
  const rng = new Rng(99);
  const out: Case[] = [];
  for (const opset of OPSETS) {
    for (const d of ALL) {
      const { min, max } = dtypeInfo(d);
      const lo = Number(min < -1000n ? -1000n : min);
      const hi = Number(max > 1000n ? 1000n : max);
      const divisor = tensor(d, [4, 1, 1], d === DType.UINT8 ? [1, 2, 3, 7] : [1, -2, 3, -7]);
      const n = dtypeInfo(d).name;
      const same = { dtype: d, shape: [2, 3] };
      for (const op of ["Add", "Sub", "Mul"]) {
        out.push(
          caseFor(`${op} ${n}`, opset, d, op, [randomTensor(rng, d, [4, 1, 3], lo, hi)], {}, rng, [2, 3], {
            dtype: d,
            shape: [4, 2, 3],
          }),
        );
      }
      out.push(caseFor(`Div ${n}`, opset, d, "Div", [divisor], {}, rng, [2, 3], { dtype: d, shape: [4, 2, 3] }));
      for (const op of ["Max", "Min"])
        out.push(
          caseFor(`${op}×3 ${n}`, opset, d, op, ["x", randomTensor(rng, d, [3], lo, hi)], {}, rng, [2, 3], same),
        );
      out.push(
        caseFor(
          `Clip ${n}`,
          opset,
          d,
          "Clip",
          [tensor(d, [], [Math.trunc(lo / 2)]), tensor(d, [1], [Math.trunc(hi / 2)])],
          {},
          rng,
          [2, 3],
          same,
        ),
      );
      out.push(caseFor(`Clip max only ${n}`, opset, d, "Clip", ["", tensor(d, [], [3])], {}, rng, [2, 3], same));
      out.push(caseFor(`Relu ${n}`, opset, d, "Relu", [], {}, rng, [2, 3], same));
      for (const to of ALL)
        out.push(
          caseFor(`Cast ${n}→${dtypeInfo(to).name}`, opset, d, "Cast", [], { to }, rng, [2, 3], {
            dtype: to,
            shape: [2, 3],
          }),
        );
      out.push(
        caseFor(`Reshape ${n}`, opset, d, "Reshape", [tensor(DType.INT64, [3], [0, -1, 2])], {}, rng, [2, 3, 4], {
          dtype: d,
          shape: [2, 6, 2],
        }),
      );
      out.push(
        caseFor(`Flatten ${n}`, opset, d, "Flatten", [], { axis: -1 }, rng, [2, 3, 4], { dtype: d, shape: [6, 4] }),
      );
      out.push(caseFor(`Identity ${n}`, opset, d, "Identity", [], {}, rng, [2, 3], same));
      for (const idx of [DType.INT32, DType.INT64]) {
        const indices = tensor(idx, [2, 2], [0, -1, 2, -3]);
        out.push(
          caseFor(`Gather[${dtypeInfo(idx).name}] ${n}`, opset, d, "Gather", [indices], { axis: -2 }, rng, [2, 3, 4], {
            dtype: d,
            shape: [2, 2, 2, 4],
          }),
        );
      }
      out.push(
        caseFor(`Gather scalar ${n}`, opset, d, "Gather", [tensor(DType.INT64, [], [1])], { axis: 1 }, rng, [2, 3], {
          dtype: d,
          shape: [2],
        }),
      );
      const argmax = { axis: -1, keepdims: 0, select_last_index: 1 };
      out.push(
        caseFor(`ArgMax ${n}`, opset, d, "ArgMax", [], argmax, rng, [2, 3, 4], { dtype: DType.INT64, shape: [2, 3] }),
      );
      out.push(
        caseFor(`ArgMax keepdims ${n}`, opset, d, "ArgMax", [], { axis: 2 }, rng, [2, 3, 4], {
          dtype: DType.INT64,
          shape: [2, 3, 1],
        }),
      );
    }
    for (const a of [DType.UINT8, DType.INT8]) {
      for (const bt of [DType.UINT8, DType.INT8]) {
        const { min, max } = dtypeInfo(bt);
        const w = randomTensor(rng, bt, [3, 4], Number(min), Number(max));
        const name = `MatMulInteger ${dtypeInfo(a).name}×${dtypeInfo(bt).name}`;
        const acc = { dtype: DType.INT32, shape: [2, 4] };
        out.push(caseFor(name, opset, a, "MatMulInteger", [w], {}, rng, [2, 3], acc));
        const zps = [w, tensor(a, [], [3]), randomTensor(rng, bt, [4], 0, 5)];
        out.push(caseFor(`${name} zero points`, opset, a, "MatMulInteger", zps, {}, rng, [2, 3], acc));
        const zp1 = [w, tensor(a, [1], [3]), tensor(bt, [1], [2])];
        out.push(caseFor(`${name} [1] zero points`, opset, a, "MatMulInteger", zp1, {}, rng, [2, 3], acc));
      }
    }
  }
  return out;
}

describe("loader and onnxruntime 1.30 CPU agree", () => {
  after(releaseSessions);
  const all = cases();
  let accepted = 0;
  let refused = 0;

  for (const c of all) {
    it(c.label, async () => {
      let compiled;
      try {
        compiled = compileModel(c.bytes);
      } catch (e) {
        if (!(e instanceof UnsupportedDTypeError && e.code === "OP_DTYPE")) throw e;
        refused++;
        await assert.rejects(
          ort.InferenceSession.create(c.bytes, { logSeverityLevel: 4 }),
          `${c.label}: onnxruntime loads what the loader refused`,
        );
        return;
      }
      accepted++;
      const trace = await traceModel(compiled, c.input);
      compiled.nodes.forEach((desc, i) => {
        const expected = evaluateNode(desc, operandTensors(compiled, trace, i));
        assert.deepEqual(
          trace.nodeOutputs[i]?.data,
          expected.data,
          `${c.label}: node ${i} differs from the reference evaluator`,
        );
      });
      await releaseSessions();
    });
  }

  it("covers both verdicts", () => {
    assert.ok(accepted > 100 && refused > 10, `${accepted} accepted, ${refused} refused`);
  });
});
