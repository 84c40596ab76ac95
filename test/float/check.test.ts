/**
 * The float trace checker (src/float/check/) against the exact rules of src/float: on
 * random, adversarial and borderline elements of every family it gives the contract's
 * verdict, and it never flags an element the exact definition calls ADMISSIBLE or UNCHECKED.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { claimAt } from "../../src/float/claims.ts";
import { dotClaim, dotVerdict, exactDotVerdict, type DotElement } from "../../src/float/dot.ts";
import {
  ElementwiseOp,
  elementwiseBound,
  elementwiseVerdict,
  exactElementwiseVerdict,
  exactResult,
  specialResult,
} from "../../src/float/elementwise.ts";
import {
  CANONICAL_NAN,
  NEGATIVE_INFINITY,
  POSITIVE_INFINITY,
  fromBits,
  stepUlps,
  toBits,
} from "../../src/float/f32.ts";
import { exactMeanVerdict, meanClaim, meanVerdict } from "../../src/float/mean.ts";
import { STRICT_FP32 } from "../../src/float/policy.ts";
import { exactValueAndBound } from "../../src/float/sum.ts";
import { Verdict } from "../../src/float/verdict.ts";
import { ElementCheck } from "../../src/float/check/kernel.ts";
import { checkNode, kernelFor, type FloatNode } from "../../src/float/check/node.ts";
import { Rng } from "../../src/vectors/rng.ts";
import { dot32 } from "./exec.ts";
import { FAMILIES, operands, uniform } from "./inputs.ts";

const P = STRICT_FP32;
const f32 = (bits: readonly number[]) => new Float32Array(new Uint32Array(bits).buffer);
const tensor = (dims: number[], bits: readonly number[]) => ({ dims, data: f32(bits) });

/** Claims around an element's exact value: honest, inside, the last fp32 within B and the first beyond, far. */
function claimsAround(
  y: ReturnType<typeof exactValueAndBound>["y"],
  bound: ReturnType<typeof exactValueAndBound>["bound"],
  honest: number,
): number[] {
  const out = [honest];
  // with K = 1 no fp32 may lie within 0.5·B of y: the honest result stands in
  const within = (c: number, sign: 1 | -1) => {
    try {
      return claimAt(y, bound, c, sign, true);
    } catch {
      return honest;
    }
  };
  for (const sign of [1, -1] as const) {
    out.push(within(0.5, sign), within(1, sign), claimAt(y, bound, 1, sign, false));
    out.push(claimAt(y, bound, 1.1, sign, false), claimAt(y, bound, 10, sign, false));
  }
  return out;
}

/** The checker's verdict must be the contract's, and a flag must be a violation by the definition too. */
function agree(checker: Verdict, contract: Verdict, exact: Verdict, what: string): void {
  assert.equal(checker, contract, what);
  if (checker === Verdict.VIOLATES) assert.equal(exact, Verdict.VIOLATES, `${what}: flagged but not a violation`);
}

/** Checks one batched MatMul whose element i is elements[i] (A [E,1,K], B [E,K,1]). */
function checkDots(elements: readonly DotElement[]): { verdicts: Verdict[]; deferred: number } {
  const k = elements[0]!.a.length;
  const node: FloatNode = {
    opType: "MatMul",
    attributes: {},
    inputs: [
      tensor(
        [elements.length, 1, k],
        elements.flatMap((e) => e.a),
      ),
      tensor(
        [elements.length, k, 1],
        elements.flatMap((e) => e.b),
      ),
    ],
    output: tensor(
      [elements.length, 1, 1],
      elements.map((e) => e.claimed),
    ),
  };
  const kernel = kernelFor(node);
  const out = new ElementCheck();
  const verdicts: Verdict[] = [];
  let deferred = 0;
  elements.forEach((e, i) => {
    kernel.check(i, e.claimed, out);
    verdicts.push(out.verdict);
    if (out.deferred) deferred++;
  });
  return { verdicts, deferred };
}

