/**
 * Conv elements (src/float/conv.ts, docs/PROTOCOL.md §11.9) against the ONNX definition
 * written out directly: the patch pairs every input element under the kernel with its weight
 * and the padding with +0; honest fp32 convolutions in every summation order, bias first or
 * last, are admissible at every output element (borders, strides, dilations, asymmetric pads,
 * batches); claims 0.5·B away are admissible and 1.1·B, 2·B, 10·B away fraud, by the
 * contract's rule and the exact one; the word set covers exactly the touched words.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { claimAt } from "../../src/float/claims.ts";
import { FloatTensor } from "../../src/float/commitment.ts";
import {
  convElement,
  convOutputShape,
  convProof,
  convVerdict,
  convWindow,
  type ConvOperands,
} from "../../src/float/conv.ts";
import { dotClaim, exactDotVerdict } from "../../src/float/dot.ts";
import { fromBits, POSITIVE_INFINITY, toBits } from "../../src/float/f32.ts";
import { STRICT_FP32 } from "../../src/float/policy.ts";
import { roundToFloat32 } from "../../src/float/round.ts";
import { exactValueAndBound } from "../../src/float/sum.ts";
import { Verdict } from "../../src/float/verdict.ts";
import { wordSet, type WindowAttributes } from "../../src/float/window.ts";
import { Rng } from "../../src/vectors/rng.ts";
import { gemm32, ORDERS } from "./exec.ts";

const P = STRICT_FP32;

function tensor(rng: Rng, shape: number[]): FloatTensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return new FloatTensor(
    shape,
    Uint32Array.from({ length: n }, () => toBits(Math.fround((rng.u32() / 2 ** 32) * 2 - 1))),
  );
}

/** ONNX Conv's element o as its K (input, weight) pairs, +0 for the padding, straight from the definition. */
function definition(
  ops: ConvOperands,
  g: WindowAttributes,
  o: number,
): { a: number[]; b: number[]; positions: number[] } {
  const [, c, h, w] = ops.x.shape as number[] as [number, number, number, number];
  const [m, , kh, kw] = ops.w.shape as number[] as [number, number, number, number];
  const [, , oh, ow] = convOutputShape(ops, g);
  const ox = o % ow;
  const oy = Math.floor(o / ow) % oh;
  const oc = Math.floor(o / (oh * ow)) % m;
  const batch = Math.floor(o / (m * oh * ow));
  const a: number[] = [];
  const b: number[] = [];
  const positions: number[] = [];
  for (let ci = 0; ci < c; ci++) {
    for (let r = 0; r < kh; r++) {
      for (let col = 0; col < kw; col++) {
        const iy = oy * g.strides[0] - g.pads[0] + r * g.dilations[0];
        const ix = ox * g.strides[1] - g.pads[1] + col * g.dilations[1];
        const inside = iy >= 0 && iy < h && ix >= 0 && ix < w;
        const p = ((batch * c + ci) * h + iy) * w + ix;
        if (inside) positions.push(p);
        a.push(inside ? ops.x.at(p) : 0);
        b.push(ops.w.at(((oc * c + ci) * kh + r) * kw + col));
      }
    }
  }
  return { a, b, positions };
}

const CASES: [string, number[], number[], boolean, WindowAttributes][] = [
  ["3×3 pad 1", [1, 3, 6, 7], [4, 3, 3, 3], true, { strides: [1, 1], pads: [1, 1, 1, 1], dilations: [1, 1] }],
  [
    "stride 2 pads (1,0,2,1)",
    [1, 2, 9, 8],
    [3, 2, 3, 3],
    true,
    { strides: [2, 2], pads: [1, 0, 2, 1], dilations: [1, 1] },
  ],
  [
    "dilation (2,3) pad 2",
    [1, 2, 9, 10],
    [2, 2, 3, 2],
    false,
    { strides: [1, 2], pads: [2, 2, 2, 2], dilations: [2, 3] },
  ],
  [
    "batch 2, 5×5 kernel, pads wider than the kernel",
    [2, 2, 4, 5],
    [2, 2, 5, 5],
    true,
    { strides: [3, 2], pads: [5, 1, 5, 4], dilations: [1, 1] },
  ],
  ["1×1", [1, 8, 3, 3], [4, 8, 1, 1], true, { strides: [1, 1], pads: [0, 0, 0, 0], dilations: [1, 1] }],
];

function operands(rng: Rng, xs: number[], ws: number[], bias: boolean): ConvOperands {
  return { x: tensor(rng, xs), w: tensor(rng, ws), ...(bias ? { bias: tensor(rng, [ws[0] as number]) } : {}) };
}

