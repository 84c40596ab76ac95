/**
 * Golden vectors of the float profile (test/vectors/float.json, written by
 * scripts/vectors-float.ts; docs/PROTOCOL.md §10): elements of every family with the
 * contract's inputs and the verdict the reference gives — honest executions, claims at
 * 0.5·B, the last fp32 within B and the first beyond it, 1.1·B and 10·B, special values,
 * unchecked elements, and hints the contract must refuse; then the operators with operand
 * openings and word-set openings (src/float/operatorVectors.ts). The Solidity suite feeds each
 * to FloatOneStep and must return the same verdict.
 */
import { argMax, extremum, relu } from "./bitwise.ts";
import { claimAt } from "./claims.ts";
import { dotClaim, dotVerdict, type DotElement } from "./dot.ts";
import {
  ElementwiseOp,
  elementwiseBound,
  elementwiseVerdict,
  exactResult,
  type ElementwiseElement,
} from "./elementwise.ts";
import { CANONICAL_NAN, fromBits, NEGATIVE_INFINITY, ONE, POSITIVE_INFINITY, toBits } from "./f32.ts";
import { meanClaim, meanVerdict, type MeanElement } from "./mean.ts";
import {
  multiOpeningVectors,
  operatorVectors,
  type MultiOpeningVector,
  type OperatorVector,
} from "./operatorVectors.ts";
import { encodePolicy, policyHash, STRICT_FP32 } from "./policy.ts";
import { revertVectors, type RevertVector } from "./revertVectors.ts";
import { canonicalHint, exactValueAndBound } from "./sum.ts";
import { Verdict } from "./verdict.ts";
import { Rng } from "../vectors/rng.ts";

/** A verdict, or this: the contract must revert (an invalid hint). */
export const REVERTS = 255;

export interface DotVector {
  readonly name: string;
  readonly a: string[];
  readonly aoff: number;
  readonly b: string[];
  readonly boff: number;
  readonly k: number;
  readonly hasbias: boolean;
  readonly bias: number;
  readonly alpha: number;
  readonly beta: number;
  readonly claimed: number;
  readonly hint: string;
  readonly verdict: number;
}

export interface MeanVector {
  readonly name: string;
  readonly words: string[];
  readonly offset: number;
  readonly count: number;
  readonly divisor: number;
  readonly claimed: number;
  readonly hint: string;
  readonly verdict: number;
}

export interface ElementwiseVector {
  readonly name: string;
  readonly op: number;
  readonly a: number;
  readonly b: number;
  readonly claimed: number;
  readonly verdict: number;
}

/** kind: 0 Relu, 1 Max, 2 Min, 3 ArgMax (claimed is then the index). */
export interface CompareVector {
  readonly name: string;
  readonly kind: number;
  readonly xs: number[];
  readonly last: boolean;
  readonly claimed: number;
  readonly verdict: number;
}

export interface FloatVectors {
  readonly description: string;
  readonly policy: { readonly encoded: string; readonly hash: string };
  readonly dot: DotVector[];
  readonly mean: MeanVector[];
  readonly elementwise: ElementwiseVector[];
  readonly compare: CompareVector[];
  readonly multiOpening: MultiOpeningVector[];
  readonly operators: OperatorVector[];
  readonly reverts: RevertVector[];
}

const SEED = 0xf10a7;
const P = STRICT_FP32;

/** A run of fp32 bits packed from element `offset` of the first word, other slots filled with `filler`. */
export function packRun(values: readonly number[], offset: number, filler: () => number): string[] {
  const slots = Math.ceil((offset + values.length) / 8) * 8;
  const words: string[] = [];
  for (let w = 0; w < slots / 8; w++) {
    let hex = "0x";
    for (let i = 0; i < 8; i++) {
      const p = w * 8 + i;
      const v = p >= offset && p < offset + values.length ? (values[p - offset] as number) : filler();
      hex += v.toString(16).padStart(8, "0");
    }
    words.push(hex);
  }
  return words;
}

const uniform = (rng: Rng, lo: number, hi: number) => lo + ((hi - lo) * rng.u32()) / 2 ** 32;

