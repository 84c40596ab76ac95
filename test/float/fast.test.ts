/** The watcher's float64 checker (src/float/fast.ts): where it decides, it decides as the exact rule; it defers only near the bound. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { dotClaim, exactDotVerdict, type DotElement } from "../../src/float/dot.ts";
import { toBits } from "../../src/float/f32.ts";
import { fastDotVerdict } from "../../src/float/fast.ts";
import { STRICT_FP32 } from "../../src/float/policy.ts";
import { exactValueAndBound } from "../../src/float/sum.ts";
import { Rng } from "../../src/vectors/rng.ts";
import { claimAt } from "../../src/float/claims.ts";
import { dot32 } from "./exec.ts";
import { FAMILIES, operands } from "./inputs.ts";

const P = STRICT_FP32;

test("fast verdicts equal exact ones; honest results and claims at 0.5·B / 1.1·B never defer", () => {
  const rng = new Rng(51);
  let deferred = 0;
  let decided = 0;
  for (const family of FAMILIES) {
    for (const k of [3, 16, 784]) {
      const { a, b } = operands(rng, family, k);
      const base: DotElement = { a: a.map(toBits), b: b.map(toBits), claimed: toBits(dot32(a, b, "sequential", rng)) };
      const { y, bound } = exactValueAndBound(dotClaim(base), P);
      const claims = [base.claimed, claimAt(y, bound, 0.5, 1, true), claimAt(y, bound, 1.1, -1, false)];
      for (const claimed of claims) {
        const e = { ...base, claimed };
        const fast = fastDotVerdict(e, P);
        assert.notEqual(fast, "borderline", `${family} K=${k}`);
        assert.equal(fast, exactDotVerdict(e, P), `${family} K=${k}`);
        decided++;
      }
      for (const within of [true, false]) {
        const e = { ...base, claimed: claimAt(y, bound, 1, 1, within) };
        const fast = fastDotVerdict(e, P);
        if (fast === "borderline") deferred++;
        else assert.equal(fast, exactDotVerdict(e, P));
      }
    }
  }
  assert.equal(decided, FAMILIES.length * 3 * 3);
  // fp32 claims one ulp either side of the bound are almost always further from it than the
  // float64 margin (about 2⁻²⁸·B): few or none of them defer.
  assert.ok(deferred <= FAMILIES.length * 3, `${deferred} deferred`);
});