test("the patch is the definition's: every input under the kernel with its weight, +0 on the padding", () => {
  const rng = new Rng(81);
  for (const [name, xs, ws, bias, g] of CASES) {
    const ops = operands(rng, xs, ws, bias);
    const [n, m, oh, ow] = convOutputShape(ops, g);
    for (let o = 0; o < n * m * oh * ow; o++) {
      const e = convElement(ops, g, o, 0);
      const d = definition(ops, g, o);
      assert.deepEqual(e.a, d.a, `${name} element ${o}`);
      assert.deepEqual(e.b, d.b, `${name} element ${o}`);
      assert.equal(e.bias, bias ? ops.bias?.at(Math.floor(o / (oh * ow)) % m) : undefined);
      // The word set holds every touched element's word, and only words of the rows' spans.
      const words = wordSet(convWindow(ops, g, o).window);
      for (const p of d.positions) assert.ok(words.includes(Math.floor(p / 8)), `${name} ${o}: word of ${p}`);
      assert.deepEqual(
        [...words].sort((x, y) => x - y),
        words,
      );
      assert.equal(new Set(words).size, words.length);
    }
  }
});

test("honest fp32 convolutions are admissible at every element, in every summation order, bias first or last", () => {
  const rng = new Rng(82);
  let checked = 0;
  for (const [name, xs, ws, bias, g] of CASES) {
    const ops = operands(rng, xs, ws, bias);
    const [n, m, oh, ow] = convOutputShape(ops, g);
    for (let o = 0; o < n * m * oh * ow; o++) {
      const d = definition(ops, g, o);
      const a = d.a.map(fromBits);
      const b = d.b.map(fromBits);
      const c = bias ? fromBits(ops.bias?.at(Math.floor(o / (oh * ow)) % m) as number) : 0;
      for (const order of ORDERS) {
        const y = toBits(gemm32(a, b, order, rng, 1, 1, c, o % 2 === 0));
        assert.equal(convVerdict(ops, g, o, y, P), Verdict.ADMISSIBLE, `${name} element ${o} ${order}`);
        checked++;
      }
    }
  }
  assert.ok(checked > 2000, `${checked}`);
});

test("claims 0.5·B away are admissible, 1.1·B, 2·B and 10·B away fraud (contract rule and exact rule)", () => {
  const rng = new Rng(83);
  for (const [name, xs, ws, bias, g] of CASES) {
    const ops = operands(rng, xs, ws, bias);
    const [n, m, oh, ow] = convOutputShape(ops, g);
    for (const o of [0, ow - 1, Math.floor((n * m * oh * ow) / 2), n * m * oh * ow - 1]) {
      const { y, bound } = exactValueAndBound(dotClaim(convElement(ops, g, o, 0)), P);
      for (const [c, within, expected] of [
        [0.5, true, Verdict.ADMISSIBLE],
        [1.1, false, Verdict.VIOLATES],
        [2, false, Verdict.VIOLATES],
        [10, false, Verdict.VIOLATES],
      ] as const) {
        for (const sign of [1, -1] as const) {
          const claimed = claimAt(y, bound, c, sign, within);
          assert.equal(convVerdict(ops, g, o, claimed, P), expected, `${name} ${o} ${c}B`);
          assert.equal(exactDotVerdict(convElement(ops, g, o, claimed), P), expected, `${name} ${o} ${c}B exact`);
        }
      }
    }
  }
});

test("an ∞ weight is unchecked even where it meets the padding; outside the window it does not matter", () => {
  const rng = new Rng(84);
  const [, xs, ws, , g] = CASES[0] as (typeof CASES)[number];
  const ops = operands(rng, xs, ws, true);
  const bits = Uint32Array.from(ops.w.bits);
  bits[0] = POSITIVE_INFINITY; // W[0, 0, 0, 0]: over the padding at output (0, 0)
  const inf = { ...ops, w: new FloatTensor(ops.w.shape, bits) };
  assert.equal(convVerdict(inf, g, 0, toBits(1), P), Verdict.UNCHECKED);
  const [, m, oh, ow] = convOutputShape(ops, g);
  const other = (m - 1) * oh * ow; // output channel M − 1 uses W[M − 1] only
  const honest = exactValueAndBound(dotClaim(convElement(inf, g, other, 0)), P).y;
  assert.equal(convVerdict(inf, g, other, roundToFloat32(honest), P), Verdict.ADMISSIBLE);
});

test("the proof opens W[m] and B[m] and nothing of X for a window wholly in the padding", () => {
  const rng = new Rng(85);
  const ops = operands(rng, [1, 1, 3, 3], [2, 1, 2, 2], true);
  const g: WindowAttributes = { strides: [1, 1], pads: [3, 3, 3, 3], dilations: [1, 1] };
  const [, , oh, ow] = convOutputShape(ops, g);
  const o = oh * ow; // channel 1, position (0, 0): rows −3, −2, columns −3, −2
  const proof = convProof(ops, g, o, ops.bias?.at(1) as number, P);
  assert.deepEqual(proof.x.words, []);
  assert.deepEqual(proof.x.proof, []);
  assert.equal(proof.w.opening.firstWord, 0n);
  assert.equal(convVerdict(ops, g, o, ops.bias?.at(1) as number, P), Verdict.ADMISSIBLE);
  assert.throws(() => convProof(ops, g, 2 * oh * ow, 0, P), /outside/);
  assert.throws(() => convOutputShape(ops, { ...g, pads: [0, 0, 0, 0], dilations: [3, 1] }), /window/);
});