test("dot products: the checker gives the contract's verdict on honest, random, adversarial and boundary claims", () => {
  const rng = new Rng(7001);
  let flagged = 0;
  for (const family of FAMILIES) {
    for (const k of [1, 2, 7, 64, 300]) {
      const { a, b } = operands(rng, family, k);
      const base: DotElement = { a: a.map(toBits), b: b.map(toBits), claimed: toBits(dot32(a, b, "sequential", rng)) };
      const { y, bound } = exactValueAndBound(dotClaim(base), P);
      const elements = claimsAround(y, bound, base.claimed).map((claimed) => ({ ...base, claimed }));
      const { verdicts } = checkDots(elements);
      elements.forEach((e, i) => {
        agree(verdicts[i]!, dotVerdict(e, P), exactDotVerdict(e, P), `${family} K=${k} claim ${i}`);
        if (verdicts[i] === Verdict.VIOLATES) flagged++;
      });
      // claims beyond B (the first fp32 past it, 1.1·B, 10·B on both sides) are all caught
      assert.deepEqual(
        [3, 4, 5, 8, 9, 10].map((i) => verdicts[i]),
        new Array(6).fill(Verdict.VIOLATES),
        `${family} K=${k}`,
      );
    }
  }
  assert.equal(flagged, FAMILIES.length * 5 * 6);
});

test("dot products: an element within float64's margin of B is deferred to the exact rule and decided as it decides", () => {
  // a = [2²³ − 1, 2²³ − 1], b = [1, −1]: y = 0, Σ|t| = 2²⁴ − 2, so γ₂·Σ|t| = 2 exactly and B = 2 + 2η.
  const x = toBits(2 ** 23 - 1);
  const base = { a: [x, x], b: [toBits(1), toBits(-1)] };
  const claims = [toBits(2), toBits(-2), stepUlps(toBits(2), 1), stepUlps(toBits(-2), 1), stepUlps(toBits(2), -1)];
  const elements = claims.map((claimed) => ({ ...base, claimed }));
  const { verdicts, deferred } = checkDots(elements);
  assert.deepEqual(verdicts, [
    Verdict.ADMISSIBLE,
    Verdict.ADMISSIBLE,
    Verdict.VIOLATES,
    Verdict.VIOLATES,
    Verdict.ADMISSIBLE,
  ]);
  assert.equal(deferred, 2, "the claims at exactly γ₂·Σ|t| lie within 2η of B");
  elements.forEach((e, i) => agree(verdicts[i]!, dotVerdict(e, P), exactDotVerdict(e, P), `claim ${i}`));
});

test("dot products: non-finite operands are unchecked, a non-finite claim violates, an overflowing sum is unchecked", () => {
  const one = toBits(1);
  const elements: DotElement[] = [
    { a: [POSITIVE_INFINITY, one], b: [one, one], claimed: POSITIVE_INFINITY },
    { a: [CANONICAL_NAN, one], b: [one, one], claimed: 0 },
    { a: [one, one], b: [one, one], claimed: POSITIVE_INFINITY },
    { a: [one, one], b: [one, one], claimed: CANONICAL_NAN },
    { a: [toBits(2 ** 64), toBits(2 ** 64)], b: [toBits(2 ** 63), toBits(2 ** 63)], claimed: 0 },
  ];
  const { verdicts } = checkDots(elements);
  assert.deepEqual(verdicts, [
    Verdict.UNCHECKED,
    Verdict.UNCHECKED,
    Verdict.VIOLATES,
    Verdict.VIOLATES,
    Verdict.UNCHECKED,
  ]);
  elements.forEach((e, i) => agree(verdicts[i]!, dotVerdict(e, P), exactDotVerdict(e, P), `case ${i}`));
});

