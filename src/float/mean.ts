/**
 * Averages of the float profile — ReduceMean, AveragePool, GlobalAveragePool, one output
 * element each (docs/PROTOCOL.md §11.4): `y = Σ_i x_i / d` over the n elements of the
 * window (d = n, or the window size when padding counts), checked with
 * `B = γ_{n+2}·Σ|x_i| / d + η`.
 *
 * Why n + 2: each x_i goes through at most n − 1 additions, then either a division by d
 * (one rounding) or a multiplication by fl(1/d) (two: the reciprocal's and the product's);
 * one more is spare for an executor converting d to fp32 (exact below 2^24 anyway).
 * Why one η: below the normal range additions are exact unless flushed (each < 2⁻¹²⁶, and
 * their sum is divided by d), and the division adds one more: below 2²·2⁻¹²⁶ = η.
 */
import { termOf } from "./dyadic.ts";
import { isFinite32 } from "./f32.ts";
import type { NumericsPolicy } from "./policy.ts";
import { exactSumVerdict, gridSumVerdict, type SumClaim } from "./sum.ts";
import type { Verdict } from "./verdict.ts";

export interface MeanElement {
  /** fp32 bits of the window's elements. */
  readonly x: readonly number[];
  /** The divisor d (the element count unless padding is counted). */
  readonly divisor: number;
  readonly claimed: number;
}

export function meanClaim(e: MeanElement): SumClaim {
  if (e.x.length === 0 || !Number.isInteger(e.divisor) || e.divisor < e.x.length) {
    throw new RangeError(`${e.x.length} elements, divisor ${e.divisor}`);
  }
  const base = { claimed: e.claimed, divisor: BigInt(e.divisor), gammaCount: e.x.length + 2, etaCount: 1 };
  if (!e.x.every(isFinite32)) return { ...base, terms: [], nonFinite: true };
  return { ...base, terms: e.x.map(termOf), nonFinite: false };
}

export function meanVerdict(e: MeanElement, policy: NumericsPolicy, hint?: number): Verdict {
  return gridSumVerdict(meanClaim(e), policy, hint);
}

export function exactMeanVerdict(e: MeanElement, policy: NumericsPolicy): Verdict {
  return exactSumVerdict(meanClaim(e), policy);
}
