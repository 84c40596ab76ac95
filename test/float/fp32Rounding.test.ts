/** The bench's fp32 roundings (src/bench/fp32Rounding.ts) against exact rational rounding, double-rounding traps included. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { addRN, addRZ, fmaRN, mulRZ } from "../../src/bench/fp32Rounding.ts";
import { abs, add, cmp, mul, type Rational } from "../../src/float/dyadic.ts";
import { fromBits } from "../../src/float/f32.ts";
import { roundToFloat32 } from "../../src/float/round.ts";
import { Rng } from "../../src/vectors/rng.ts";
import { exactOfDouble } from "./exec.ts";

const rn = (r: Rational) => fromBits(roundToFloat32(r));
function rz(r: Rational): number {
  const bits = roundToFloat32(r);
  return cmp(abs(exactOfDouble(fromBits(bits))), abs(r)) > 0 ? fromBits(bits - 1) : fromBits(bits);
}

test("an FMA whose float64 sum lands on an fp32 midpoint rounds as the exact value does, not as float64 then fp32", () => {
  // (1 + 2⁻¹⁸)·2⁻²⁴(1 − 2⁻¹⁸) + (1 + 2⁻²³) = 1 + 3·2⁻²⁴ − 2⁻⁶⁰: float64 rounds it to the
  // midpoint 1 + 3·2⁻²⁴, which ties to 1 + 2⁻²²; the exact value is below it: 1 + 2⁻²³.
  const a = 1 + 2 ** -18;
  const b = 2 ** -24 * (1 - 2 ** -18);
  const c = 1 + 2 ** -23;
  assert.equal(Math.fround(a * b + c), 1 + 2 ** -22, "the double-rounding trap is real");
  assert.equal(fmaRN(a, b, c), 1 + 2 ** -23);
  assert.equal(fmaRN(a, b, c), rn(add(mul(exactOfDouble(a), exactOfDouble(b)), exactOfDouble(c))));
});

test("toward zero: a sum just below an fp32 value in magnitude truncates to the one below", () => {
  // 1 − 2⁻⁶⁰ is 1 in float64; truncated to fp32 it is 1 − 2⁻²⁴.
  assert.equal(addRZ(1, -(2 ** -60)), 1 - 2 ** -24);
  assert.equal(addRZ(-1, 2 ** -60), -(1 - 2 ** -24));
  assert.equal(addRZ(1, 2 ** -60), 1);
  assert.equal(mulRZ(1 + 2 ** -23, 1 + 2 ** -23), 1 + 2 ** -22);
});

test("random sums, products and FMAs round exactly, to nearest and toward zero", () => {
  const rng = new Rng(99);
  const value = () => Math.fround(((rng.u32() / 2 ** 32) * 2 - 1) * 2 ** ((rng.u32() % 80) - 40));
  for (let i = 0; i < 4000; i++) {
    const x = value();
    let y = value();
    if (i % 3 === 0) y = Math.fround(-x * (1 + ((rng.u32() % 7) - 3) * 2 ** -23));
    if (i % 5 === 0) y = Math.fround(x * 2 ** -(24 + (rng.u32() % 4)));
    const sum = add(exactOfDouble(x), exactOfDouble(y));
    assert.equal(addRN(x, y), rn(sum), `${x} + ${y}`);
    if (sum.num !== 0n) assert.equal(addRZ(x, y), rz(sum), `rz ${x} + ${y}`);
    const a = value();
    const b = value();
    assert.equal(mulRZ(a, b), rz(mul(exactOfDouble(a), exactOfDouble(b))), `rz ${a}·${b}`);
    assert.equal(
      fmaRN(a, b, x),
      rn(add(mul(exactOfDouble(a), exactOfDouble(b)), exactOfDouble(x))),
      `fma ${a}·${b} + ${x}`,
    );
  }
});