/** K operand pairs of a family (as in the tests: the hard cases of summation and of exact checks). */
function pairs(rng: Rng, family: number, k: number): { a: number[]; b: number[] } {
  const f = (x: number) => toBits(Math.fround(x));
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < k; i++) {
    const u = uniform(rng, -1, 1);
    const v = uniform(rng, -1, 1);
    switch (family) {
      case 0: // random
        a.push(f(u));
        b.push(f(v));
        break;
      case 1: // same sign
        a.push(f(Math.abs(u) + 0.5));
        b.push(f(Math.abs(v) + 0.5));
        break;
      case 2: // wide range: some terms fall below the grid
        a.push(f(u * 2 ** Math.floor(uniform(rng, -120, 120))));
        b.push(f(v * 2 ** Math.floor(uniform(rng, -120, 120))));
        break;
      case 3: // cancelling pairs
        a.push(i % 2 === 0 ? f(Math.abs(u) + 0.5) : (a[i - 1] as number));
        b.push(i % 2 === 0 ? f(Math.abs(v) + 0.5) : toBits(-Math.fround(Math.fround(Math.abs(v) + 0.5))) >>> 0);
        break;
      default: // subnormal
        a.push(f(u * 2 ** -140));
        b.push(f(v * 4));
    }
  }
  return { a, b };
}

const FAMILY = ["random", "sameSign", "wideRange", "cancelling", "subnormal"];

function dotVectors(rng: Rng): DotVector[] {
  const out: DotVector[] = [];
  const filler = () => rng.u32();
  const push = (name: string, e: DotElement, aoff: number, boff: number, hint?: number) => {
    const claim = dotClaim(e);
    const g = hint ?? canonicalHint(claim.terms, P);
    let verdict: number;
    try {
      verdict = dotVerdict(e, P, g);
    } catch {
      verdict = REVERTS;
    }
    out.push({
      name,
      a: packRun(e.a, aoff, filler),
      aoff,
      b: packRun(e.b, boff, filler),
      boff,
      k: e.a.length,
      hasbias: e.bias !== undefined,
      bias: e.bias ?? 0,
      alpha: e.alpha ?? ONE,
      beta: e.beta ?? ONE,
      claimed: e.claimed,
      hint: String(g),
      verdict,
    });
  };
  for (let family = 0; family < FAMILY.length; family++) {
    for (const k of [1, 7, 8, 9, 64, 100]) {
      const { a, b } = pairs(rng, family, k);
      const gemm =
        k % 2 === 1 ? { bias: toBits(Math.fround(uniform(rng, -2, 2))), beta: toBits(Math.fround(0.5)) } : {};
      const alpha = k === 9 ? { alpha: toBits(Math.fround(-1.5)) } : {};
      const base: DotElement = { a, b, claimed: 0, ...gemm, ...alpha };
      const { y, bound } = exactValueAndBound(dotClaim(base), P);
      const aoff = rng.u32() % 8;
      const boff = rng.u32() % 8;
      const tag = `${FAMILY[family]} K=${k}${e(gemm)}${k === 9 ? " α=-1.5" : ""}`;
      for (const [label, c, within] of [
        ["0.5B", 0.5, true],
        ["last fp32 within B", 1, true],
        ["first fp32 beyond B", 1, false],
        ["1.1B", 1.1, false],
        ["10B", 10, false],
      ] as const) {
        const sign = rng.u32() % 2 === 0 ? 1 : -1;
        let claimed: number;
        try {
          claimed = claimAt(y, bound, c, sign, within);
        } catch {
          continue; // no fp32 that close (K = 1 without bias: B below half an ulp)
        }
        push(`${tag} ${label}`, { ...base, claimed }, aoff, boff);
      }
    }
  }
  // Edges: special operands and claims, overflow, a coarser hint, hints the contract refuses.
  const one = toBits(1);
  const ones = (n: number) => Array.from({ length: n }, () => one);
  push("∞ operand: unchecked", { a: [POSITIVE_INFINITY, one, one], b: ones(3), claimed: toBits(5) }, 0, 3);
  push("NaN bias: unchecked", { a: ones(3), b: ones(3), bias: CANONICAL_NAN, claimed: toBits(3) }, 5, 6);
  push("NaN claim: fraud", { a: ones(3), b: ones(3), claimed: CANONICAL_NAN }, 1, 1);
  push("−∞ claim: fraud", { a: ones(3), b: ones(3), claimed: NEGATIVE_INFINITY }, 1, 1);
  push("−0 claim of an exact 0", { a: [one, toBits(-1)], b: ones(2), claimed: 0x80000000 }, 7, 0);
  const huge = toBits(2 ** 64);
  push("Σ|t| ≥ 2^127: unchecked", { a: [huge, huge], b: [huge, toBits(-(2 ** 64))], claimed: toBits(0) }, 2, 2);
  push("far claim 2^120 for 6: fraud", { a: [one, toBits(2), toBits(3)], b: ones(3), claimed: toBits(2 ** 120) }, 0, 0);
  const { a, b } = pairs(rng, 0, 40);
  const e40: DotElement = { a, b, claimed: 0 };
  const { y, bound } = exactValueAndBound(dotClaim(e40), P);
  const g = canonicalHint(dotClaim(e40).terms, P);
  const beyond = { ...e40, claimed: claimAt(y, bound, 1.1, 1, false) };
  push("coarser hint +30, 1.1B: still fraud", beyond, 3, 4, g + 30);
  push("hint too fine by one: refused", beyond, 3, 4, g - 1);
  push("hint below η's span: refused", { a: [0], b: [0], claimed: 0 }, 0, 0, P.etaExponent - 97);
  push("all-zero row, hint at η's span", { a: [0], b: [0], claimed: toBits(2 ** -124) }, 0, 0, P.etaExponent - 96);
  push("all-zero row, claim 2η: fraud", { a: [0], b: [0], claimed: toBits(2 ** -123) }, 0, 0);
  return out;
}

