/**
 * fp32 arithmetic with a chosen rounding, made exact from float64, for simulating other
 * executors' evaluation orders. Inputs are doubles that hold exact values: fp32 numbers,
 * or products of two of them (48 significant bits, exact in float64).
 *
 * - Products of two fp32: exact in float64, so one Math.fround is the correctly rounded
 *   (to nearest) fp32 product, and truncating that exact double gives round-toward-zero.
 * - Sums (and FMA, a·b + c with a·b exact): x + y in float64 may itself round, and
 *   rounding that double again to fp32 can be wrong (double rounding). TwoSum gives the
 *   exact error e of s = fl64(x + y) (x + y = s + e exactly, no overflow in this range).
 *   To nearest: replace s by its round-to-odd value (if e ≠ 0 and s's last bit is even,
 *   step s one float64 ulp toward e); rounding a round-to-odd result with ≥ 2 extra bits
 *   (53 ≥ 24 + 2) to nearest gives the correctly rounded result (Boldo–Melquiond), and
 *   Math.fround rounds to nearest. Toward zero: r = Math.fround(s) stepped one fp32 ulp
 *   toward zero if it lies beyond s; if s is itself an fp32 value and e points toward
 *   zero, the exact sum lies just below s in magnitude, so r is stepped once more. No fp32
 *   value lies strictly between s and x + y (s is the nearest double and fp32 values are
 *   doubles), so truncating s otherwise truncates x + y.
 * - A double-rounded float64 result is never used as an fp32 result.
 */

const f64 = new Float64Array(1);
const f64Words = new Uint32Array(f64.buffer); // little-endian: [low, high]
const f32 = new Float32Array(1);
const f32Bits = new Uint32Array(f32.buffer);

/** s stepped one float64 ulp toward +∞ (up) or −∞. */
function step64(s: number, up: boolean): number {
  f64[0] = s;
  const away = s === 0 ? true : s > 0 === up;
  if (s === 0) {
    f64Words[0] = 1;
    f64Words[1] = up ? 0 : 0x80000000;
    return f64[0]!;
  }
  if (away) {
    f64Words[0] = (f64Words[0]! + 1) >>> 0;
    if (f64Words[0] === 0) f64Words[1] = f64Words[1]! + 1;
  } else {
    if (f64Words[0] === 0) f64Words[1] = f64Words[1]! - 1;
    f64Words[0] = (f64Words[0]! - 1) >>> 0;
  }
  return f64[0]!;
}

/** An fp32 value stepped one ulp toward zero (non-zero input). */
function towardZero32(r: number): number {
  f32[0] = r;
  f32Bits[0] = f32Bits[0]! - 1;
  return f32[0]!;
}

/** fl32 to nearest of the exact x + y. */
export function addRN(x: number, y: number): number {
  const s = x + y;
  const bb = s - x;
  const e = x - (s - bb) + (y - bb);
  if (e === 0) return Math.fround(s);
  f64[0] = s;
  if ((f64Words[0]! & 1) === 0) return Math.fround(step64(s, e > 0));
  return Math.fround(s);
}

/** fl32 toward zero of the exact x + y. */
export function addRZ(x: number, y: number): number {
  const s = x + y;
  const bb = s - x;
  const e = x - (s - bb) + (y - bb);
  let r = Math.fround(s);
  if (Math.abs(r) > Math.abs(s)) return towardZero32(r);
  if (r === s && e !== 0 && e > 0 !== s > 0) r = towardZero32(r);
  return r;
}

/** fl32 to nearest of a·b (a, b fp32). */
export function mulRN(a: number, b: number): number {
  return Math.fround(a * b);
}

/** fl32 toward zero of a·b (a, b fp32: the double product is exact). */
export function mulRZ(a: number, b: number): number {
  const p = a * b;
  const r = Math.fround(p);
  return Math.abs(r) > Math.abs(p) ? towardZero32(r) : r;
}

/** fma32(a, b, c) = fl32 to nearest of a·b + c, one rounding. */
export function fmaRN(a: number, b: number, c: number): number {
  return addRN(a * b, c);
}
