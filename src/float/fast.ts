/**
 * The watcher's fast path for dot-product elements: the sum and the bound in float64,
 * with a margin for float64's own error, deciding every element that is clearly inside
 * or clearly outside the bound and handing the rest (`"borderline"`) to the exact rule.
 *
 * Each product a_k·b_k of two fp32 values is exact in float64 (48 ≤ 53 bits); multiplying
 * by α, adding K + 1 terms and forming Σ|t| each err by at most 2⁻⁵³ relative per step, so
 * the float64 sum is within (K + 3)·2⁻⁵³·S of y (Higham's γ for binary64) and Σ|t| within
 * the same of S. The margin doubles that and adds 2⁻⁵⁰ of the compared quantities: about
 * 2⁻²⁸·B, so only elements within a few hundred-millionths of B of the boundary defer.
 */
import type { DotElement } from "./dot.ts";
import { roundingCount } from "./dot.ts";
import { fromBits, isFinite32, ONE } from "./f32.ts";
import type { NumericsPolicy } from "./policy.ts";
import { OVERFLOW_EXPONENT } from "./sum.ts";
import { Verdict } from "./verdict.ts";

export type FastVerdict = Verdict | "borderline";

export function fastDotVerdict(e: DotElement, policy: NumericsPolicy): FastVerdict {
  const K = e.a.length;
  const alphaBits = e.alpha ?? ONE;
  const operands = [alphaBits, e.beta ?? ONE, ...(e.bias === undefined ? [] : [e.bias])];
  for (let k = 0; k < K; k++) {
    if (!isFinite32(e.a[k] as number) || !isFinite32(e.b[k] as number)) return Verdict.UNCHECKED;
  }
  if (!operands.every(isFinite32)) return Verdict.UNCHECKED;
  const alpha = fromBits(alphaBits);
  let y = 0;
  let s = 0;
  for (let k = 0; k < K; k++) {
    const t = alpha * (fromBits(e.a[k] as number) * fromBits(e.b[k] as number));
    y += t;
    s += Math.abs(t);
  }
  if (e.bias !== undefined) {
    const t = fromBits(e.beta ?? ONE) * fromBits(e.bias);
    y += t;
    s += Math.abs(t);
  }
  const rel = 2 * (K + 3) * 2 ** -53;
  const limit = 2 ** OVERFLOW_EXPONENT;
  if (s * (1 - rel) >= limit) return Verdict.UNCHECKED;
  if (s * (1 + rel) >= limit) return "borderline";
  if (!isFinite32(e.claimed)) return Verdict.VIOLATES;
  const n = roundingCount(e);
  const u = 2 ** -policy.accumulationBits;
  const bound = ((n * u) / (1 - n * u)) * s + n * 2 ** policy.etaExponent;
  const distance = Math.abs(fromBits(e.claimed) - y);
  const margin = rel * s * 2 + 2 ** -50 * (bound + distance);
  if (distance > bound + margin) return Verdict.VIOLATES;
  if (distance < bound - margin) return Verdict.ADMISSIBLE;
  return "borderline";
}