const e = (gemm: object) => ("bias" in gemm ? " +bias β=0.5" : "");

function meanVectors(rng: Rng): MeanVector[] {
  const out: MeanVector[] = [];
  for (let family = 0; family < FAMILY.length; family++) {
    for (const n of [1, 9, 49]) {
      const x = pairs(rng, family, n).a;
      const divisor = n === 9 ? 12 : n;
      const base: MeanElement = { x, divisor, claimed: 0 };
      const claim = meanClaim(base);
      const { y, bound } = exactValueAndBound(claim, P);
      const offset = rng.u32() % 8;
      const words = packRun(x, offset, () => rng.u32());
      for (const [label, c, within] of [
        ["0.5B", 0.5, true],
        ["last fp32 within B", 1, true],
        ["first fp32 beyond B", 1, false],
        ["10B", 10, false],
      ] as const) {
        let claimed: number;
        try {
          claimed = claimAt(y, bound, c, rng.u32() % 2 === 0 ? 1 : -1, within);
        } catch {
          continue;
        }
        const el = { ...base, claimed };
        out.push({
          name: `${FAMILY[family]} n=${n} d=${divisor} ${label}`,
          words,
          offset,
          count: n,
          divisor,
          claimed,
          hint: String(canonicalHint(claim.terms, P)),
          verdict: meanVerdict(el, P),
        });
      }
    }
  }
  const nan = [toBits(1), CANONICAL_NAN];
  out.push({
    name: "NaN element: unchecked",
    words: packRun(nan, 0, () => 0),
    offset: 0,
    count: 2,
    divisor: 2,
    claimed: 0,
    hint: String(P.etaExponent - 96),
    verdict: meanVerdict({ x: nan, divisor: 2, claimed: 0 }, P),
  });
  return out;
}