test("Gemm with α, β, transposes and a broadcast bias, and Conv with padding, strides and dilation, agree with the exact rule", () => {
  const rng = new Rng(7002);
  const r = () => toBits(Math.fround(uniform(rng, -1, 1)));
  // Gemm: A' [2, 5] stored transposed, B' [5, 3] stored transposed, C [1, 3].
  const [m, k, n] = [2, 5, 3];
  const A = Array.from({ length: k * m }, r); // [k, m]
  const Bt = Array.from({ length: n * k }, r); // [n, k]
  const C = Array.from({ length: n }, r);
  const alpha = toBits(0.75);
  const beta = toBits(-1.5);
  const gemmElements: DotElement[] = [];
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      const base = {
        a: Array.from({ length: k }, (_, q) => A[q * m + i]!),
        b: Array.from({ length: k }, (_, q) => Bt[j * k + q]!),
        bias: C[j]!,
        alpha,
        beta,
      };
      const { y, bound } = exactValueAndBound(dotClaim({ ...base, claimed: 0 }), P);
      gemmElements.push({ ...base, claimed: claimAt(y, bound, 1, (i + j) % 2 === 0 ? 1 : -1, i === 0) });
    }
  }
  const gemm = checkNode({
    opType: "Gemm",
    attributes: { transA: 1, transB: 1, alpha: 0.75, beta: -1.5 },
    inputs: [tensor([k, m], A), tensor([n, k], Bt), tensor([1, n], C)],
    output: tensor(
      [m, n],
      gemmElements.map((e) => e.claimed),
    ),
  });
  const expectedGemm = gemmElements.map((e) => dotVerdict(e, P));
  assert.deepEqual(
    gemm.violations.map((v) => v.index),
    expectedGemm.flatMap((v, i) => (v === Verdict.VIOLATES ? [i] : [])),
  );
  assert.equal(gemm.violationCount, n, "row 1's claims lie just beyond B");
  gemmElements.forEach((e, i) => {
    if (gemm.violations.some((v) => v.index === i)) assert.equal(exactDotVerdict(e, P), Verdict.VIOLATES);
  });

  // Conv: X [1, 2, 5, 6], W [3, 2, 3, 2], pads [1, 0, 2, 1], strides [2, 1], dilations [1, 2].
  const [c, h, w, maps, kh, kw] = [2, 5, 6, 3, 3, 2];
  const X = Array.from({ length: c * h * w }, r);
  const W = Array.from({ length: maps * c * kh * kw }, r);
  const bias = Array.from({ length: maps }, r);
  const [pt, pl, pb, pr, sh, sw, dh, dw] = [1, 0, 2, 1, 2, 1, 1, 2];
  const outH = Math.floor((h + pt + pb - (dh * (kh - 1) + 1)) / sh) + 1;
  const outW = Math.floor((w + pl + pr - (dw * (kw - 1) + 1)) / sw) + 1;
  const convElements: DotElement[] = [];
  for (let o = 0; o < maps; o++) {
    for (let oy = 0; oy < outH; oy++) {
      for (let ox = 0; ox < outW; ox++) {
        const a: number[] = [];
        const b: number[] = [];
        for (let ch = 0; ch < c; ch++) {
          for (let i = 0; i < kh; i++) {
            for (let j = 0; j < kw; j++) {
              const iy = oy * sh - pt + i * dh;
              const ix = ox * sw - pl + j * dw;
              a.push(iy >= 0 && iy < h && ix >= 0 && ix < w ? X[(ch * h + iy) * w + ix]! : 0);
              b.push(W[((o * c + ch) * kh + i) * kw + j]!);
            }
          }
        }
        const { y, bound } = exactValueAndBound(dotClaim({ a, b, bias: bias[o]!, claimed: 0 }), P);
        const within = rng.u32() % 2 === 0;
        convElements.push({
          a,
          b,
          bias: bias[o]!,
          claimed: claimAt(y, bound, 1, rng.u32() % 2 === 0 ? 1 : -1, within),
        });
      }
    }
  }
  const conv = checkNode({
    opType: "Conv",
    attributes: { pads: [pt, pl, pb, pr], strides: [sh, sw], dilations: [dh, dw], kernel_shape: [kh, kw] },
    inputs: [tensor([1, c, h, w], X), tensor([maps, c, kh, kw], W), tensor([maps], bias)],
    output: tensor(
      [1, maps, outH, outW],
      convElements.map((e) => e.claimed),
    ),
  });
  const expectedConv = convElements.flatMap((e, i) => (dotVerdict(e, P) === Verdict.VIOLATES ? [i] : []));
  assert.ok(expectedConv.length > 0 && expectedConv.length < convElements.length);
  assert.deepEqual(
    conv.violations.map((v) => v.index),
    expectedConv,
  );
  for (const i of expectedConv) assert.equal(exactDotVerdict(convElements[i]!, P), Verdict.VIOLATES);
});

