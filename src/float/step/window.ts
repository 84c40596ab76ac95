/**
 * The routed proof of the windows and means — MaxPool, AveragePool, GlobalAveragePool,
 * ReduceMean (docs/PROTOCOL.md §11.4, §11.6, §11.9, §11.10) — from the descriptor's
 * attributes: the openings and canonical hint the float builders compute (src/float/pool.ts,
 * mean.ts), encoded as `FloatWindowStep` decodes them, and their verdict.
 */
import { Opcode } from "../../graph/opcode.ts";
import { Layout } from "../../tensor/spec.ts";
import { meanClaim, meanVerdict, type MeanElement } from "../mean.ts";
import {
  averagePoolVerdict,
  globalAveragePoolProof,
  globalAveragePoolVerdict,
  maxPoolVerdict,
  poolProof,
  type PoolGeometry,
} from "../pool.ts";
import { canonicalHint } from "../sum.ts";
import { encodeOperands } from "./abi.ts";
import { attr, claimBits, expectShape, requiredFloat, type StepContext, type StepPart } from "./context.ts";
import { FloatStepProofError } from "./errors.ts";

const U32 = 0xffffffff;

/** `[kh, kw, sh, sw, pt, pl, pb, pr, ceil_mode]` (+ count_include_pad); ceil_mode 0, dilations 1. */
function pool(ctx: StepContext): StepPart {
  const average = ctx.node.opcode === Opcode.AveragePool;
  expectShape(ctx, 1, 1, average ? 10 : 9);
  const g: PoolGeometry = {
    kernel: [attr(ctx, 0, 1, U32), attr(ctx, 1, 1, U32)],
    strides: [attr(ctx, 2, 1, U32), attr(ctx, 3, 1, U32)],
    pads: [attr(ctx, 4, 0, U32), attr(ctx, 5, 0, U32), attr(ctx, 6, 0, U32), attr(ctx, 7, 0, U32)],
    dilations: [1, 1],
    countIncludePad: average && attr(ctx, 9, 0, 1) === 1,
  };
  attr(ctx, 8, 0, 0);
  const x = requiredFloat(ctx, 0);
  const claimed = claimBits(ctx);
  const p = poolProof(x, g, ctx.outIndex, claimed, ctx.policy);
  if (!average)
    return {
      operands: encodeOperands.maxPool(p.x.words, p.x.proof),
      verdict: maxPoolVerdict(x, g, ctx.outIndex, claimed),
    };
  return {
    operands: encodeOperands.averagePool(p.x.words, p.x.proof, p.hint),
    verdict: averagePoolVerdict(x, g, ctx.outIndex, claimed, ctx.policy),
  };
}

function globalAveragePool(ctx: StepContext): StepPart {
  expectShape(ctx, 1, 1, 0);
  const x = requiredFloat(ctx, 0);
  const claimed = claimBits(ctx);
  const p = globalAveragePoolProof(x, ctx.outIndex, claimed, ctx.policy);
  return {
    operands: encodeOperands.row(p.x.opening, p.hint),
    verdict: globalAveragePoolVerdict(x, ctx.outIndex, claimed, ctx.policy),
  };
}

/** `[keepdims, a₀, a₁, …]`: X's trailing axes, ascending; element o averages the row `[o·S, S)`. */
function reduceMean(ctx: StepContext): StepPart {
  const { node } = ctx;
  if (node.attrs.length < 2) throw new FloatStepProofError("ReduceMean needs keepdims and at least one axis");
  expectShape(ctx, 1, 2, node.attrs.length);
  attr(ctx, 0, 0, 1);
  const x = requiredFloat(ctx, 0);
  const rank = x.shape.length;
  const axes = node.attrs.length - 1;
  if (axes > rank || x.layout !== Layout.ROW_MAJOR)
    throw new FloatStepProofError("ReduceMean's X must be row-major over its axes");
  let row = 1;
  for (let i = 0; i < axes; i++) {
    const axis = rank - axes + i;
    attr(ctx, 1 + i, axis, axis);
    row *= x.shape[axis] as number;
  }
  const outputs = x.committed.length / row;
  if (ctx.outIndex >= outputs) throw new FloatStepProofError(`output index ${ctx.outIndex} outside ${outputs}`);
  const e: MeanElement = { x: x.run(ctx.outIndex * row, row), divisor: row, claimed: claimBits(ctx) };
  return {
    operands: encodeOperands.row(
      x.openRange(ctx.outIndex * row, row).opening,
      BigInt(canonicalHint(meanClaim(e).terms, ctx.policy)),
    ),
    verdict: meanVerdict(e, ctx.policy),
  };
}

export const WINDOW_STEPS: Readonly<Partial<Record<Opcode, (ctx: StepContext) => StepPart>>> = {
  [Opcode.MaxPool]: pool,
  [Opcode.AveragePool]: pool,
  [Opcode.GlobalAveragePool]: globalAveragePool,
  [Opcode.ReduceMean]: reduceMean,
};
