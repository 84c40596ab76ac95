/**
 * The float64 decision shared by every rounding operator: decide clear cases in float64
 * and leave the rest (`BORDERLINE`) to the exact rule.
 *
 * Sums (§11.4). The caller accumulates y = Σ t_k and s = Σ|t_k| in float64 over exact fp32
 * operands: each product of two fp32 values is exact in float64 (48 ≤ 53 bits, no underflow
 * since every value is at least 2⁻¹⁴⁹), α·(a·b) and β·c round once, and n additions round
 * n times, so |y − Σt| and |s − Σ|t|| are below (n + 2)·2⁻⁵³·s (Higham's γ for binary64).
 * `rel` = 2(n + 3)·2⁻⁵³ covers both with room; the margin is twice that on s plus 2⁻⁵⁰ of
 * the compared quantities for the few roundings of the comparison itself: about 2⁻²⁸·B.
 * The contract's enclosure loses at most a few units of a grid 2⁻²⁰⁰ below the largest
 * term, far inside that margin, so a clear float64 verdict is also the contract's.
 *
 * Elementwise (§11.5). y in float64 is exact for Mul and within 2⁻⁵³·|y| for Add, Sub,
 * Div and Sqrt (one rounding of an exact result); B = 2u·|y| + η.
 *
 * The contract's grid. Its enclosure is exact only down to its grid, which follows the
 * largest quantity, not the result: 128 bits below the largest term's exponent for sums
 * (zero terms count by their exponents), 200 bits below the largest quantity for Add, Sub,
 * Mul, Div and 100 for Sqrt. When a sum cancels far below its operands, that slack can
 * exceed B, and a claim the exact definition calls a violation is one the contract cannot
 * prove. The caller passes an upper bound of the slack (`slack`), which widens the
 * undecided band, so such elements go to the contract's own rule.
 */
import { ETA_SPAN, MAX_SHIFT, OVERFLOW_EXPONENT } from "../sum.ts";
import { Verdict } from "../verdict.ts";
import type { ElementCheck } from "./kernel.ts";

/** Not a verdict: the float64 test cannot decide. */
export const BORDERLINE = 3;
export type FastVerdict = Verdict | typeof BORDERLINE;

const LIMIT = 2 ** OVERFLOW_EXPONENT;
const TINY = 2 ** -50;

/** rel for a sum of n terms (see above). */
export const sumRel = (n: number): number => 2 * (n + 3) * 2 ** -53;

/**
 * |d·ŷ − y| against γ_m·s + d·e·η, y and s in float64 (s non-finite: an operand was).
 * Writes estimate y/d, bound and distance (both divided by d) into `out`.
 */
export function decideSum(
  y: number,
  s: number,
  claimed: number,
  d: number,
  m: number,
  e: number,
  rel: number,
  u: number,
  eta: number,
  slack: number,
  out: ElementCheck,
): FastVerdict {
  out.estimate = y / d;
  if (!(s < Infinity)) {
    out.bound = NaN;
    out.distance = NaN;
    return Verdict.UNCHECKED;
  }
  const gamma = (m * u) / (1 - m * u);
  const bound = gamma * s + d * e * eta;
  out.bound = bound / d;
  if (s * (1 - rel) >= LIMIT) {
    out.distance = NaN;
    return Verdict.UNCHECKED;
  }
  if (s * (1 + rel) >= LIMIT) return BORDERLINE;
  const distance = Math.abs(d * claimed - y);
  out.distance = distance / d;
  if (!(distance < Infinity)) return Verdict.VIOLATES; // ∞ or NaN claimed
  const margin = 2 * rel * s + TINY * (bound + distance) + slack;
  if (distance > bound + margin) return Verdict.VIOLATES;
  if (distance < bound - margin) return Verdict.ADMISSIBLE;
  return BORDERLINE;
}

/**
 * |ŷ − y| against 2u·|y| + η for a non-special elementwise result y (float64, within
 * 2⁻⁵³·|y| of the exact value).
 */
export function decideFaithful(
  y: number,
  claimed: number,
  u: number,
  eta: number,
  slack: number,
  out: ElementCheck,
): FastVerdict {
  out.estimate = y;
  const ay = Math.abs(y);
  const bound = 2 * u * ay + eta;
  out.bound = bound;
  if (ay * (1 - 2 ** -52) >= LIMIT) {
    out.distance = NaN;
    return Verdict.UNCHECKED;
  }
  if (ay * (1 + 2 ** -52) >= LIMIT) return BORDERLINE;
  const distance = Math.abs(claimed - y);
  out.distance = distance;
  if (!(distance < Infinity)) return Verdict.VIOLATES;
  const margin = 2 ** -51 * ay + TINY * (bound + distance) + slack;
  if (distance > bound + margin) return Verdict.VIOLATES;
  if (distance < bound - margin) return Verdict.ADMISSIBLE;
  return BORDERLINE;
}

/**
 * The contract's enclosure slack of a sum, in units of the result times d: at most
 * 2c + 2 grid units (c ≤ n cut terms, the claim rounded outward, η rounded up) on the grid
 * 2^max(top − 128, η − 96), `top` an upper bound of the terms' exponents.
 */
export function sumSlack(n: number, top: number, etaExponent: number): number {
  return (2 * n + 4) * 2 ** Math.max(top - MAX_SHIFT, etaExponent - ETA_SPAN);
}

/**
 * The elementwise grid's slack in units of the result: a few units of 2^(top − span),
 * top at most 2 bits above the largest magnitude (or 24 for a subnormal, where nothing is cut).
 */
export function faithfulSlack(largest: number, span: number): number {
  return 64 * largest * 2 ** -span + 2 ** -300;
}

/** The largest decoded exponent (max(E, 1) − 150) of the finite values among fp32 bits: an upper bound of any term's. */
export function maxExponent(bits: Uint32Array): number {
  let top = 0;
  for (let i = 0; i < bits.length; i++) {
    const e = (bits[i]! >>> 23) & 0xff;
    if (e !== 0xff && e > top) top = e;
  }
  return Math.max(top, 1) - 150;
}