test("averages: ReduceMean, GlobalAveragePool and AveragePool (with and without counted padding) agree with the exact rule", () => {
  const rng = new Rng(7003);
  const [c, h, w] = [3, 4, 5];
  const x = Array.from({ length: c * h * w }, () =>
    toBits(Math.fround(uniform(rng, -1, 1) * 2 ** Math.floor(uniform(rng, -4, 4)))),
  );
  const windows = (kind: string): { xs: number[]; d: number }[] => {
    const out: { xs: number[]; d: number }[] = [];
    if (kind === "global")
      for (let ch = 0; ch < c; ch++) out.push({ xs: x.slice(ch * h * w, (ch + 1) * h * w), d: h * w });
    if (kind === "reduce") {
      // ReduceMean over axis 2 of [1, c, h, w] (keepdims): one per (ch, col)
      for (let ch = 0; ch < c; ch++)
        for (let j = 0; j < w; j++)
          out.push({ xs: Array.from({ length: h }, (_, i) => x[(ch * h + i) * w + j]!), d: h });
    }
    if (kind === "pool" || kind === "poolPad") {
      // kernel 3×3, stride 2, pads 1 all round
      for (let ch = 0; ch < c; ch++) {
        for (let oy = 0; oy < 2; oy++) {
          for (let ox = 0; ox < 3; ox++) {
            const xs: number[] = [];
            let padded = 0;
            for (let i = 0; i < 3; i++) {
              for (let j = 0; j < 3; j++) {
                const iy = oy * 2 - 1 + i;
                const ix = ox * 2 - 1 + j;
                if (iy < h + 1 && ix < w + 1) padded++;
                if (iy >= 0 && iy < h && ix >= 0 && ix < w) xs.push(x[(ch * h + iy) * w + ix]!);
              }
            }
            out.push({ xs, d: kind === "poolPad" ? padded : xs.length });
          }
        }
      }
    }
    return out;
  };
  const nodes = {
    global: { opType: "GlobalAveragePool", attributes: {}, dims: [1, c, 1, 1] },
    reduce: { opType: "ReduceMean", attributes: { axes: [2] }, dims: [1, c, 1, w] },
    pool: {
      opType: "AveragePool",
      attributes: { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] },
      dims: [1, c, 2, 3],
    },
    poolPad: {
      opType: "AveragePool",
      attributes: { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], count_include_pad: 1 },
      dims: [1, c, 2, 3],
    },
  };
  for (const [kind, spec] of Object.entries(nodes)) {
    const elements = windows(kind).map(({ xs, d }) => {
      const { y, bound } = exactValueAndBound(meanClaim({ x: xs, divisor: d, claimed: 0 }), P);
      return {
        x: xs,
        divisor: d,
        claimed: claimAt(y, bound, rng.u32() % 2 === 0 ? 1 : 1.1, rng.u32() % 2 === 0 ? 1 : -1, rng.u32() % 2 === 0),
      };
    });
    const result = checkNode({
      opType: spec.opType,
      attributes: spec.attributes,
      inputs: [tensor([1, c, h, w], x)],
      output: tensor(
        spec.dims,
        elements.map((e) => e.claimed),
      ),
    });
    const expected = elements.flatMap((e, i) => (meanVerdict(e, P) === Verdict.VIOLATES ? [i] : []));
    assert.deepEqual(
      result.violations.map((v) => v.index),
      expected,
      kind,
    );
    for (const i of expected) assert.equal(exactMeanVerdict(elements[i]!, P), Verdict.VIOLATES, kind);
    assert.ok(expected.length > 0, `${kind}: some claims lie beyond B`);
  }
});

