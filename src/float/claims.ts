/**
 * Claims placed at a chosen distance from the exact value: the fp32 nearest to y ± c·B,
 * moved toward y (so the distance is at most c·B) or away from it (at least c·B), decided
 * with exact rationals.
 */
import { abs, cmp, mul, ratOf, rational, sub, termOf, toNumber, type Rational } from "./dyadic.ts";
import { fromBits, toBits } from "./f32.ts";
import { roundToFloat32 } from "./round.ts";

const distanceOf = (bits: number, y: Rational) => abs(sub(rational(termOf(bits)), y));

/** c as an exact rational (c given in hundredths). */
const scaled = (c: number, bound: Rational) => mul(ratOf(BigInt(Math.round(c * 100)), 100n), bound);

/** Next fp32 above (or below) a finite value. */
function next(bits: number, up: boolean): number {
  return toBits(fromBits(bits) + (up ? 1 : -1) * nextGap(bits));
}

function nextGap(bits: number): number {
  const x = Math.abs(fromBits(bits));
  if (x === 0) return 2 ** -149;
  const e = Math.max(Math.floor(Math.log2(x)), -126);
  return 2 ** (e - 23);
}

/**
 * The fp32 claim at distance ≤ c·B (`within`) or ≥ c·B (beyond) from y, on the side `sign`.
 */
export function claimAt(y: Rational, bound: Rational, c: number, sign: 1 | -1, within: boolean): number {
  const target = scaled(c, bound);
  const value =
    sign > 0
      ? { num: y.num * target.den + target.num * y.den, den: y.den * target.den }
      : { num: y.num * target.den - target.num * y.den, den: y.den * target.den };
  let bits = roundToFloat32(value);
  for (let i = 0; i < 64; i++) {
    const d = cmp(distanceOf(bits, y), target);
    if (within ? d <= 0 : d >= 0) return bits;
    // Toward y shrinks the distance, away from it grows it.
    const above = cmp(rational(termOf(bits)), y) > 0;
    bits = next(bits, within ? !above : above);
  }
  throw new Error(`no fp32 claim ${within ? "within" : "beyond"} ${c}·B of ${toNumber(y)}`);
}
