/**
 * Add, Sub, Mul, Div, Sqrt (src/float/elementwise.ts): both faithful roundings of the
 * exact result are admissible, claims at 0.5 of the bound never flagged and at 1.1 and
 * beyond always; IEEE special values are held bit for bit; the grid rule agrees with the
 * exact definition.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { abs, add, cmp, mul, pow2, rational, termOf } from "../../src/float/dyadic.ts";
import {
  elementwiseBound,
  ElementwiseOp,
  elementwiseVerdict,
  exactElementwiseVerdict,
  exactResult,
  type ElementwiseElement,
} from "../../src/float/elementwise.ts";
import { CANONICAL_NAN, fromBits, NEGATIVE_INFINITY, POSITIVE_INFINITY, toBits } from "../../src/float/f32.ts";
import { STRICT_FP32 } from "../../src/float/policy.ts";
import { Verdict } from "../../src/float/verdict.ts";
import { Rng } from "../../src/vectors/rng.ts";
import { claimAt } from "../../src/float/claims.ts";
import { add32 } from "./exec.ts";
import { uniform } from "./inputs.ts";

const P = STRICT_FP32;
const ARITHMETIC = [ElementwiseOp.ADD, ElementwiseOp.SUB, ElementwiseOp.MUL, ElementwiseOp.DIV] as const;

/** An operand from a family: ordinary, wide exponent range, or subnormal. */
function value(rng: Rng, kind: number): number {
  const x = uniform(rng, -1, 1);
  if (kind === 0) return Math.fround(x * 8);
  if (kind === 1) return Math.fround(x * 2 ** Math.floor(uniform(rng, -100, 100)));
  return Math.fround(x * 2 ** -130);
}

function honest(op: ElementwiseOp, a: number, b: number): number {
  if (op === ElementwiseOp.ADD) return add32(a, b);
  if (op === ElementwiseOp.SUB) return add32(a, -b);
  if (op === ElementwiseOp.MUL) return Math.fround(a * b);
  if (op === ElementwiseOp.DIV) return Math.fround(a / b);
  return Math.fround(Math.sqrt(a));
}

test("honest results and both faithful neighbours are admissible (Add, Sub, Mul, Div, Sqrt)", () => {
  const rng = new Rng(21);
  for (const op of [...ARITHMETIC, ElementwiseOp.SQRT]) {
    for (let i = 0; i < 300; i++) {
      let a = value(rng, i % 3);
      const b = value(rng, (i >> 1) % 3);
      if (op === ElementwiseOp.SQRT) a = Math.abs(a);
      if (op === ElementwiseOp.DIV && b === 0) continue;
      const y = honest(op, a, b);
      if (!Number.isFinite(y)) continue;
      const e: ElementwiseElement = { op, a: toBits(a), b: toBits(b), claimed: toBits(y) };
      assert.equal(elementwiseVerdict(e, P), Verdict.ADMISSIBLE, `op ${op} ${a} ${b}`);
      assert.equal(exactElementwiseVerdict(e, P), Verdict.ADMISSIBLE);
      // The other neighbour of the exact result: one ulp on the other side of it.
      if (op !== ElementwiseOp.SQRT && y !== 0) {
        const exact = exactResult(e);
        const above = cmp(rational(termOf(e.claimed)), exact) > 0;
        const next = toBits(y + (above ? -1 : 1) * 2 ** (Math.max(Math.floor(Math.log2(Math.abs(y))), -126) - 23));
        const other = { ...e, claimed: next };
        if (cmp(rational(termOf(next)), exact) !== cmp(rational(termOf(e.claimed)), exact)) {
          assert.equal(elementwiseVerdict(other, P), Verdict.ADMISSIBLE, `op ${op} other neighbour`);
        }
      }
    }
  }
});

test("claims at 0.5 of the bound are admissible; at 1.1, 2 and 10 they are fraud", () => {
  const rng = new Rng(22);
  let flagged = 0;
  for (const op of ARITHMETIC) {
    for (let i = 0; i < 60; i++) {
      const a = value(rng, i % 3);
      const b = value(rng, (i >> 2) % 3);
      if (op === ElementwiseOp.DIV && b === 0) continue;
      const base: ElementwiseElement = { op, a: toBits(a), b: toBits(b), claimed: 0 };
      const y = exactResult(base);
      if (cmp(abs(y), pow2(120)) > 0) continue; // no fp32 claim 10 bounds away
      const bound = elementwiseBound(base, P);
      for (const sign of [1, -1] as const) {
        const half = { ...base, claimed: claimAt(y, bound, 0.5, sign, true) };
        assert.equal(elementwiseVerdict(half, P), Verdict.ADMISSIBLE, `op ${op} ${a} ${b} 0.5`);
        for (const c of [1.1, 2, 10]) {
          const out = { ...base, claimed: claimAt(y, bound, c, sign, false) };
          assert.equal(elementwiseVerdict(out, P), Verdict.VIOLATES, `op ${op} ${a} ${b} ${c}`);
          assert.equal(exactElementwiseVerdict(out, P), Verdict.VIOLATES);
          flagged++;
        }
      }
    }
  }
  assert.ok(flagged > 4 * 30 * 6, `${flagged}`);
});

test("Sqrt: claims two bounds away are fraud, on both sides", () => {
  const rng = new Rng(23);
  for (let i = 0; i < 200; i++) {
    const a = Math.abs(value(rng, i % 3));
    const y = Math.sqrt(a);
    // 2u·√a + η, exactly enough in double for a claim 3 bounds away.
    const bound = 2 ** -23 * y + 2 ** -124;
    for (const sign of [1, -1]) {
      const claimed = Math.fround(y + sign * 3 * bound);
      if (Math.abs(claimed - y) < 2.5 * bound) continue;
      const e: ElementwiseElement = { op: ElementwiseOp.SQRT, a: toBits(a), b: 0, claimed: toBits(claimed) };
      assert.equal(elementwiseVerdict(e, P), Verdict.VIOLATES, `sqrt(${a}) claimed ${claimed}`);
      assert.equal(exactElementwiseVerdict(e, P), Verdict.VIOLATES);
    }
  }
});