test("elementwise: Add, Sub, Mul, Div, Sqrt with broadcasting agree with the exact rule, specials included", () => {
  const rng = new Rng(7004);
  const specials = [
    0,
    0x80000000,
    POSITIVE_INFINITY,
    NEGATIVE_INFINITY,
    CANONICAL_NAN,
    1,
    toBits(2 ** -149),
    toBits(2 ** 127),
  ];
  const value = (i: number) =>
    i < specials.length
      ? specials[i]!
      : toBits(Math.fround(uniform(rng, -1, 1) * 2 ** Math.floor(uniform(rng, -130, 128))));
  const n = 64;
  // A [n, 1] against B [1, n]: every pair
  const a = Array.from({ length: n }, (_, i) => value(i));
  const b = Array.from({ length: n }, (_, i) => value(i));
  for (const [name, op] of [
    ["Add", ElementwiseOp.ADD],
    ["Sub", ElementwiseOp.SUB],
    ["Mul", ElementwiseOp.MUL],
    ["Div", ElementwiseOp.DIV],
    ["Sqrt", ElementwiseOp.SQRT],
  ] as const) {
    const pairs =
      op === ElementwiseOp.SQRT ? a.map((x) => [x, 0] as const) : a.flatMap((x) => b.map((y) => [x, y] as const));
    const claims = pairs.map(([x, y], i) => {
      const e = { op, a: x, b: y, claimed: 0 };
      const special = specialResult(e);
      if (special !== undefined) return i % 3 === 0 ? (special === toBits(1) ? toBits(2) : toBits(1)) : special;
      const honest = toBits(op === ElementwiseOp.SQRT ? Math.sqrt(fromBits(x)) : arith(op, fromBits(x), fromBits(y)));
      if (op === ElementwiseOp.SQRT || exactElementwiseVerdict({ ...e, claimed: honest }, P) === Verdict.UNCHECKED) {
        // no exact y to measure from (√) or none needed (overflow): the honest result, or some ulps off
        return i % 2 === 0 || (honest & 0x7fffffff) >= 0x7f7f0000 ? honest : stepUlps(honest, 1 + (i % 3));
      }
      const choice = [0.5, 1, 1, 1.1][i % 4]!;
      return claimAt(exactResult(e), elementwiseBound(e, P), choice, i % 5 < 2 ? 1 : -1, i % 4 < 2);
    });
    const node: FloatNode =
      op === ElementwiseOp.SQRT
        ? { opType: name, attributes: {}, inputs: [tensor([n], a)], output: tensor([n], claims) }
        : {
            opType: name,
            attributes: {},
            inputs: [tensor([n, 1], a), tensor([1, n], b)],
            output: tensor([n, n], claims),
          };
    const kernel = kernelFor(node);
    const out = new ElementCheck();
    let flagged = 0;
    pairs.forEach(([x, y], i) => {
      kernel.check(i, claims[i]!, out);
      const e = { op, a: x, b: y, claimed: claims[i]! };
      agree(
        out.verdict,
        elementwiseVerdict(e, P),
        exactElementwiseVerdict(e, P),
        `${name} ${x.toString(16)} ${y.toString(16)} claim ${claims[i]!.toString(16)}`,
      );
      if (out.verdict === Verdict.VIOLATES) flagged++;
    });
    assert.ok(flagged > 0, `${name}: some claims violate`);
  }
});

function arith(op: ElementwiseOp, x: number, y: number): number {
  return op === ElementwiseOp.ADD ? x + y : op === ElementwiseOp.SUB ? x - y : op === ElementwiseOp.MUL ? x * y : x / y;
}

