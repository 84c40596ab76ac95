/** fp32 decoding, canonical form, rounding of exact numbers and the numerics policy's hash. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { encodeAbiParameters, keccak256 } from "viem";
import { rational, termOf } from "../../src/float/dyadic.ts";
import { canonicalize, CANONICAL_NAN, decode, isCanonical, MAX_FINITE, toBits } from "../../src/float/f32.ts";
import { encodePolicy, policyHash, STRICT_FP32 } from "../../src/float/policy.ts";
import { roundToFloat32 } from "../../src/float/round.ts";
import { Rng } from "../../src/vectors/rng.ts";

test("decode gives the exact value of every kind of pattern", () => {
  assert.deepEqual(decode(toBits(1)), { kind: "finite", negative: false, mantissa: 1n << 23n, exponent: -23 });
  assert.deepEqual(decode(0x00000001), { kind: "finite", negative: false, mantissa: 1n, exponent: -149 });
  assert.deepEqual(decode(0x00800000), { kind: "finite", negative: false, mantissa: 1n << 23n, exponent: -149 });
  assert.deepEqual(decode(0x80000000), { kind: "finite", negative: true, mantissa: 0n, exponent: -149 });
  assert.deepEqual(decode(MAX_FINITE), { kind: "finite", negative: false, mantissa: (1n << 24n) - 1n, exponent: 104 });
  assert.deepEqual(decode(0xff800000), { kind: "infinite", negative: true });
  assert.deepEqual(decode(0x7f800001), { kind: "nan" });
});

test("random patterns decode to their exact value: rounding it back gives the same pattern", () => {
  const rng = new Rng(41);
  let finite = 0;
  for (let i = 0; i < 20000; i++) {
    const bits = rng.u32();
    if (decode(bits).kind !== "finite") continue;
    assert.equal(roundToFloat32(rational(termOf(bits))), bits, `0x${bits.toString(16)}`);
    finite++;
  }
  assert.ok(finite > 19000);
});

test("roundToFloat32 rounds to nearest, ties to even, and overflows to ∞ exactly where binary32 does", () => {
  const rng = new Rng(42);
  for (let i = 0; i < 20000; i++) {
    const x = (rng.u32() / 2 ** 32 - 0.5) * 2 ** ((rng.u32() % 300) - 150);
    assert.equal(roundToFloat32(exactDouble(x)), toBits(x), `${x}`);
  }
  assert.equal(roundToFloat32({ num: (1n << 24n) + 1n, den: 1n }), toBits(2 ** 24)); // tie to even
  assert.equal(roundToFloat32({ num: (1n << 24n) + 3n, den: 1n }), toBits(2 ** 24 + 4));
  assert.equal(roundToFloat32({ num: 1n, den: 1n << 150n }), 0); // half the smallest subnormal: tie to even 0
  assert.equal(roundToFloat32({ num: 3n, den: 1n << 151n }), 1);
  assert.equal(roundToFloat32({ num: (1n << 128n) - (1n << 103n), den: 1n }), 0x7f800000);
  assert.equal(roundToFloat32({ num: (1n << 128n) - (1n << 103n) - 1n, den: 1n }), MAX_FINITE);
});

function exactDouble(x: number) {
  let num = 0n;
  let den = 1n;
  let e = 0;
  let m = x;
  while (!Number.isInteger(m)) {
    m *= 2;
    e++;
  }
  num = BigInt(m);
  den = 1n << BigInt(e);
  return { num, den };
}

test("canonical form: one NaN, −0 is +0; only non-canonical NaNs are refused in a tensor", () => {
  assert.equal(canonicalize(0xffc00000), CANONICAL_NAN);
  assert.equal(canonicalize(0x7f800001), CANONICAL_NAN);
  assert.equal(canonicalize(0x80000000), 0);
  assert.equal(canonicalize(0x80000001), 0x80000001);
  assert.equal(isCanonical(CANONICAL_NAN), true);
  assert.equal(isCanonical(0xffc00000), false);
  assert.equal(isCanonical(0x80000000), true);
  assert.equal(isCanonical(0x00000001), true);
});

test("the policy hash is keccak256 of its five-word abi.encode", () => {
  const encoded = encodePolicy(STRICT_FP32);
  assert.equal(encoded.length, 2 + 5 * 64);
  const again = encodeAbiParameters(
    [{ type: "uint8" }, { type: "uint8" }, { type: "uint8" }, { type: "int16" }, { type: "uint16" }],
    [1, 24, 0, -124, 0],
  );
  assert.equal(encoded, again);
  assert.equal(policyHash(STRICT_FP32), keccak256(again));
});