function elementwiseVectors(rng: Rng): ElementwiseVector[] {
  const out: ElementwiseVector[] = [];
  const push = (name: string, el: ElementwiseElement) => out.push({ name, ...el, verdict: elementwiseVerdict(el, P) });
  const value = (kind: number) => {
    const u = uniform(rng, -1, 1);
    if (kind === 0) return toBits(Math.fround(u * 8));
    if (kind === 1) return toBits(Math.fround(u * 2 ** Math.floor(uniform(rng, -100, 100))));
    return toBits(Math.fround(u * 2 ** -130));
  };
  const names = ["Add", "Sub", "Mul", "Div"];
  for (const op of [ElementwiseOp.ADD, ElementwiseOp.SUB, ElementwiseOp.MUL, ElementwiseOp.DIV]) {
    for (let i = 0; i < 9; i++) {
      const a = value(i % 3);
      const b = value(Math.floor(i / 3));
      const base: ElementwiseElement = { op, a, b, claimed: 0 };
      const y = exactResult(base);
      const bound = elementwiseBound(base, P);
      for (const [label, c, within] of [
        ["0.5B", 0.5, true],
        ["last fp32 within B", 1, true],
        ["first fp32 beyond B", 1, false],
        ["10B", 10, false],
      ] as const) {
        let claimed: number;
        try {
          claimed = claimAt(y, bound, c, rng.u32() % 2 === 0 ? 1 : -1, within);
        } catch {
          continue;
        }
        push(`${names[op]} ${i} ${label}`, { ...base, claimed });
      }
    }
  }
  for (let i = 0; i < 12; i++) {
    const a = toBits(Math.abs(Math.fround(uniform(rng, 0, 1) * 2 ** Math.floor(uniform(rng, -140, 120)))));
    const y = Math.sqrt(fromBits(a));
    for (const [label, claimed] of [
      ["honest", toBits(y)],
      ["+3 bounds", toBits(y + 3 * (2 ** -23 * y + 2 ** -124))],
      ["−3 bounds", toBits(y - 3 * (2 ** -23 * y + 2 ** -124))],
      ["+1 ulp", toBits(y * (1 + 2 ** -23))],
    ] as const) {
      push(`Sqrt ${i} ${label}`, { op: ElementwiseOp.SQRT, a, b: 0, claimed });
    }
  }
  const one = toBits(1);
  const specials: [string, ElementwiseOp, number, number, number][] = [
    ["∞ + 1 = ∞", ElementwiseOp.ADD, POSITIVE_INFINITY, one, POSITIVE_INFINITY],
    ["∞ + 1 claimed 1", ElementwiseOp.ADD, POSITIVE_INFINITY, one, one],
    ["∞ − ∞ = NaN", ElementwiseOp.SUB, POSITIVE_INFINITY, POSITIVE_INFINITY, 0xffc00000],
    ["−∞ + ∞ claimed ∞", ElementwiseOp.ADD, NEGATIVE_INFINITY, POSITIVE_INFINITY, POSITIVE_INFINITY],
    ["0 · ∞ = NaN", ElementwiseOp.MUL, 0x80000000, POSITIVE_INFINITY, CANONICAL_NAN],
    ["−∞ · 2 = −∞", ElementwiseOp.MUL, NEGATIVE_INFINITY, toBits(2), NEGATIVE_INFINITY],
    ["1 / −0 = −∞", ElementwiseOp.DIV, one, 0x80000000, NEGATIVE_INFINITY],
    ["1 / −0 claimed +∞", ElementwiseOp.DIV, one, 0x80000000, POSITIVE_INFINITY],
    ["0 / 0 = NaN", ElementwiseOp.DIV, 0, 0, CANONICAL_NAN],
    ["5 / ∞ = −0 claimed +0", ElementwiseOp.DIV, toBits(-5), POSITIVE_INFINITY, 0],
    ["∞ / ∞ = NaN", ElementwiseOp.DIV, POSITIVE_INFINITY, NEGATIVE_INFINITY, CANONICAL_NAN],
    ["∞ / 2 = ∞", ElementwiseOp.DIV, POSITIVE_INFINITY, toBits(2), POSITIVE_INFINITY],
    ["NaN + 1 = NaN", ElementwiseOp.ADD, 0x7fc00001, one, CANONICAL_NAN],
    ["√−4 = NaN", ElementwiseOp.SQRT, toBits(-4), 0, CANONICAL_NAN],
    ["√−4 claimed 2", ElementwiseOp.SQRT, toBits(-4), 0, toBits(2)],
    ["√∞ = ∞", ElementwiseOp.SQRT, POSITIVE_INFINITY, 0, POSITIVE_INFINITY],
    ["√−0 = 0", ElementwiseOp.SQRT, 0x80000000, 0, 0],
    ["2^126 + 2^126: unchecked", ElementwiseOp.ADD, toBits(2 ** 126), toBits(2 ** 126), POSITIVE_INFINITY],
    ["2^64 · 2^64: unchecked", ElementwiseOp.MUL, toBits(2 ** 64), toBits(2 ** 64), one],
    ["2^10 / 2^-117: unchecked", ElementwiseOp.DIV, toBits(2 ** 10), toBits(2 ** -117), one],
    ["2^10 / 2^-116 claimed ∞: fraud", ElementwiseOp.DIV, toBits(2 ** 10), toBits(2 ** -116), POSITIVE_INFINITY],
    ["2^125 + 2^125 claimed ∞: fraud", ElementwiseOp.ADD, toBits(2 ** 125), toBits(2 ** 125), POSITIVE_INFINITY],
    ["2^-149 · 0.5 claimed 2^-125 (within η)", ElementwiseOp.MUL, 1, toBits(0.5), toBits(2 ** -125)],
    ["2^-149 · 0.5 claimed 2^-123 (beyond η)", ElementwiseOp.MUL, 1, toBits(0.5), toBits(2 ** -123)],
    ["2^100 + 2^-100 claimed 2^100", ElementwiseOp.ADD, toBits(2 ** 100), toBits(2 ** -100), toBits(2 ** 100)],
  ];
  for (const [name, op, a, b, claimed] of specials) push(name, { op, a, b, claimed });
  return out;
}