test("elementwise: a claim at exactly 2u·|y| is deferred and admitted", () => {
  // 1 + 1 = 2; the claim 2 + 2⁻²² is 2u·|y| away, inside B = 2u·|y| + η by η only.
  const node: FloatNode = {
    opType: "Add",
    attributes: {},
    inputs: [tensor([2], [toBits(1), toBits(1)]), tensor([2], [toBits(1), toBits(1)])],
    output: tensor([2], [toBits(2 + 2 ** -22), toBits(2 + 2 ** -21)]),
  };
  const result = checkNode(node);
  assert.equal(result.deferred, 1);
  assert.deepEqual(
    result.violations.map((v) => v.index),
    [1],
  );
});

test("exact operators: Relu, Max, MaxPool, Transpose, Flatten and ArgMax compare canonical bits; NaN operands are unchecked", () => {
  const x = [toBits(-1), 0x80000000, toBits(2), 0x7fc00001, toBits(-3), toBits(5)];
  const relu = checkNode({
    opType: "Relu",
    attributes: {},
    inputs: [tensor([2, 3], x)],
    output: tensor([2, 3], [0x80000000, 0, toBits(2), CANONICAL_NAN, toBits(-3), toBits(5)]),
  });
  assert.deepEqual(
    relu.violations.map((v) => v.index),
    [4],
    "−0 for 0 and another NaN pattern are the same value; −3 is not",
  );
  const max = checkNode({
    opType: "Max",
    attributes: {},
    inputs: [tensor([2, 3], x), tensor([3], [toBits(1), toBits(1), toBits(1)])],
    output: tensor([2, 3], [toBits(1), toBits(1), toBits(2), 0, toBits(1), toBits(1)]),
  });
  assert.equal(max.unchecked, 1);
  assert.deepEqual(
    max.violations.map((v) => v.index),
    [5],
  );
  const t = checkNode({
    opType: "Transpose",
    attributes: { perm: [1, 0] },
    inputs: [tensor([2, 3], x)],
    output: tensor([3, 2], [x[0]!, x[3]!, x[1]!, x[4]!, x[2]!, x[4]!]),
  });
  assert.deepEqual(
    t.violations.map((v) => v.index),
    [5],
  );
  const pool = checkNode({
    opType: "MaxPool",
    attributes: { kernel_shape: [2, 2], strides: [1, 1], pads: [0, 0, 1, 1] },
    inputs: [tensor([1, 1, 2, 2], [toBits(1), toBits(4), toBits(3), toBits(2)])],
    output: tensor([1, 1, 2, 2], [toBits(4), toBits(4), toBits(3), toBits(3)]),
  });
  assert.deepEqual(
    pool.violations.map((v) => v.index),
    [3],
    "padding never wins: the last window holds only 2",
  );
  const argmax = checkNode({
    opType: "ArgMax",
    attributes: { axis: 1, keepdims: 0 },
    inputs: [tensor([3, 2], [toBits(1), toBits(1), toBits(0), toBits(3), 0x7fc00000, 0])],
    output: { dims: [3], data: BigInt64Array.from([0n, 0n, 1n]) },
  });
  assert.equal(argmax.unchecked, 1);
  assert.deepEqual(
    argmax.violations.map((v) => v.index),
    [1],
  );
});

test("bad input is refused with a clear error", () => {
  const one = tensor([1, 2], [toBits(1), toBits(1)]);
  assert.throws(
    () => checkNode({ opType: "Softmax", attributes: {}, inputs: [one], output: one }),
    /does not support Softmax/,
  );
  assert.throws(
    () => checkNode({ opType: "MatMul", attributes: {}, inputs: [one, one], output: one }),
    /K = 2 against 1/,
  );
  assert.throws(
    () => checkNode({ opType: "Add", attributes: {}, inputs: [one, one], output: tensor([2], [0, 0]) }),
    /expected \[1, 2\]/,
  );
});
