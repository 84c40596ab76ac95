/**
 * Unit tests of the element-level reference evaluator: hand-checked semantics,
 * the exact operand openings of §6.1, and the one-step check refusing
 * openings that are not exactly those.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { Source, ZERO_ROOT, type NodeDescriptor, type Operand } from "../../src/graph/descriptor.ts";
import { Opcode } from "../../src/graph/opcode.ts";
import { broadcastIndex, broadcastIndexTables, broadcastShape } from "../../src/reference/broadcast.ts";
import { CaseRng, caseOperands, generatorsFor } from "../../src/reference/cases.ts";
import {
  dependencies,
  evaluateElement,
  evaluateFromOpenings,
  evaluateNode,
  openings,
  ReferenceEvalError,
  rowMajorIndexOf,
} from "../../src/reference/evaluate.ts";
import { supportError } from "../../src/reference/support.ts";
import { DType } from "../../src/tensor/dtype.ts";
import { committedPosition, Layout, type TensorSpec } from "../../src/tensor/spec.ts";
import { Tensor } from "../../src/tensor/tensor.ts";
import type { IntegerOpName as OpName } from "../../src/graph/opcode.ts";

const spec = (dtype: DType, shape: number[], layout: Layout = Layout.ROW_MAJOR): TensorSpec => ({
  dtype,
  layout,
  shape,
});
const t = (dtype: DType, shape: number[], values: (number | bigint)[], layout: Layout = Layout.ROW_MAJOR) =>
  Tensor.fromBigInts(spec(dtype, shape, layout), values.map(BigInt));
const operand = (x: Tensor | undefined, source: Source = Source.NODE_OUTPUT): Operand =>
  x === undefined
    ? { source: Source.ABSENT, index: 0, root: ZERO_ROOT, spec: spec(0 as DType, []) }
    : { source, index: 0, root: ZERO_ROOT, spec: x.spec };
const node = (
  opcode: Opcode,
  inputs: (Tensor | undefined)[],
  output: TensorSpec,
  attrs: bigint[] = [],
): NodeDescriptor => ({
  opcode,
  inputs: inputs.map((x) => operand(x)),
  output,
  attrs,
});
const all = (desc: NodeDescriptor, ops: (Tensor | undefined)[]) => {
  const out = evaluateNode(desc, ops);
  const elems = Array.from({ length: out.size }, (_, i) => evaluateElement(desc, ops, i));
  assert.deepEqual(
    elems,
    Array.from({ length: out.size }, (_, i) => out.at(i)),
    "evaluateElement agrees with evaluateNode",
  );
  return elems;
};

test("broadcasting follows numpy", () => {
  assert.deepEqual(broadcastShape([[2, 1, 4], [3, 1], []]), [2, 3, 4]);
  assert.throws(() => broadcastShape([[2], [3]]), ReferenceEvalError);
  // [2,3] with [3]: element (1,2) reads operand element 2; with [2,1]: element 1.
  assert.equal(broadcastIndex([2, 3], [3], 5), 2);
  assert.equal(broadcastIndex([2, 3], [2, 1], 5), 1);
  assert.equal(broadcastIndex([2, 3], [], 5), 0);
  const [a, b] = broadcastIndexTables([2, 3], [[3], [2, 1]]);
  assert.ok(a && b);
  assert.deepEqual([...a], [0, 1, 2, 0, 1, 2]);
  assert.deepEqual([...b], [0, 0, 0, 1, 1, 1]);
});

test("rowMajorIndexOf inverts committedPosition", () => {
  for (const s of [
    spec(DType.INT8, [3, 5], Layout.TRANSPOSED),
    spec(DType.INT8, [2, 3, 4], Layout.TRANSPOSED),
    spec(DType.INT8, [7]),
  ]) {
    const n = s.shape.reduce((x, y) => x * y, 1);
    for (let i = 0; i < n; i++) assert.equal(rowMajorIndexOf(s, committedPosition(s, i)), i);
  }
});

test("arithmetic wraps, Div truncates toward zero", () => {
  const bin = (opcode: Opcode, a: Tensor, b: Tensor) =>
    all(node(opcode, [a, b], spec(a.spec.dtype, [...a.spec.shape])), [a, b]);
  const i32 = (v: number[]) => t(DType.INT32, [v.length], v);
  assert.deepEqual(bin(Opcode.Add, i32([2147483647, -2147483648, 5]), i32([1, -1, -7])), [
    -2147483648n,
    2147483647n,
    -2n,
  ]);
  assert.deepEqual(bin(Opcode.Mul, i32([65536, -3]), i32([65536, 1431655765])), [0n, 1n]);
  const i8 = (v: number[]) => t(DType.INT8, [v.length], v);
  assert.deepEqual(bin(Opcode.Div, i8([-7, 7, -128, -1]), i8([2, -2, 3, 2])), [-3n, -3n, -42n, 0n]);
  assert.deepEqual(bin(Opcode.Mul, i8([-128, 100]), i8([-1, 3])), [-128n, 44n]);
  const u8 = (v: number[]) => t(DType.UINT8, [v.length], v);
  assert.deepEqual(bin(Opcode.Sub, u8([0, 3]), u8([1, 250])), [255n, 9n]);
  const i64 = (v: bigint[]) => t(DType.INT64, [v.length], v);
  assert.deepEqual(bin(Opcode.Mul, i64([2n ** 62n, -(2n ** 63n)]), i64([4n, -1n])), [0n, -(2n ** 63n)]);
  const zero = node(Opcode.Div, [i8([1]), i8([0])], spec(DType.INT8, [1]));
  assert.throws(() => evaluateElement(zero, [i8([1]), i8([0])], 0), /division by zero/);
});

test("Max/Min are variadic with broadcasting", () => {
  const a = t(DType.INT8, [2, 2], [1, -5, 7, 0]);
  const b = t(DType.INT8, [2], [3, -6]);
  const c = t(DType.INT8, [], [2]);
  assert.deepEqual(all(node(Opcode.Max, [a, b, c], spec(DType.INT8, [2, 2])), [a, b, c]), [3n, 2n, 7n, 2n]);
  assert.deepEqual(all(node(Opcode.Min, [a], spec(DType.INT8, [2, 2])), [a]), [1n, -5n, 7n, 0n]);
});

test("Clip: absent bounds are the dtype's limits; min > max gives max", () => {
  const x = t(DType.INT32, [4], [-5, 0, 5, 2147483647]);
  const lo = t(DType.INT32, [], [-1]);
  const hi = t(DType.INT32, [], [3]);
  assert.deepEqual(all(node(Opcode.Clip, [x, lo, hi], spec(DType.INT32, [4])), [x, lo, hi]), [-1n, 0n, 3n, 3n]);
  assert.deepEqual(all(node(Opcode.Clip, [x, undefined, hi], spec(DType.INT32, [4])), [x, undefined, hi]), [
    -5n,
    0n,
    3n,
    3n,
  ]);
  assert.deepEqual(all(node(Opcode.Clip, [x, lo], spec(DType.INT32, [4])), [x, lo]), [-1n, 0n, 5n, 2147483647n]);
  assert.deepEqual(all(node(Opcode.Clip, [x], spec(DType.INT32, [4])), [x]), [-5n, 0n, 5n, 2147483647n]);
  const big = t(DType.INT32, [], [10]);
  assert.deepEqual(all(node(Opcode.Clip, [x, big, hi], spec(DType.INT32, [4])), [x, big, hi]), [3n, 3n, 3n, 3n]);
  const r = t(DType.INT8, [3], [-128, 0, 127]);
  assert.deepEqual(all(node(Opcode.Relu, [r], spec(DType.INT8, [3])), [r]), [0n, 0n, 127n]);
});

test("Cast truncates two's complement", () => {
  const x = t(DType.INT32, [4], [300, -1, 128, -129]);
  assert.deepEqual(all(node(Opcode.Cast, [x], spec(DType.INT8, [4]), [BigInt(DType.INT8)]), [x]), [
    44n,
    -1n,
    -128n,
    127n,
  ]);
  assert.deepEqual(all(node(Opcode.Cast, [x], spec(DType.UINT8, [4]), [BigInt(DType.UINT8)]), [x]), [
    44n,
    255n,
    128n,
    127n,
  ]);
  const y = t(DType.INT64, [2], [2n ** 40n + 5n, -(2n ** 63n)]);
  assert.deepEqual(all(node(Opcode.Cast, [y], spec(DType.INT32, [2]), [BigInt(DType.INT32)]), [y]), [5n, 0n]);
  const u = t(DType.UINT8, [1], [200]);
  assert.deepEqual(all(node(Opcode.Cast, [u], spec(DType.INT64, [1]), [BigInt(DType.INT64)]), [u]), [200n]);
});

test("MatMulInteger: zero points, wrap to int32, openings are one row and one column", () => {
  const A = t(DType.UINT8, [2, 3], [1, 2, 3, 255, 0, 128]);
  const B = t(DType.INT8, [3, 2], [1, -1, 2, -128, 3, 127], Layout.TRANSPOSED);
  const azp = t(DType.UINT8, [], [128]);
  const bzp = t(DType.INT8, [2], [0, -1]);
  const desc = node(Opcode.MatMulInteger, [A, B, azp, bzp], spec(DType.INT32, [2, 2]));
  const ops = [A, B, azp, bzp];
  const ref = (m: number, n: number) => {
    let s = 0n;
    for (let k = 0; k < 3; k++) s += (A.at(m * 3 + k) - 128n) * (B.at(k * 2 + n) - bzp.at(n));
    return s;
  };
  assert.deepEqual(all(desc, ops), [ref(0, 0), ref(0, 1), ref(1, 0), ref(1, 1)]);
  // o = 3 → row 1, column 1.
  assert.deepEqual(dependencies(desc, ops, 3), [
    { operand: 0, start: 3, count: 3 },
    { operand: 1, start: 3, count: 3 },
    { operand: 2, start: 0, count: 1 },
    { operand: 3, start: 1, count: 1 },
  ]);
  const op = openings(desc, ops, 3);
  assert.deepEqual(op[1]?.values, [-1n, -128n, 127n], "B's column in committed (transposed) order");
  // Without zero points (trailing inputs omitted) and with only b_zero_point (a_zero_point ABSENT).
  const d2 = node(Opcode.MatMulInteger, [A, B], spec(DType.INT32, [2, 2]));
  assert.deepEqual(dependencies(d2, [A, B], 2).length, 2);
  const d3 = node(Opcode.MatMulInteger, [A, B, undefined, bzp], spec(DType.INT32, [2, 2]));
  assert.deepEqual(dependencies(d3, [A, B, undefined, bzp], 1).at(-1), { operand: 3, start: 1, count: 1 });
  // int32 wrap of the accumulator.
  const K = 40_000;
  const A2 = t(DType.UINT8, [1, K], Array(K).fill(255));
  const B2 = t(DType.UINT8, [K, 1], Array(K).fill(255), Layout.TRANSPOSED);
  const d4 = node(Opcode.MatMulInteger, [A2, B2], spec(DType.INT32, [1, 1]));
  const exact = 255n * 255n * BigInt(K);
  assert.equal(evaluateElement(d4, [A2, B2], 0), BigInt.asIntN(32, exact));
  assert.equal(evaluateNode(d4, [A2, B2]).at(0), BigInt.asIntN(32, exact));
});

test("MatMulInteger needs A row-major and B transposed (so each opening is one run)", () => {
  const A = t(DType.INT8, [1, 3], [1, 2, 3]);
  const B = t(DType.INT8, [3, 2], [1, 2, 3, 4, 5, 6]);
  const desc = node(Opcode.MatMulInteger, [A, B], spec(DType.INT32, [1, 2]));
  assert.throws(() => dependencies(desc, [A, B], 1), /B must be committed transposed/);
  const Bt = B.withLayout(Layout.TRANSPOSED);
  const ok = node(Opcode.MatMulInteger, [A, Bt], spec(DType.INT32, [1, 2]));
  assert.equal(evaluateElement(ok, [A, Bt], 1), 2n + 8n + 18n);
});

test("Gather: negative indices, openings are the index then the data element", () => {
  const data = t(DType.INT32, [3, 4], [0, 1, 2, 3, 10, 11, 12, 13, 20, 21, 22, 23]);
  const idx = t(DType.INT64, [2], [-1, 0]);
  const d1 = node(Opcode.Gather, [data, idx], spec(DType.INT32, [3, 2]), [1n]);
  assert.deepEqual(all(d1, [data, idx]), [3n, 0n, 13n, 10n, 23n, 20n]);
  assert.deepEqual(dependencies(d1, [data, idx], 4), [
    { operand: 1, start: 0, count: 1 },
    { operand: 0, start: 11, count: 1 },
  ]);
  const d0 = node(Opcode.Gather, [data, idx], spec(DType.INT32, [2, 4]), [0n]);
  assert.deepEqual(all(d0, [data, idx]).slice(0, 4), [20n, 21n, 22n, 23n]);
  const scalar = t(DType.INT32, [], [-2]);
  const ds = node(Opcode.Gather, [data, scalar], spec(DType.INT32, [4]), [0n]);
  assert.deepEqual(all(ds, [data, scalar]), [10n, 11n, 12n, 13n]);
  const bad = t(DType.INT64, [1], [3]);
  assert.throws(
    () => evaluateNode(node(Opcode.Gather, [data, bad], spec(DType.INT32, [1, 4]), [0n]), [data, bad]),
    /out of range/,
  );
});

test("ArgMax: first or last maximum, keepdims, the row is one run", () => {
  const x = t(DType.INT8, [2, 4], [5, 7, 7, -1, -128, -128, -128, -128]);
  const first = node(Opcode.ArgMax, [x], spec(DType.INT64, [2, 1]), [1n, 1n, 0n]);
  assert.deepEqual(all(first, [x]), [1n, 0n]);
  const last = node(Opcode.ArgMax, [x], spec(DType.INT64, [2]), [1n, 0n, 1n]);
  assert.deepEqual(all(last, [x]), [2n, 3n]);
  assert.deepEqual(dependencies(last, [x], 1), [{ operand: 0, start: 4, count: 4 }]);
  assert.throws(
    () => evaluateNode(node(Opcode.ArgMax, [x], spec(DType.INT64, [1, 4]), [0n, 1n, 0n]), [x]),
    /last axis/,
  );
});

test("Reshape/Flatten/Identity read the same row-major element; Reshape never opens its shape", () => {
  const x = t(DType.UINT8, [2, 3], [1, 2, 3, 4, 5, 6]);
  const s = t(DType.INT64, [2], [-1, 2]);
  const r = node(Opcode.Reshape, [x, s], spec(DType.UINT8, [3, 2]));
  assert.deepEqual(all(r, [x, s]), [1n, 2n, 3n, 4n, 5n, 6n]);
  assert.deepEqual(dependencies(r, [x, s], 4), [{ operand: 0, start: 4, count: 1 }]);
  assert.throws(
    () => evaluateNode(node(Opcode.Reshape, [x, s], spec(DType.UINT8, [2, 3])), [x, s]),
    /shape operand gives/,
  );
  const f = node(Opcode.Flatten, [x], spec(DType.UINT8, [1, 6]), [0n]);
  assert.deepEqual(all(f, [x]), [1n, 2n, 3n, 4n, 5n, 6n]);
  assert.throws(() => evaluateNode(node(Opcode.Flatten, [x], spec(DType.UINT8, [6, 1]), [0n]), [x]), /output spec/);
});

test("the one-step check accepts exactly the prescribed openings", () => {
  const rng = new CaseRng(7);
  for (const op of ["MatMulInteger", "Add", "Clip", "Gather", "ArgMax"] as OpName[]) {
    for (const { gen } of generatorsFor(op)) {
      const c = gen(rng);
      const ops = caseOperands(c);
      const o = rng.int(0, c.desc.output.shape.reduce((a, b) => a * b, 1) - 1);
      const good = openings(c.desc, ops, o);
      const value = evaluateFromOpenings(c.desc, o, good);
      assert.equal(value, evaluateNode(c.desc, ops).at(o));
      // Dropping, reordering, shifting or truncating an opening is refused.
      assert.throws(() => evaluateFromOpenings(c.desc, o, good.slice(1)), ReferenceEvalError, `${c.name}: dropped`);
      const [first, second, ...rest] = good;
      if (first !== undefined && second !== undefined && first.operand !== second.operand) {
        assert.throws(() => evaluateFromOpenings(c.desc, o, [second, first, ...rest]), ReferenceEvalError);
      }
      const shifted = good.map((g, i) => (i === 0 ? { ...g, start: g.start + 1 } : g));
      assert.throws(() => evaluateFromOpenings(c.desc, o, shifted), ReferenceEvalError, `${c.name}: shifted`);
      const short = good.map((g, i) => (i === 0 ? { ...g, values: g.values.slice(1) } : g));
      assert.throws(() => evaluateFromOpenings(c.desc, o, short), ReferenceEvalError, `${c.name}: short`);
      const outOfRange = good.map((g, i) => (i === 0 ? { ...g, values: [2n ** 70n, ...g.values.slice(1)] } : g));
      assert.throws(() => evaluateFromOpenings(c.desc, o, outOfRange), ReferenceEvalError, `${c.name}: out of dtype`);
    }
  }
});

test("Gather's one-step check follows the opened index value", () => {
  const data = t(DType.INT8, [4], [10, 20, 30, 40]);
  const idx = t(DType.INT32, [1], [2]);
  const desc = node(Opcode.Gather, [data, idx], spec(DType.INT8, [1]), [0n]);
  const good = openings(desc, [data, idx], 0);
  assert.equal(evaluateFromOpenings(desc, 0, good), 30n);
  const [indexOpening, dataOpening] = good;
  assert.ok(indexOpening && dataOpening);
  // A lying index opening (3) must come with data position 3, not 2.
  const lie = [{ ...indexOpening, values: [3n] }, dataOpening];
  assert.throws(() => evaluateFromOpenings(desc, 0, lie), ReferenceEvalError);
  assert.equal(
    evaluateFromOpenings(desc, 0, [
      { ...indexOpening, values: [3n] },
      { operand: 0, start: 3, count: 1, values: [40n] },
    ]),
    40n,
  );
});

test("descriptor checks: dtype, arity, output spec, operand mismatch", () => {
  const x = t(DType.INT8, [2], [1, 2]);
  const y = t(DType.INT32, [2], [1, 2]);
  assert.throws(() => evaluateNode(node(Opcode.Add, [x, y], spec(DType.INT8, [2])), [x, y]), ReferenceEvalError);
  assert.throws(() => evaluateNode(node(Opcode.Add, [x], spec(DType.INT8, [2])), [x]), ReferenceEvalError);
  assert.throws(() => evaluateNode(node(Opcode.Add, [x, x], spec(DType.INT8, [3])), [x, x]), /output spec/);
  assert.throws(() => evaluateNode(node(Opcode.Add, [x, x], spec(DType.INT8, [2])), [x, y]), /descriptor says/);
  assert.throws(() => evaluateElement(node(Opcode.Add, [x, x], spec(DType.INT8, [2])), [x, x], 2), /output index/);
  // Axes: normalized (as the compiler stores them) or negative from the end (as ONNX and the contracts accept).
  assert.deepEqual(evaluateNode(node(Opcode.Flatten, [x], spec(DType.INT8, [1, 2]), [-1n]), [x]).spec.shape, [1, 2]);
  assert.throws(() => evaluateNode(node(Opcode.Flatten, [x], spec(DType.INT8, [1, 2]), [-2n]), [x]), /out of range/);
  assert.equal(evaluateNode(node(Opcode.ArgMax, [x], spec(DType.INT64, []), [-1n, 0n, 0n]), [x]).at(0), 1n);
  assert.equal(evaluateNode(node(Opcode.ArgMax, [x], spec(DType.INT64, []), [0n, 0n, 0n]), [x]).at(0), 1n);
  assert.throws(() => evaluateNode(node(Opcode.ArgMax, [x], spec(DType.INT64, []), [1n, 0n, 0n]), [x]), /out of range/);
  assert.throws(
    () => evaluateNode(node(Opcode.Cast, [x], spec(DType.INT32, [2]), [BigInt(DType.INT8)]), [x]),
    /output spec/,
  );
});

test("supportError", () => {
  assert.equal(supportError(Opcode.Add, 14, [DType.INT8, DType.INT8], DType.INT8), undefined);
  assert.match(supportError(Opcode.Add, 13, [DType.INT8, DType.INT8], DType.INT8) ?? "", /int8 at opset 13/);
  assert.match(supportError(Opcode.Relu, 21, [DType.INT64], DType.INT64) ?? "", /Relu does not support/);
  assert.match(supportError(Opcode.Relu, 17, [DType.UINT8], DType.UINT8) ?? "", /Relu/);
  assert.equal(
    supportError(Opcode.MatMulInteger, 13, [DType.INT8, DType.UINT8, DType.INT8, DType.UINT8], DType.INT32),
    undefined,
  );
  assert.match(
    supportError(Opcode.MatMulInteger, 13, [DType.INT8, DType.UINT8, DType.UINT8], DType.INT32) ?? "",
    /a_zero_point/,
  );
  assert.match(supportError(Opcode.Gather, 13, [DType.INT8, DType.UINT8], DType.INT8) ?? "", /indices/);
  assert.equal(supportError(Opcode.Clip, 13, [DType.UINT8, undefined, DType.UINT8], DType.UINT8), undefined);
  assert.match(supportError(Opcode.Add, 22, [DType.INT32, DType.INT32], DType.INT32) ?? "", /opset/);
});