function compareVectors(): CompareVector[] {
  const v = (x: number) => toBits(x);
  const negZero = 0x80000000;
  const out: CompareVector[] = [];
  const eq = (claimed: number, expected: number | undefined) =>
    expected === undefined
      ? Verdict.UNCHECKED
      : claimed === expected || (claimed === negZero && expected === 0)
        ? Verdict.ADMISSIBLE
        : Verdict.VIOLATES;
  const reluCases: [number, number][] = [
    [v(-3), 0],
    [v(-3), negZero],
    [v(-3), v(-3)],
    [v(2.5), v(2.5)],
    [1, 1],
    [0xffc00001, CANONICAL_NAN],
    [NEGATIVE_INFINITY, 0],
  ];
  for (const [x, claimed] of reluCases)
    out.push({ name: `Relu ${x}`, kind: 0, xs: [x], last: false, claimed, verdict: eq(claimed, relu(x)) });
  const rows: number[][] = [
    [v(-1), negZero, v(0.5), NEGATIVE_INFINITY],
    [negZero, 0],
    [v(1), POSITIVE_INFINITY],
    [v(1), CANONICAL_NAN],
    [v(3), v(1), v(3), negZero, 0],
  ];
  for (const [i, xs] of rows.entries()) {
    for (const kind of [1, 2]) {
      const expected = extremum(xs, kind === 1);
      const claimed = expected ?? v(1);
      out.push({
        name: `${kind === 1 ? "Max" : "Min"} row ${i}`,
        kind,
        xs,
        last: false,
        claimed,
        verdict: eq(claimed, expected),
      });
      out.push({
        name: `${kind === 1 ? "Max" : "Min"} row ${i} wrong`,
        kind,
        xs,
        last: false,
        claimed: v(7),
        verdict: eq(v(7), expected),
      });
    }
    for (const last of [false, true]) {
      const index = argMax(xs, last);
      for (const claimed of [index ?? 0, (index ?? 0) + 1]) {
        const verdict =
          index === undefined ? Verdict.UNCHECKED : claimed === index ? Verdict.ADMISSIBLE : Verdict.VIOLATES;
        out.push({ name: `ArgMax row ${i} last=${last} claims ${claimed}`, kind: 3, xs, last, claimed, verdict });
      }
    }
  }
  return out;
}

export function floatVectors(): FloatVectors {
  const rng = new Rng(SEED);
  return {
    description:
      "Float profile vectors (docs/PROTOCOL.md §10, §11): each element's inputs as the contract takes them and the verdict of the TypeScript reference (0 admissible, 1 violates, 2 unchecked, 255 the contract must revert). Generated by scripts/vectors-float.ts; do not edit.",
    policy: { encoded: encodePolicy(P), hash: policyHash(P) },
    dot: dotVectors(rng),
    mean: meanVectors(rng),
    elementwise: elementwiseVectors(rng),
    compare: compareVectors(),
    multiOpening: multiOpeningVectors(new Rng(SEED + 1)),
    operators: operatorVectors(new Rng(SEED + 2), P),
    reverts: revertVectors(new Rng(SEED + 3), P),
  };
}

export function floatVectorsJson(): string {
  const v = floatVectors();
  const lines = (xs: object[]) => xs.map((x) => JSON.stringify(x)).join(",\n");
  return (
    `{"description":${JSON.stringify(v.description)},\n"policy":${JSON.stringify(v.policy)},\n` +
    `"dot":[\n${lines(v.dot)}\n],\n"mean":[\n${lines(v.mean)}\n],\n` +
    `"elementwise":[\n${lines(v.elementwise)}\n],\n"compare":[\n${lines(v.compare)}\n],\n` +
    `"multiOpening":[\n${lines(v.multiOpening)}\n],\n"operators":[\n${lines(v.operators)}\n],\n` +
    `"reverts":[\n${lines(v.reverts)}\n]}\n`
  );
}
