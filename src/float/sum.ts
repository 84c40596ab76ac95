/**
 * The sum families' decision (docs/PROTOCOL.md §11.4): a claimed `ŷ` against the exact
 * sum `y = Σ t_k / d` of dyadic terms, with the bound
 *
 *   |ŷ − y| ≤ γ_m · Σ|t_k| / d + e·η,   γ_m = m·u / (1 − m·u),
 *
 * multiplied through by `d·(1 − m·u)/u` so that it is an integer inequality:
 *
 *   (2^p − m) · (|d·ŷ − Σ t_k| − d·e·η) ≤ m · Σ|t_k|.
 *
 * Dot products, MatMul, Gemm and Conv have d = 1, m = e = n (terms + bias + α); the
 * averages have d = the divisor, m = terms + 2, e = 1.
 *
 * Two rules live here. {@link exactSumVerdict} is the definition with exact rationals.
 * {@link gridSumVerdict} is what the contract computes: the terms on a grid 2^g named by
 * a hint, everything finer cut off and counted into an enclosure, every rounding in the
 * provider's favour; it flags only what the exact rule flags, and the golden vectors hold
 * the contract to it bit for bit.
 */
import { add, ceilOnGrid, mul, onGrid, pow2, rational, ratOf, sumOf, type Rational, type Term } from "./dyadic.ts";
import { decode } from "./f32.ts";
import { assertSupported, type NumericsPolicy } from "./policy.ts";
import { Verdict } from "./verdict.ts";

/** L: the largest exponent of a term's integer mantissa above the grid (72-bit mantissas, so every term < 2^200 units). */
export const MAX_SHIFT = 128;
/** The grid never lies more than this many bits below η, so η is at most 2^96 units. */
export const ETA_SPAN = 96;
/** Terms at most, and divisor at most: with both ≤ 2^20 the sums stay below 2^221 units. */
export const MAX_TERMS = 1 << 20;
/** An exact result reaching 2^127 in magnitude might overflow in some evaluation order: unchecked. */
export const OVERFLOW_EXPONENT = 127;

export interface SumClaim {
  /** The exact terms t_k (products α·a_k·b_k and β·c, or the averaged elements); none may be larger than 72 bits. */
  readonly terms: readonly Term[];
  /** The claimed element's fp32 bits. */
  readonly claimed: number;
  /** d: the claim is compared as d·ŷ with Σ t_k. */
  readonly divisor: bigint;
  /** m: the number of roundings one term can go through. */
  readonly gammaCount: number;
  /** e: how many η the bound allows (after multiplying by d it is d·e). */
  readonly etaCount: number;
  /** Whether some operand was ∞ or NaN: then no claim is fraud. */
  readonly nonFinite: boolean;
}

function check(claim: SumClaim, policy: NumericsPolicy): void {
  assertSupported(policy);
  if (claim.terms.length > MAX_TERMS) throw new RangeError(`${claim.terms.length} terms > ${MAX_TERMS}`);
  if (claim.divisor < 1n || claim.divisor > BigInt(MAX_TERMS)) throw new RangeError(`divisor ${claim.divisor}`);
  if (claim.gammaCount < 1 || claim.gammaCount > MAX_TERMS + 2) throw new RangeError(`m = ${claim.gammaCount}`);
  for (const t of claim.terms) if (t.mag >= 1n << 72n) throw new RangeError("a term wider than 72 bits");
}

/**
 * The tightest valid hint: the grid as low as every term allows (each term's exponent at
 * most {@link MAX_SHIFT} above it), but not more than {@link ETA_SPAN} bits below η.
 * Zero terms count too, by their representation: the contract checks exponents, not values.
 */
export function canonicalHint(terms: readonly Term[], policy: NumericsPolicy): number {
  const top = terms.reduce((m, t) => Math.max(m, t.exp), -Infinity);
  return Math.max(top - MAX_SHIFT, policy.etaExponent - ETA_SPAN);
}

export function hintValid(terms: readonly Term[], g: number, policy: NumericsPolicy): boolean {
  return g >= policy.etaExponent - ETA_SPAN && terms.every((t) => t.exp - g <= MAX_SHIFT);
}

/** The terms on grid g: Σ ±q_k, Σ q_k and the number of terms that lost bits. */
export interface Enclosure {
  readonly grid: number;
  readonly center: bigint;
  readonly magnitude: bigint;
  readonly inexact: bigint;
}

export function enclose(terms: readonly Term[], g: number): Enclosure {
  let center = 0n;
  let magnitude = 0n;
  let inexact = 0n;
  for (const t of terms) {
    const { q, inexact: cut } = onGrid(t, g);
    center += t.negative ? -q : q;
    magnitude += q;
    if (cut) inexact += 1n;
  }
  return { grid: g, center, magnitude, inexact };
}

/** ⌊x⌋ and ⌈x⌉ of a signed term on grid g. */
function claimInterval(t: Term, g: number): { lo: bigint; hi: bigint } {
  const { q, inexact } = onGrid(t, g);
  if (!t.negative) return { lo: q, hi: inexact ? q + 1n : q };
  return { lo: inexact ? -q - 1n : -q, hi: -q };
}

