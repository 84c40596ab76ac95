/**
 * The routed proof of the dot products — MatMul, Gemm, Conv (docs/PROTOCOL.md §11.4, §11.9,
 * §11.10) — from the descriptor's attributes: the openings and canonical hint the float
 * builders compute (src/float/gemm.ts, conv.ts), encoded as `FloatDotStep` decodes them, and
 * their verdict.
 */
import { Opcode } from "../../graph/opcode.ts";
import { Layout } from "../../tensor/spec.ts";
import { convProof, convVerdict } from "../conv.ts";
import { dotClaim, dotVerdict, type DotElement } from "../dot.ts";
import { gemmProof, gemmVerdict, type GemmAttributes } from "../gemm.ts";
import { canonicalHint } from "../sum.ts";
import type { WindowAttributes } from "../window.ts";
import { encodeOperands } from "./abi.ts";
import {
  attr,
  claimBits,
  expectShape,
  floatOperand,
  requiredFloat,
  type StepContext,
  type StepPart,
} from "./context.ts";
import { FloatStepProofError } from "./errors.ts";

const U32 = 0xffffffff;

/** MatMul: A `[…, K]` row-major, B `[K, N]` transposed; A's row and B's column of o = r·N + n. */
function matMul(ctx: StepContext): StepPart {
  expectShape(ctx, 2, 2, 0);
  const a = requiredFloat(ctx, 0);
  const b = requiredFloat(ctx, 1);
  if (b.shape.length !== 2 || b.layout !== Layout.TRANSPOSED)
    throw new FloatStepProofError("MatMul's B must be [K, N] transposed");
  const [k, n] = b.shape as [number, number];
  if (a.layout !== Layout.ROW_MAJOR || a.shape[a.shape.length - 1] !== k) {
    throw new FloatStepProofError(`MatMul's A [${a.shape.join(",")}] does not end in K = ${k}`);
  }
  const outputs = (a.committed.length / k) * n;
  if (ctx.outIndex >= outputs) throw new FloatStepProofError(`output index ${ctx.outIndex} outside ${outputs}`);
  const row = Math.floor(ctx.outIndex / n) * k;
  const col = (ctx.outIndex % n) * k;
  const e: DotElement = { a: a.run(row, k), b: b.run(col, k), claimed: claimBits(ctx) };
  const hint = BigInt(canonicalHint(dotClaim(e).terms, ctx.policy));
  return {
    operands: encodeOperands.matMul(a.openRange(row, k).opening, b.openRange(col, k).opening, hint),
    verdict: dotVerdict(e, ctx.policy),
  };
}

/** Gemm `[alpha, beta, transA, transB]`, C optional. */
function gemm(ctx: StepContext): StepPart {
  expectShape(ctx, 2, 3, 4);
  const attrs: GemmAttributes = {
    alpha: attr(ctx, 0, 0, U32),
    beta: attr(ctx, 1, 0, U32),
    transA: attr(ctx, 2, 0, 1) === 1,
    transB: attr(ctx, 3, 0, 1) === 1,
  };
  const c = floatOperand(ctx, 2);
  const ops = { a: requiredFloat(ctx, 0), b: requiredFloat(ctx, 1), ...(c === undefined ? {} : { c }) };
  const claimed = claimBits(ctx);
  const p = gemmProof(ops, attrs, ctx.outIndex, claimed, ctx.policy);
  return {
    operands: encodeOperands.gemm(p.a.opening, p.b.opening, p.c.opening, p.hint),
    verdict: gemmVerdict(ops, attrs, ctx.outIndex, claimed, ctx.policy),
  };
}

/** Conv `[sh, sw, pt, pl, pb, pr, dh, dw, group]`, group 1, B optional. */
function conv(ctx: StepContext): StepPart {
  expectShape(ctx, 2, 3, 9);
  attr(ctx, 8, 1, 1);
  const g: WindowAttributes = {
    strides: [attr(ctx, 0, 1, U32), attr(ctx, 1, 1, U32)],
    pads: [attr(ctx, 2, 0, U32), attr(ctx, 3, 0, U32), attr(ctx, 4, 0, U32), attr(ctx, 5, 0, U32)],
    dilations: [attr(ctx, 6, 1, U32), attr(ctx, 7, 1, U32)],
  };
  const bias = floatOperand(ctx, 2);
  const ops = { x: requiredFloat(ctx, 0), w: requiredFloat(ctx, 1), ...(bias === undefined ? {} : { bias }) };
  const claimed = claimBits(ctx);
  const p = convProof(ops, g, ctx.outIndex, claimed, ctx.policy);
  return {
    operands: encodeOperands.conv(p.x.words, p.x.proof, p.w.opening, p.bias.opening, p.hint),
    verdict: convVerdict(ops, g, ctx.outIndex, claimed, ctx.policy),
  };
}

export const DOT_STEPS: Readonly<Partial<Record<Opcode, (ctx: StepContext) => StepPart>>> = {
  [Opcode.MatMul]: matMul,
  [Opcode.Gemm]: gemm,
  [Opcode.Conv]: conv,
};
