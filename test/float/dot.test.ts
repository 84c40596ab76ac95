/**
 * The dot-product check (src/float/dot.ts) against real executions: honest fp32 results
 * in every evaluation order are never flagged, claims at 0.5·B never, claims at 1.1·B and
 * beyond always; the contract's grid rule agrees with the exact definition.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { dotClaim, dotVerdict, exactDotVerdict, type DotElement } from "../../src/float/dot.ts";
import { NEGATIVE_INFINITY, ONE, POSITIVE_INFINITY, CANONICAL_NAN, toBits } from "../../src/float/f32.ts";
import { STRICT_FP32 } from "../../src/float/policy.ts";
import { canonicalHint, exactValueAndBound, gridSumVerdict, enclose } from "../../src/float/sum.ts";
import { Verdict } from "../../src/float/verdict.ts";
import { Rng } from "../../src/vectors/rng.ts";
import { claimAt } from "../../src/float/claims.ts";
import { dot32, gemm32, ORDERS } from "./exec.ts";
import { FAMILIES, operands, uniform } from "./inputs.ts";

const P = STRICT_FP32;
const element = (a: number[], b: number[], claimed: number, extra: Partial<DotElement> = {}): DotElement => ({
  a: a.map(toBits),
  b: b.map(toBits),
  claimed,
  ...extra,
});

test("honest fp32 dot products are never flagged, in any order, with or without FMA, for every input family", () => {
  const rng = new Rng(11);
  let checked = 0;
  for (const family of FAMILIES) {
    for (const k of [1, 2, 7, 64, 257]) {
      const { a, b } = operands(rng, family, k);
      for (const order of ORDERS) {
        const e = element(a, b, toBits(dot32(a, b, order, rng)));
        assert.equal(dotVerdict(e, P), Verdict.ADMISSIBLE, `${family} K=${k} ${order}`);
        assert.equal(exactDotVerdict(e, P), Verdict.ADMISSIBLE, `${family} K=${k} ${order} (exact)`);
        checked++;
      }
    }
  }
  assert.equal(checked, FAMILIES.length * 5 * ORDERS.length);
});

test("honest fp32 dot products at K = 4096 are never flagged", () => {
  const rng = new Rng(12);
  for (const family of ["sameSign", "random", "cancelling"] as const) {
    const { a, b } = operands(rng, family, 4096);
    for (const order of ["sequential", "pairwise", "fma"] as const) {
      const e = element(a, b, toBits(dot32(a, b, order, rng)));
      assert.equal(dotVerdict(e, P), Verdict.ADMISSIBLE, `${family} ${order}`);
    }
  }
});

test("honest Gemm elements (bias, α, β; bias first or last) are never flagged", () => {
  const rng = new Rng(13);
  for (const family of FAMILIES) {
    const { a, b } = operands(rng, family, 48);
    const bias = Math.fround(uniform(rng, -4, 4));
    for (const [alpha, beta] of [
      [1, 1],
      [0.5, 2],
      [Math.fround(1.7), Math.fround(-0.3)],
    ] as const) {
      for (const order of ORDERS) {
        for (const biasFirst of [false, true]) {
          const y = gemm32(a, b, order, rng, alpha, beta, bias, biasFirst);
          const e = element(a, b, toBits(y), { bias: toBits(bias), alpha: toBits(alpha), beta: toBits(beta) });
          assert.equal(dotVerdict(e, P), Verdict.ADMISSIBLE, `${family} α=${alpha} β=${beta} ${order} ${biasFirst}`);
        }
      }
    }
  }
});

test("claims at 0.5·B are never flagged; at 1.1·B, 2·B and 10·B always (both sides, every family)", () => {
  const rng = new Rng(14);
  let flagged = 0;
  for (const family of FAMILIES) {
    for (const k of [1, 3, 64, 784]) {
      const { a, b } = operands(rng, family, k);
      const base = element(a, b, 0, k % 2 === 1 ? { bias: toBits(Math.fround(uniform(rng, -1, 1))) } : {});
      const { y, bound } = exactValueAndBound(dotClaim(base), P);
      for (const sign of [1, -1] as const) {
        const half = { ...base, claimed: claimAt(y, bound, 0.5, sign, true) };
        assert.equal(dotVerdict(half, P), Verdict.ADMISSIBLE, `${family} K=${k} 0.5·B`);
        assert.equal(exactDotVerdict(half, P), Verdict.ADMISSIBLE);
        for (const c of [1.1, 2, 10]) {
          const out = { ...base, claimed: claimAt(y, bound, c, sign, false) };
          assert.equal(dotVerdict(out, P), Verdict.VIOLATES, `${family} K=${k} ${c}·B ${sign}`);
          assert.equal(exactDotVerdict(out, P), Verdict.VIOLATES);
          flagged++;
        }
      }
    }
  }
  assert.equal(flagged, FAMILIES.length * 4 * 2 * 3);
});

test("the grid rule equals the exact rule on claims around the bound when the enclosure is exact", () => {
  const rng = new Rng(15);
  let compared = 0;
  for (const family of FAMILIES) {
    for (const k of [2, 33, 200]) {
      const { a, b } = operands(rng, family, k);
      const base = element(a, b, 0);
      const claim = dotClaim(base);
      const { y, bound } = exactValueAndBound(claim, P);
      for (const c of [0.9, 0.99, 1, 1.01, 1.2]) {
        for (const within of [true, false]) {
          const e = { ...base, claimed: claimAt(y, bound, c, rng.u32() % 2 === 0 ? 1 : -1, within) };
          const g = dotVerdict(e, P);
          const x = exactDotVerdict(e, P);
          if (enclose(claim.terms, canonicalHint(claim.terms, P)).inexact === 0n)
            assert.equal(g, x, `${family} K=${k} c=${c}`);
          if (g === Verdict.VIOLATES) assert.equal(x, Verdict.VIOLATES);
          compared++;
        }
      }
    }
  }
  assert.equal(compared, FAMILIES.length * 3 * 5 * 2);
});

test("a coarser hint only widens the enclosure (never a flag the exact rule lacks); a hint too fine is refused", () => {
  const rng = new Rng(16);
  const { a, b } = operands(rng, "random", 64);
  const base = element(a, b, 0);
  const claim = dotClaim(base);
  const { y, bound } = exactValueAndBound(claim, P);
  const g = canonicalHint(claim.terms, P);
  const out = { ...base, claimed: claimAt(y, bound, 1.1, 1, false) };
  assert.equal(gridSumVerdict(dotClaim(out), P, g + 40), Verdict.VIOLATES);
  // So coarse that every term is cut off: Σ|t| might then reach the overflow range, and the
  // element is left unchecked.
  assert.equal(gridSumVerdict(dotClaim(out), P, g + 400), Verdict.UNCHECKED);
  assert.throws(() => gridSumVerdict(claim, P, g - 1), /not valid/);
});

test("non-finite operands leave the element unchecked; a non-finite claim is fraud; possible overflow is unchecked", () => {
  const a = [1, 2, 3].map(toBits);
  const b = [1, 1, 1].map(toBits);
  for (const bad of [POSITIVE_INFINITY, NEGATIVE_INFINITY, CANONICAL_NAN]) {
    assert.equal(dotVerdict({ a: [bad, ...a.slice(1)], b, claimed: toBits(6) }, P), Verdict.UNCHECKED);
    assert.equal(dotVerdict({ a, b, bias: bad, claimed: toBits(6) }, P), Verdict.UNCHECKED);
    assert.equal(dotVerdict({ a, b, claimed: bad }, P), Verdict.VIOLATES);
  }
  assert.equal(dotVerdict({ a, b, claimed: toBits(6) }, P), Verdict.ADMISSIBLE);
  const huge = toBits(2 ** 64);
  assert.equal(
    dotVerdict({ a: [huge, huge], b: [huge, toBits(-(2 ** 64))], claimed: toBits(0) }, P),
    Verdict.UNCHECKED,
  );
  assert.equal(dotVerdict({ a: [huge], b: [toBits(2 ** 62)], claimed: toBits(5) }, P), Verdict.VIOLATES);
  assert.equal(dotVerdict({ a: [huge], b: [toBits(2 ** 62)], claimed: toBits(2 ** 126) }, P), Verdict.ADMISSIBLE);
});

test("−0 and +0 claims are the same claim; α = 1 given explicitly counts like an absent α", () => {
  const a = [toBits(1), toBits(-1)];
  const b = [toBits(2), toBits(2)];
  assert.equal(dotVerdict({ a, b, claimed: 0x80000000 }, P), Verdict.ADMISSIBLE);
  assert.equal(dotVerdict({ a, b, claimed: 0 }, P), Verdict.ADMISSIBLE);
  const c = dotClaim({ a, b, claimed: 0, alpha: ONE });
  assert.equal(c.gammaCount, 2);
});
