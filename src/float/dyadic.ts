/**
 * Exact numbers of the float profile: dyadic terms (`±mag·2^exp`, what fp32 values and
 * their products are) and rationals (what the bounds are, since γ_n = n·u/(1 − n·u)).
 * bigints throughout: the reference never rounds.
 */
import { decode } from "./f32.ts";

/** `±mag · 2^exp`, `mag ≥ 0`. */
export interface Term {
  readonly negative: boolean;
  readonly mag: bigint;
  readonly exp: number;
}

/** `num / den`, `den > 0`. */
export interface Rational {
  readonly num: bigint;
  readonly den: bigint;
}

export const ZERO_TERM: Term = { negative: false, mag: 0n, exp: 0 };

/** A finite fp32 pattern as a term; throws on ∞ and NaN (the callers handle those first). */
export function termOf(bits: number): Term {
  const d = decode(bits);
  if (d.kind !== "finite") throw new RangeError(`0x${bits.toString(16)} is not finite`);
  return { negative: d.negative, mag: d.mantissa, exp: d.exponent };
}

/** The exact product of terms (mantissas multiplied, exponents added). */
export function product(...factors: Term[]): Term {
  return factors.reduce(
    (acc, f) => ({ negative: acc.negative !== f.negative, mag: acc.mag * f.mag, exp: acc.exp + f.exp }),
    { negative: false, mag: 1n, exp: 0 } as Term,
  );
}

export function negate(t: Term): Term {
  return { ...t, negative: !t.negative };
}

export function rational(t: Term): Rational {
  const signed = t.negative ? -t.mag : t.mag;
  return t.exp >= 0 ? { num: signed << BigInt(t.exp), den: 1n } : { num: signed, den: 1n << BigInt(-t.exp) };
}

export function ratOf(num: bigint, den: bigint = 1n): Rational {
  if (den === 0n) throw new RangeError("zero denominator");
  return den < 0n ? { num: -num, den: -den } : { num, den };
}

export function add(a: Rational, b: Rational): Rational {
  return { num: a.num * b.den + b.num * a.den, den: a.den * b.den };
}

export function sub(a: Rational, b: Rational): Rational {
  return add(a, { num: -b.num, den: b.den });
}

export function mul(a: Rational, b: Rational): Rational {
  return { num: a.num * b.num, den: a.den * b.den };
}

export function abs(a: Rational): Rational {
  return a.num < 0n ? { num: -a.num, den: a.den } : a;
}

/** −1, 0 or 1 as a < b, a = b, a > b. */
export function cmp(a: Rational, b: Rational): number {
  const d = a.num * b.den - b.num * a.den;
  return d < 0n ? -1 : d > 0n ? 1 : 0;
}

export function sumOf(values: readonly Rational[]): Rational {
  return values.reduce(add, { num: 0n, den: 1n });
}

/** 2^e as a rational. */
export function pow2(e: number): Rational {
  return e >= 0 ? { num: 1n << BigInt(e), den: 1n } : { num: 1n, den: 1n << BigInt(-e) };
}

/** The nearest double (for messages and the float64 checker's tests only). */
export function toNumber(r: Rational): number {
  const negative = r.num < 0n;
  const n = negative ? -r.num : r.num;
  if (n === 0n) return 0;
  // 64 significant bits of the quotient, then the scale applied in two halves so that
  // neither power of two overflows or underflows on its own.
  const shift = 64 - (n.toString(2).length - r.den.toString(2).length);
  const q = shift >= 0 ? (n << BigInt(shift)) / r.den : n / (r.den << BigInt(-shift));
  const half = Math.trunc(shift / 2);
  const value = Number(q) * 2 ** -half * 2 ** -(shift - half);
  return negative ? -value : value;
}

/** ⌊t / 2^g⌋ in magnitude, and whether anything was cut off. */
export function onGrid(t: Term, g: number): { q: bigint; inexact: boolean } {
  const shift = t.exp - g;
  if (shift >= 0) return { q: t.mag << BigInt(shift), inexact: false };
  const q = t.mag >> BigInt(-shift);
  return { q, inexact: q << BigInt(-shift) !== t.mag };
}

/** ⌈2^e / 2^g⌉ times `count`: an upper bound of `count·2^e` in grid units. */
export function ceilOnGrid(count: bigint, e: number, g: number): bigint {
  const shift = e - g;
  if (shift >= 0) return count << BigInt(shift);
  const denominator = 1n << BigInt(-shift);
  return (count + denominator - 1n) / denominator;
}
