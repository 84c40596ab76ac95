/**
 * Rounding of exact numbers to fp32, for the reference's own use (golden vectors, honest
 * executions in the tests): round to nearest, ties to even, with subnormals and overflow
 * to ∞, as IEEE 754 binary32 does.
 */
import { NEGATIVE_INFINITY, POSITIVE_INFINITY } from "./f32.ts";
import type { Rational } from "./dyadic.ts";

const bitLength = (x: bigint) => (x === 0n ? 0 : x.toString(2).length);

/** The fp32 nearest to `r` (ties to even). */
export function roundToFloat32(r: Rational): number {
  const negative = r.num < 0n;
  const n = negative ? -r.num : r.num;
  if (n === 0n) return negative ? 0x80000000 : 0;
  const d = r.den;
  // e such that n/d / 2^e lies in [2^23, 2^24), or −149 in the subnormal range.
  let e = bitLength(n) - bitLength(d) - 24;
  const scaled = (exp: number) => (exp >= 0 ? { num: n, den: d << BigInt(exp) } : { num: n << BigInt(-exp), den: d });
  while (true) {
    const s = scaled(e);
    if (s.num / s.den >= 1n << 24n) e += 1;
    else if (s.num / s.den < 1n << 23n && e > -149) e -= 1;
    else break;
  }
  e = Math.max(e, -149);
  const s = scaled(e);
  let q = s.num / s.den;
  const rem2 = (s.num - q * s.den) * 2n;
  if (rem2 > s.den || (rem2 === s.den && (q & 1n) === 1n)) q += 1n;
  if (q === 1n << 24n) {
    q >>= 1n;
    e += 1;
  }
  if (e > 104) return negative ? NEGATIVE_INFINITY : POSITIVE_INFINITY;
  const sign = negative ? 0x80000000 : 0;
  if (q < 1n << 23n) return (sign | Number(q)) >>> 0;
  return (sign | ((e + 150) << 23) | Number(q - (1n << 23n))) >>> 0;
}
