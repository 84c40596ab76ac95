/**
 * ReduceMean / AveragePool (src/float/mean.ts): honest fp32 averages (any summation
 * order, divided or multiplied by the reciprocal) are admissible; claims at 0.5·B never
 * flagged, at 1.1·B and beyond always.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { toBits } from "../../src/float/f32.ts";
import { exactMeanVerdict, meanClaim, meanVerdict, type MeanElement } from "../../src/float/mean.ts";
import { STRICT_FP32 } from "../../src/float/policy.ts";
import { exactValueAndBound } from "../../src/float/sum.ts";
import { Verdict } from "../../src/float/verdict.ts";
import { Rng } from "../../src/vectors/rng.ts";
import { claimAt } from "../../src/float/claims.ts";
import { add32 } from "./exec.ts";
import { FAMILIES, operands } from "./inputs.ts";

const P = STRICT_FP32;

test("honest averages are admissible: sequential or pairwise sums, divided or times fl(1/d), padding counted or not", () => {
  const rng = new Rng(31);
  for (const family of FAMILIES) {
    for (const n of [1, 4, 49, 1000]) {
      const x = operands(rng, family, n).a;
      const seq = x.reduce((s, v) => add32(s, v), 0);
      const rev = [...x].reverse().reduce((s, v) => add32(s, v), 0);
      for (const d of [n, n + 3]) {
        for (const y of [Math.fround(seq / d), Math.fround(rev * Math.fround(1 / d))]) {
          const e: MeanElement = { x: x.map(toBits), divisor: d, claimed: toBits(y) };
          assert.equal(meanVerdict(e, P), Verdict.ADMISSIBLE, `${family} n=${n} d=${d}`);
          assert.equal(exactMeanVerdict(e, P), Verdict.ADMISSIBLE);
        }
      }
    }
  }
});

test("averages: 0.5·B admissible, 1.1·B, 2·B, 10·B fraud", () => {
  const rng = new Rng(32);
  for (const family of FAMILIES) {
    for (const n of [2, 49, 784]) {
      const x = operands(rng, family, n).a.map(toBits);
      const base: MeanElement = { x, divisor: n, claimed: 0 };
      const { y, bound } = exactValueAndBound(meanClaim(base), P);
      for (const sign of [1, -1] as const) {
        assert.equal(meanVerdict({ ...base, claimed: claimAt(y, bound, 0.5, sign, true) }, P), Verdict.ADMISSIBLE);
        for (const c of [1.1, 2, 10]) {
          const e = { ...base, claimed: claimAt(y, bound, c, sign, false) };
          assert.equal(meanVerdict(e, P), Verdict.VIOLATES, `${family} n=${n} ${c}`);
          assert.equal(exactMeanVerdict(e, P), Verdict.VIOLATES);
        }
      }
    }
  }
});

test("a divisor below the element count is refused", () => {
  assert.throws(() => meanClaim({ x: [0, 0], divisor: 1, claimed: 0 }), /divisor/);
});
