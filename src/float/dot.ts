/**
 * Dot-product operators of the float profile — MatMul, Gemm, Conv, one output element
 * each (docs/PROTOCOL.md §11.4): `y = α·Σ_k a_k·b_k + β·c`, checked with
 * `B = γ_n·(Σ|α·a_k·b_k| + |β·c|) + n·η`, n = K + [bias] + [α ≠ 1].
 *
 * Why n: every term reaches the result through at most n roundings in any evaluation — its
 * product, at most K − 1 additions among the products, the addition of the bias, the
 * multiplication by α — whatever the order, blocking, split-K or FMA use (an FMA only
 * removes roundings), so by Higham's Lemma 3.1 its relative error is at most γ_n; the
 * bias term β·c has at most two (β·c, the final addition) ≤ n. Underflow adds at most two
 * absolute errors below 2⁻¹²⁶ per term, each carried by at most (1 + u)^n < 2 later: n·η
 * with η = 2⁻¹²⁴ covers them.
 */
import { product, termOf, type Term } from "./dyadic.ts";
import { isFinite32, ONE } from "./f32.ts";
import type { NumericsPolicy } from "./policy.ts";
import { exactSumVerdict, gridSumVerdict, MAX_TERMS, type SumClaim } from "./sum.ts";
import type { Verdict } from "./verdict.ts";

export interface DotElement {
  /** fp32 bits of A's row (K values). */
  readonly a: readonly number[];
  /** fp32 bits of B's column (K values). */
  readonly b: readonly number[];
  /** fp32 bits of the bias element c, absent for MatMul. */
  readonly bias?: number;
  /** Gemm's α and β as fp32 bits, 1.0 when absent. */
  readonly alpha?: number;
  readonly beta?: number;
  /** The claimed output element's bits. */
  readonly claimed: number;
}

/** n: the number of roundings one term can go through. */
export function roundingCount(e: DotElement): number {
  return e.a.length + (e.bias === undefined ? 0 : 1) + ((e.alpha ?? ONE) === ONE ? 0 : 1);
}

/** The element as a sum claim: terms α·a_k·b_k, then β·c. */
export function dotClaim(e: DotElement): SumClaim {
  if (e.a.length !== e.b.length || e.a.length === 0 || e.a.length > MAX_TERMS - 2) {
    throw new RangeError(`K = ${e.a.length} against ${e.b.length}`);
  }
  const alpha = e.alpha ?? ONE;
  const beta = e.beta ?? ONE;
  const operands = [...e.a, ...e.b, alpha, ...(e.bias === undefined ? [] : [e.bias, beta])];
  const n = roundingCount(e);
  if (!operands.every(isFinite32)) {
    return { terms: [], claimed: e.claimed, divisor: 1n, gammaCount: n, etaCount: n, nonFinite: true };
  }
  const alphaTerm = termOf(alpha);
  const terms: Term[] = e.a.map((a, k) => product(alphaTerm, termOf(a), termOf(e.b[k] as number)));
  if (e.bias !== undefined) terms.push(product(termOf(beta), termOf(e.bias)));
  return { terms, claimed: e.claimed, divisor: 1n, gammaCount: n, etaCount: n, nonFinite: false };
}

/** The contract's decision (with the canonical hint unless one is given). */
export function dotVerdict(e: DotElement, policy: NumericsPolicy, hint?: number): Verdict {
  return gridSumVerdict(dotClaim(e), policy, hint);
}

/** The exact definition. */
export function exactDotVerdict(e: DotElement, policy: NumericsPolicy): Verdict {
  return exactSumVerdict(dotClaim(e), policy);
}