test("the grid rule equals the exact rule on claims one ulp either side of the bound", () => {
  const rng = new Rng(24);
  let compared = 0;
  for (const op of ARITHMETIC) {
    for (let i = 0; i < 80; i++) {
      const a = value(rng, i % 3);
      const b = value(rng, (i >> 1) % 3);
      if (op === ElementwiseOp.DIV && b === 0) continue;
      const base: ElementwiseElement = { op, a: toBits(a), b: toBits(b), claimed: 0 };
      const y = exactResult(base);
      if (cmp(abs(y), pow2(120)) > 0) continue; // in or near the unchecked range
      const bound = elementwiseBound(base, P);
      for (const within of [true, false]) {
        const e = { ...base, claimed: claimAt(y, bound, 1, i % 2 === 0 ? 1 : -1, within) };
        assert.equal(elementwiseVerdict(e, P), exactElementwiseVerdict(e, P), `op ${op} ${a} ${b} ${within}`);
        compared++;
      }
    }
  }
  assert.ok(compared > 400, `${compared}`);
});

test("IEEE special values: the claim must be the IEEE result (NaN any pattern, −0 = +0)", () => {
  const cases: [ElementwiseOp, number, number, number][] = [
    [ElementwiseOp.ADD, POSITIVE_INFINITY, toBits(1), POSITIVE_INFINITY],
    [ElementwiseOp.ADD, POSITIVE_INFINITY, NEGATIVE_INFINITY, CANONICAL_NAN],
    [ElementwiseOp.SUB, POSITIVE_INFINITY, POSITIVE_INFINITY, CANONICAL_NAN],
    [ElementwiseOp.MUL, POSITIVE_INFINITY, 0, CANONICAL_NAN],
    [ElementwiseOp.MUL, NEGATIVE_INFINITY, toBits(2), NEGATIVE_INFINITY],
    [ElementwiseOp.DIV, toBits(1), 0, POSITIVE_INFINITY],
    [ElementwiseOp.DIV, toBits(1), 0x80000000, NEGATIVE_INFINITY],
    [ElementwiseOp.DIV, 0, 0, CANONICAL_NAN],
    [ElementwiseOp.DIV, toBits(5), POSITIVE_INFINITY, 0x80000000],
    [ElementwiseOp.SQRT, toBits(-4), 0, CANONICAL_NAN],
    [ElementwiseOp.SQRT, POSITIVE_INFINITY, 0, POSITIVE_INFINITY],
    [ElementwiseOp.ADD, 0x7fc00001, toBits(1), CANONICAL_NAN],
  ];
  for (const [op, a, b, expected] of cases) {
    assert.equal(elementwiseVerdict({ op, a, b, claimed: expected }, P), Verdict.ADMISSIBLE, `${op} ${a} ${b}`);
    assert.equal(elementwiseVerdict({ op, a, b, claimed: toBits(1) }, P), Verdict.VIOLATES, `${op} ${a} ${b}`);
  }
  assert.equal(
    elementwiseVerdict({ op: ElementwiseOp.DIV, a: toBits(5), b: POSITIVE_INFINITY, claimed: 0 }, P),
    Verdict.ADMISSIBLE,
  );
});

test("an exact result of 2^127 or more is unchecked; below it a non-finite claim is fraud", () => {
  const big = toBits(2 ** 126);
  assert.equal(
    elementwiseVerdict({ op: ElementwiseOp.ADD, a: big, b: big, claimed: POSITIVE_INFINITY }, P),
    Verdict.UNCHECKED,
  );
  assert.equal(
    elementwiseVerdict({ op: ElementwiseOp.MUL, a: toBits(2 ** 64), b: toBits(2 ** 64), claimed: toBits(1) }, P),
    Verdict.UNCHECKED,
  );
  assert.equal(
    elementwiseVerdict({ op: ElementwiseOp.DIV, a: toBits(2 ** 10), b: toBits(2 ** -117), claimed: toBits(1) }, P),
    Verdict.UNCHECKED,
  );
  assert.equal(
    elementwiseVerdict(
      { op: ElementwiseOp.ADD, a: toBits(2 ** 125), b: toBits(2 ** 125), claimed: POSITIVE_INFINITY },
      P,
    ),
    Verdict.VIOLATES,
  );
  assert.equal(
    elementwiseVerdict(
      { op: ElementwiseOp.ADD, a: toBits(2 ** 125), b: toBits(2 ** 125), claimed: toBits(2 ** 126) },
      P,
    ),
    Verdict.ADMISSIBLE,
  );
});

test("the bound of a result below the normal range is η: within it any claim is admissible", () => {
  const tiny = 0x00000001; // 2^−149
  const eta = pow2(P.etaExponent);
  const e: ElementwiseElement = { op: ElementwiseOp.MUL, a: tiny, b: toBits(0.5), claimed: toBits(2 ** -125) };
  assert.ok(cmp(abs(add(rational(termOf(e.claimed)), mul(exactResult(e), { num: -1n, den: 1n }))), eta) < 0);
  assert.equal(elementwiseVerdict(e, P), Verdict.ADMISSIBLE);
  assert.equal(elementwiseVerdict({ ...e, claimed: toBits(2 ** -123) }, P), Verdict.VIOLATES);
  assert.equal(fromBits(tiny), 2 ** -149);
});