/** Whether `value · 2^g ≥ 2^OVERFLOW_EXPONENT`. */
function reachesOverflow(value: bigint, g: number): boolean {
  const e = OVERFLOW_EXPONENT - g;
  return e <= 0 ? value > 0n : value >= 1n << BigInt(e);
}

/**
 * The contract's rule (docs/PROTOCOL.md §11.4), for a valid hint `g` (the canonical one
 * when omitted):
 *  1. a non-finite operand: UNCHECKED;
 *  2. enclosure y ∈ 2^g·[Y − c, Y + c], Σ|t| ≤ 2^g·(A + c); (A + c)·2^g ≥ 2^127: UNCHECKED;
 *  3. a non-finite claim: VIOLATES;
 *  4. D = the least |d·ŷ − y| over the enclosure in grid units (d·ŷ rounded outward when it
 *     is finer than the grid), H = ⌈d·e·η / 2^g⌉; VIOLATES iff D > H and
 *     (2^p − m)·(D − H) > m·(A + c).
 */
export function gridSumVerdict(claim: SumClaim, policy: NumericsPolicy, hint?: number): Verdict {
  check(claim, policy);
  const g = hint ?? canonicalHint(claim.terms, policy);
  if (!hintValid(claim.terms, g, policy)) throw new RangeError(`hint ${g} is not valid for these terms`);
  if (claim.nonFinite) return Verdict.UNCHECKED;
  const { center, magnitude, inexact } = enclose(claim.terms, g);
  const sUp = magnitude + inexact;
  if (reachesOverflow(sUp, g)) return Verdict.UNCHECKED;
  const c = decode(claim.claimed);
  if (c.kind !== "finite") return Verdict.VIOLATES;
  const claimTerm: Term = { negative: c.negative, mag: c.mantissa * claim.divisor, exp: c.exponent };
  const { lo, hi } = claimInterval(claimTerm, g);
  const below = center - inexact - hi;
  const above = lo - (center + inexact);
  const distance = below > 0n ? below : above > 0n ? above : 0n;
  const eta = ceilOnGrid(claim.divisor * BigInt(claim.etaCount), policy.etaExponent, g);
  if (distance <= eta) return Verdict.ADMISSIBLE;
  const m = BigInt(claim.gammaCount);
  const scale = (1n << BigInt(policy.accumulationBits)) - m;
  return scale * (distance - eta) > m * sUp ? Verdict.VIOLATES : Verdict.ADMISSIBLE;
}

/** The definition with exact rationals: the same inequality on exact y and Σ|t|. */
export function exactSumVerdict(claim: SumClaim, policy: NumericsPolicy): Verdict {
  check(claim, policy);
  if (claim.nonFinite) return Verdict.UNCHECKED;
  // Every term and the claim are integer multiples of 2^low: compare as integers there.
  const c = decode(claim.claimed);
  const low = Math.min(policy.etaExponent, c.kind === "finite" ? c.exponent : 0, ...claim.terms.map((t) => t.exp));
  const at = (t: Term) => (t.negative ? -t.mag : t.mag) << BigInt(t.exp - low);
  const y = claim.terms.reduce((s, t) => s + at(t), 0n);
  const sum = claim.terms.reduce((s, t) => s + (t.mag << BigInt(t.exp - low)), 0n);
  if (sum > 0n && sum >= 1n << BigInt(Math.max(0, OVERFLOW_EXPONENT - low))) return Verdict.UNCHECKED;
  if (c.kind !== "finite") return Verdict.VIOLATES;
  const claimed = (c.negative ? -c.mantissa : c.mantissa) * claim.divisor * (1n << BigInt(c.exponent - low));
  const distance = claimed > y ? claimed - y : y - claimed;
  const eta = (claim.divisor * BigInt(claim.etaCount)) << BigInt(policy.etaExponent - low);
  if (distance <= eta) return Verdict.ADMISSIBLE;
  const m = BigInt(claim.gammaCount);
  const scale = (1n << BigInt(policy.accumulationBits)) - m;
  return scale * (distance - eta) > m * sum ? Verdict.VIOLATES : Verdict.ADMISSIBLE;
}

/** y = Σ t_k / d and the bound B = γ_m·Σ|t_k| / d + e·η, both exact. */
export function exactValueAndBound(claim: SumClaim, policy: NumericsPolicy): { y: Rational; bound: Rational } {
  const d = claim.divisor;
  const y = sumOf(claim.terms.map(rational));
  const sum = sumOf(claim.terms.map((t) => rational({ ...t, negative: false })));
  const m = BigInt(claim.gammaCount);
  const gamma = ratOf(m, (1n << BigInt(policy.accumulationBits)) - m);
  const eta = mul(ratOf(BigInt(claim.etaCount)), pow2(policy.etaExponent));
  return { y: mul(y, ratOf(1n, d)), bound: add(mul(mul(gamma, sum), ratOf(1n, d)), eta) };
}
