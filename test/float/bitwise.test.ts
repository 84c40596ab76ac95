/** Relu, Max/Min/MaxPool and ArgMax on fp32 (src/float/bitwise.ts): exact results, compared after canonicalization. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { argMax, argMaxVerdict, equalityVerdict, extremum, relu } from "../../src/float/bitwise.ts";
import { CANONICAL_NAN, NEGATIVE_INFINITY, POSITIVE_INFINITY, toBits } from "../../src/float/f32.ts";
import { Verdict } from "../../src/float/verdict.ts";

const NEG_ZERO = 0x80000000;

test("Relu: negatives and −0 give +0, NaN stays NaN, positives are copied", () => {
  assert.equal(relu(toBits(-3)), 0);
  assert.equal(relu(NEG_ZERO), 0);
  assert.equal(relu(NEGATIVE_INFINITY), 0);
  assert.equal(relu(toBits(2.5)), toBits(2.5));
  assert.equal(relu(0x00000001), 0x00000001);
  assert.equal(relu(0xffc00001), CANONICAL_NAN);
});

test("Max/Min order by value (−0 = +0, ±∞ at the ends); a NaN leaves the element unchecked", () => {
  const xs = [toBits(-1), NEG_ZERO, toBits(0.5), NEGATIVE_INFINITY];
  assert.equal(extremum(xs, true), toBits(0.5));
  assert.equal(extremum(xs, false), NEGATIVE_INFINITY);
  assert.equal(extremum([NEG_ZERO, 0], true), 0);
  assert.equal(extremum([toBits(1), POSITIVE_INFINITY], true), POSITIVE_INFINITY);
  assert.equal(equalityVerdict(toBits(0.5), extremum(xs, true)), Verdict.ADMISSIBLE);
  assert.equal(equalityVerdict(NEG_ZERO, extremum([NEG_ZERO, toBits(-2)], true)), Verdict.ADMISSIBLE);
  assert.equal(equalityVerdict(toBits(0.25), extremum(xs, true)), Verdict.VIOLATES);
  assert.equal(equalityVerdict(toBits(1), extremum([toBits(1), CANONICAL_NAN], true)), Verdict.UNCHECKED);
});

test("ArgMax: first or last maximum, −0 ties +0; a row with a NaN is unchecked", () => {
  const row = [toBits(1), toBits(3), NEG_ZERO, toBits(3), 0];
  assert.equal(argMax(row, false), 1);
  assert.equal(argMax(row, true), 3);
  assert.equal(argMax([NEG_ZERO, 0], false), 0);
  assert.equal(argMax([NEG_ZERO, 0], true), 1);
  assert.equal(argMaxVerdict(row, false, 1n), Verdict.ADMISSIBLE);
  assert.equal(argMaxVerdict(row, false, 3n), Verdict.VIOLATES);
  assert.equal(argMaxVerdict([toBits(1), CANONICAL_NAN], false, 0n), Verdict.UNCHECKED);
});
