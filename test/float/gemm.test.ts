/**
 * Gemm elements (src/float/gemm.ts, docs/PROTOCOL.md §11.9): the runs are A's row and B's
 * column whatever the transpositions (the committed layout follows the attribute), C
 * broadcasts from every allowed shape, honest fp32 results in every order are admissible,
 * claims 1.1·B away and beyond are fraud, and layouts that break contiguity are refused.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { claimAt } from "../../src/float/claims.ts";
import { FloatTensor } from "../../src/float/commitment.ts";
import { dotClaim } from "../../src/float/dot.ts";
import { fromBits, toBits } from "../../src/float/f32.ts";
import { GEMM_DEFAULTS, gemmElement, gemmProof, gemmVerdict, type GemmAttributes } from "../../src/float/gemm.ts";
import { STRICT_FP32 } from "../../src/float/policy.ts";
import { exactValueAndBound } from "../../src/float/sum.ts";
import { Verdict } from "../../src/float/verdict.ts";
import { Layout } from "../../src/tensor/spec.ts";
import { Rng } from "../../src/vectors/rng.ts";
import { gemm32, ORDERS } from "./exec.ts";

const P = STRICT_FP32;
const M = 4;
const N = 5;
const K = 19;

const random = (rng: Rng, n: number) =>
  Array.from({ length: n }, () => toBits(Math.fround((rng.u32() / 2 ** 32) * 2 - 1)));

/** The row-major [r, c] matrix `bits` transposed to [c, r]. */
const transpose = (bits: number[], r: number, c: number) =>
  Array.from({ length: r * c }, (_, i) => bits[(i % r) * c + Math.floor(i / r)] as number);

test("A's row and B's column are the runs for every transA and transB, C broadcast from every shape", () => {
  const rng = new Rng(91);
  const a = random(rng, M * K); // logical A [M, K]
  const b = random(rng, K * N); // logical B [K, N]
  const cFull = random(rng, M * N);
  const shapes: [number[], (m: number, n: number) => number][] = [
    [[], () => 0],
    [[1], () => 0],
    [[N], (_, n) => n],
    [[1, N], (_, n) => n],
    [[M, 1], (m) => m],
    [[M, N], (m, n) => m * N + n],
    [[1, 1], () => 0],
  ];
  for (const transA of [false, true]) {
    for (const transB of [false, true]) {
      // Stored as ONNX stores them, committed in the layout the attribute asks for.
      const A = transA
        ? new FloatTensor([K, M], Uint32Array.from(transpose(a, M, K)), Layout.TRANSPOSED)
        : new FloatTensor([M, K], Uint32Array.from(a));
      const B = transB
        ? new FloatTensor([N, K], Uint32Array.from(transpose(b, K, N)))
        : new FloatTensor([K, N], Uint32Array.from(b), Layout.TRANSPOSED);
      for (const [shape, at] of shapes) {
        const count = shape.reduce((x, y) => x * y, 1);
        const C = new FloatTensor(shape, Uint32Array.from(cFull.slice(0, count)));
        const attrs: GemmAttributes = { ...GEMM_DEFAULTS, transA, transB };
        for (let o = 0; o < M * N; o++) {
          const m = Math.floor(o / N);
          const n = o % N;
          const e = gemmElement({ a: A, b: B, c: C }, attrs, o, 0);
          assert.deepEqual(e.a, a.slice(m * K, (m + 1) * K));
          assert.deepEqual(
            e.b,
            Array.from({ length: K }, (_, k) => b[k * N + n]),
          );
          assert.equal(e.bias, cFull[at(m, n)], `C [${shape.join(",")}] at ${o}`);
        }
      }
    }
  }
});

test("honest fp32 Gemm results are admissible in every order, with α, β and the bias first or last; 1.1·B is fraud", () => {
  const rng = new Rng(92);
  const A = new FloatTensor([M, K], Uint32Array.from(random(rng, M * K)));
  const B = new FloatTensor([K, N], Uint32Array.from(random(rng, K * N)), Layout.TRANSPOSED);
  const C = new FloatTensor([N], Uint32Array.from(random(rng, N)));
  for (const [alpha, beta] of [
    [1, 1],
    [0.5, 2],
    [-1.5, 0.25],
  ] as const) {
    const attrs: GemmAttributes = { ...GEMM_DEFAULTS, alpha: toBits(alpha), beta: toBits(beta) };
    for (let o = 0; o < M * N; o++) {
      const e = gemmElement({ a: A, b: B, c: C }, attrs, o, 0);
      for (const order of ORDERS) {
        const y = gemm32(
          e.a.map(fromBits),
          e.b.map(fromBits),
          order,
          rng,
          alpha,
          beta,
          fromBits(e.bias as number),
          o % 2 === 0,
        );
        assert.equal(
          gemmVerdict({ a: A, b: B, c: C }, attrs, o, toBits(y), P),
          Verdict.ADMISSIBLE,
          `α=${alpha} ${o} ${order}`,
        );
      }
      const { y, bound } = exactValueAndBound(dotClaim(e), P);
      assert.equal(gemmVerdict({ a: A, b: B, c: C }, attrs, o, claimAt(y, bound, 1.1, 1, false), P), Verdict.VIOLATES);
      assert.equal(
        gemmVerdict({ a: A, b: B, c: C }, attrs, o, claimAt(y, bound, 0.5, -1, true), P),
        Verdict.ADMISSIBLE,
      );
    }
  }
});

test("layouts that break a run's contiguity, a K mismatch and a C that cannot broadcast are refused", () => {
  const rng = new Rng(93);
  const A = new FloatTensor([M, K], Uint32Array.from(random(rng, M * K)));
  const rowB = new FloatTensor([K, N], Uint32Array.from(random(rng, K * N)));
  const B = new FloatTensor([K, N], Uint32Array.from(random(rng, K * N)), Layout.TRANSPOSED);
  assert.throws(() => gemmProof({ a: A, b: rowB }, GEMM_DEFAULTS, 0, 0, P), /layout/);
  assert.throws(() => gemmProof({ a: A, b: B }, { ...GEMM_DEFAULTS, transA: true }, 0, 0, P), /layout/);
  const shortB = new FloatTensor([K - 1, N], Uint32Array.from(random(rng, (K - 1) * N)), Layout.TRANSPOSED);
  assert.throws(() => gemmProof({ a: A, b: shortB }, GEMM_DEFAULTS, 0, 0, P), /K/);
  const badC = new FloatTensor([N + 1], Uint32Array.from(random(rng, N + 1)));
  assert.throws(() => gemmProof({ a: A, b: B, c: badC }, GEMM_DEFAULTS, 0, 0, P), /broadcast/);
  assert.throws(() => gemmProof({ a: A, b: B }, GEMM_DEFAULTS, M * N, 0, P), /outside/);
});
