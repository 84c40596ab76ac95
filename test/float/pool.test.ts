/**
 * Pool elements (src/float/pool.ts, docs/PROTOCOL.md §11.9) against the ONNX definition written
 * out directly: MaxPool is the window's largest value inside the image (padding ignored),
 * AveragePool's honest fp32 results (sum then divide, or multiply by fl(1/d)) are admissible with
 * and without count_include_pad, GlobalAveragePool likewise; 1.1·B is fraud; a window wholly in
 * the padding is refused.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { claimAt } from "../../src/float/claims.ts";
import { FloatTensor } from "../../src/float/commitment.ts";
import { fromBits, toBits } from "../../src/float/f32.ts";
import { meanClaim } from "../../src/float/mean.ts";
import { STRICT_FP32 } from "../../src/float/policy.ts";
import {
  averagePoolElement,
  averagePoolVerdict,
  globalAveragePoolElement,
  globalAveragePoolVerdict,
  maxPoolVerdict,
  poolProof,
  type PoolGeometry,
} from "../../src/float/pool.ts";
import { exactValueAndBound } from "../../src/float/sum.ts";
import { Verdict } from "../../src/float/verdict.ts";
import { outputDims } from "../../src/float/window.ts";
import { Rng } from "../../src/vectors/rng.ts";
import { add32 } from "./exec.ts";

const P = STRICT_FP32;

function tensor(rng: Rng, shape: number[]): FloatTensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return new FloatTensor(
    shape,
    Uint32Array.from({ length: n }, () => toBits(Math.fround((rng.u32() / 2 ** 32) * 8 - 4))),
  );
}

/** The window's values inside the image, straight from the definition. */
function definition(x: FloatTensor, g: PoolGeometry, o: number): number[] {
  const [, , h, w] = x.shape as [number, number, number, number];
  const [oh, ow] = outputDims(h, w, g.kernel, g);
  const plane = Math.floor(o / (oh * ow));
  const oy = Math.floor(o / ow) % oh;
  const ox = o % ow;
  const out: number[] = [];
  for (let r = 0; r < g.kernel[0]; r++) {
    for (let col = 0; col < g.kernel[1]; col++) {
      const iy = oy * g.strides[0] - g.pads[0] + r * g.dilations[0];
      const ix = ox * g.strides[1] - g.pads[1] + col * g.dilations[1];
      if (iy >= 0 && iy < h && ix >= 0 && ix < w) out.push(x.at((plane * h + iy) * w + ix));
    }
  }
  return out;
}

const base = { pads: [0, 0, 0, 0], dilations: [1, 1], countIncludePad: false } as const;
const GEOMETRIES: [string, PoolGeometry][] = [
  ["2×2 stride 2", { ...base, kernel: [2, 2], strides: [2, 2] }],
  ["3×3 stride 1 pad 1", { ...base, kernel: [3, 3], strides: [1, 1], pads: [1, 1, 1, 1] }],
  [
    "3×2 stride (2,1) pads (2,0,1,1) dilation (1,2)",
    { ...base, kernel: [3, 2], strides: [2, 1], pads: [2, 0, 1, 1], dilations: [1, 2] },
  ],
  [
    "3×3 pad 1 count_include_pad",
    { ...base, kernel: [3, 3], strides: [1, 1], pads: [1, 1, 1, 1], countIncludePad: true },
  ],
];

test("MaxPool is the largest value under the window inside the image; any other value is fraud", () => {
  const rng = new Rng(101);
  const x = tensor(rng, [2, 3, 7, 6]);
  for (const [name, g] of GEOMETRIES) {
    const [oh, ow] = outputDims(7, 6, g.kernel, g);
    for (let o = 0; o < 6 * oh * ow; o++) {
      const xs = definition(x, g, o);
      const max = xs.reduce((m, v) => (fromBits(v) > fromBits(m) ? v : m));
      assert.equal(maxPoolVerdict(x, g, o, max), Verdict.ADMISSIBLE, `${name} ${o}`);
      const other = xs.find((v) => fromBits(v) < fromBits(max));
      if (other !== undefined) assert.equal(maxPoolVerdict(x, g, o, other), Verdict.VIOLATES, `${name} ${o}`);
    }
  }
});

test("honest fp32 averages are admissible at every element, divided or multiplied by fl(1/d); 1.1·B is fraud", () => {
  const rng = new Rng(102);
  const x = tensor(rng, [1, 2, 7, 6]);
  for (const [name, g] of GEOMETRIES) {
    const [oh, ow] = outputDims(7, 6, g.kernel, g);
    for (let o = 0; o < 2 * oh * ow; o++) {
      const xs = definition(x, g, o).map(fromBits);
      const d = g.countIncludePad ? g.kernel[0] * g.kernel[1] : xs.length;
      const sum = xs.reduce((s, v) => add32(s, v), 0);
      const reversed = [...xs].reverse().reduce((s, v) => add32(s, v), 0);
      for (const y of [Math.fround(sum / d), Math.fround(reversed * Math.fround(1 / d))]) {
        assert.equal(averagePoolVerdict(x, g, o, toBits(y), P), Verdict.ADMISSIBLE, `${name} ${o}`);
      }
      const { y, bound } = exactValueAndBound(meanClaim(averagePoolElement(x, g, o, 0)), P);
      assert.equal(averagePoolVerdict(x, g, o, claimAt(y, bound, 1.1, 1, false), P), Verdict.VIOLATES, `${name} ${o}`);
    }
  }
});

test("GlobalAveragePool averages the whole plane; a window wholly in the padding is refused", () => {
  const rng = new Rng(103);
  const x = tensor(rng, [2, 3, 4, 5]);
  for (let o = 0; o < 6; o++) {
    const xs = x.run(o * 20, 20).map(fromBits);
    const y = Math.fround(xs.reduce((s, v) => add32(s, v), 0) / 20);
    assert.equal(globalAveragePoolVerdict(x, o, toBits(y), P), Verdict.ADMISSIBLE);
    const e = globalAveragePoolElement(x, o, 0);
    const { y: exact, bound } = exactValueAndBound(meanClaim(e), P);
    assert.equal(globalAveragePoolVerdict(x, o, claimAt(exact, bound, 2, -1, false), P), Verdict.VIOLATES);
  }
  const far: PoolGeometry = { ...base, kernel: [2, 2], strides: [2, 2], pads: [2, 2, 2, 2] };
  assert.throws(() => poolProof(x, far, 0, 0, P), /padding/);
});
