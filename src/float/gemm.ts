/**
 * One output element of Gemm in the float profile (docs/PROTOCOL.md §11.4, §11.9):
 * y[m, n] = α·Σ_k A'[m, k]·B'[k, n] + β·C[m, n], A' = transA ? Aᵀ : A, likewise B'. The
 * committed layouts make both runs contiguous — A row-major (transA = 0) or transposed
 * (transA = 1), B transposed (transB = 0) or row-major (transB = 1) — so A's row m is
 * `[m·K, K)` and B's column n is `[n·K, K)`; C broadcasts to `[M, N]`. What
 * `FloatOneStep.gemmVerdict` takes.
 */
import { Layout } from "../tensor/spec.ts";
import { ABSENT, type FloatTensor, type RangeOperand } from "./commitment.ts";
import { dotClaim, dotVerdict, type DotElement } from "./dot.ts";
import { ONE } from "./f32.ts";
import type { NumericsPolicy } from "./policy.ts";
import { canonicalHint } from "./sum.ts";
import type { Verdict } from "./verdict.ts";

/** Gemm's attributes; α and β as fp32 bits. */
export interface GemmAttributes {
  readonly alpha: number;
  readonly beta: number;
  readonly transA: boolean;
  readonly transB: boolean;
}

export const GEMM_DEFAULTS: GemmAttributes = { alpha: ONE, beta: ONE, transA: false, transB: false };

export interface GemmOperands {
  readonly a: FloatTensor;
  readonly b: FloatTensor;
  readonly c?: FloatTensor;
}

/** M, N, K, after the layouts and shapes are checked as the contract checks them. */
export function gemmShape(ops: GemmOperands, attrs: GemmAttributes): { m: number; n: number; k: number } {
  const { a, b } = ops;
  if (a.shape.length !== 2 || a.layout !== (attrs.transA ? Layout.TRANSPOSED : Layout.ROW_MAJOR)) {
    throw new RangeError(`A [${a.shape.join(",")}] layout ${a.layout} with transA = ${attrs.transA}`);
  }
  if (b.shape.length !== 2 || b.layout !== (attrs.transB ? Layout.ROW_MAJOR : Layout.TRANSPOSED)) {
    throw new RangeError(`B [${b.shape.join(",")}] layout ${b.layout} with transB = ${attrs.transB}`);
  }
  const [m, k] = (attrs.transA ? [a.shape[1], a.shape[0]] : a.shape) as [number, number];
  const [bk, n] = (attrs.transB ? [b.shape[1], b.shape[0]] : b.shape) as [number, number];
  if (bk !== k) throw new RangeError(`A has K = ${k}, B ${bk}`);
  return { m, n, k };
}

/** C's committed position for (row, col) under unidirectional broadcasting to [M, N]. */
export function biasIndex(c: FloatTensor, m: number, n: number, row: number, col: number): number {
  const rank = c.shape.length;
  if (rank > 2 || c.layout !== Layout.ROW_MAJOR) throw new RangeError(`C [${c.shape.join(",")}] cannot broadcast`);
  const cm = rank === 2 ? (c.shape[0] as number) : 1;
  const cn = rank >= 1 ? (c.shape[rank - 1] as number) : 1;
  if ((cm !== 1 && cm !== m) || (cn !== 1 && cn !== n)) {
    throw new RangeError(`C [${c.shape.join(",")}] does not broadcast to [${m},${n}]`);
  }
  return (cm === 1 ? 0 : row) * cn + (cn === 1 ? 0 : col);
}

function locate(ops: GemmOperands, attrs: GemmAttributes, outIndex: number) {
  const { m, n, k } = gemmShape(ops, attrs);
  if (!Number.isInteger(outIndex) || outIndex < 0 || outIndex >= m * n) {
    throw new RangeError(`output index ${outIndex} outside ${m * n}`);
  }
  const row = Math.floor(outIndex / n);
  const col = outIndex % n;
  const cIndex = ops.c === undefined ? undefined : biasIndex(ops.c, m, n, row, col);
  return { k, row, col, cIndex };
}

/** The element as a dot product: A's row against B's column, α, and β·C. */
export function gemmElement(ops: GemmOperands, attrs: GemmAttributes, outIndex: number, claimed: number): DotElement {
  const { k, row, col, cIndex } = locate(ops, attrs, outIndex);
  return {
    a: ops.a.run(row * k, k),
    b: ops.b.run(col * k, k),
    alpha: attrs.alpha,
    beta: attrs.beta,
    ...(ops.c === undefined || cIndex === undefined ? {} : { bias: ops.c.at(cIndex) }),
    claimed,
  };
}

/** `FloatOneStep.gemmVerdict`'s arguments. */
export interface GemmProof {
  readonly a: RangeOperand;
  readonly b: RangeOperand;
  readonly c: RangeOperand;
  readonly attributes: GemmAttributes;
  readonly outIndex: bigint;
  readonly claimed: number;
  readonly hint: bigint;
}

export function gemmProof(
  ops: GemmOperands,
  attrs: GemmAttributes,
  outIndex: number,
  claimed: number,
  policy: NumericsPolicy,
): GemmProof {
  const { k, row, col, cIndex } = locate(ops, attrs, outIndex);
  const hint = canonicalHint(dotClaim(gemmElement(ops, attrs, outIndex, claimed)).terms, policy);
  return {
    a: ops.a.openRange(row * k, k),
    b: ops.b.openRange(col * k, k),
    c: ops.c === undefined || cIndex === undefined ? ABSENT : ops.c.openRange(cIndex, 1),
    attributes: attrs,
    outIndex: BigInt(outIndex),
    claimed,
    hint: BigInt(hint),
  };
}

export function gemmVerdict(
  ops: GemmOperands,
  attrs: GemmAttributes,
  outIndex: number,
  claimed: number,
  policy: NumericsPolicy,
): Verdict {
  return dotVerdict(gemmElement(ops, attrs, outIndex, claimed), policy);
}
