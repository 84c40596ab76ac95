/**
 * One output element of a 2-D Conv (NCHW, group 1) in the float profile (docs/PROTOCOL.md
 * §11.4, §11.9): X `[N, C, H, W]`, W `[M, C, kh, kw]`, B `[M]` optional. Element
 * o = ((b·M + m)·OH + oy)·OW + ox is the dot product of the input patch under the kernel (K =
 * C·kh·kw values in the order (ci, r, c), +0 on padding) with the filter W[m] — one
 * contiguous run — plus B[m]. The proof opens X's rows under the kernel with one word-set
 * opening, W[m] and B[m] with a range opening each: what `FloatOneStep.convVerdict` takes.
 */
import { ABSENT, type FloatTensor, type RangeOperand, type WordsOperand } from "./commitment.ts";
import { dotClaim, dotVerdict, type DotElement } from "./dot.ts";
import type { NumericsPolicy } from "./policy.ts";
import { canonicalHint } from "./sum.ts";
import type { Verdict } from "./verdict.ts";
import { origin, outputDims, patch, wordSet, type Window, type WindowAttributes } from "./window.ts";

export interface ConvOperands {
  readonly x: FloatTensor;
  readonly w: FloatTensor;
  readonly bias?: FloatTensor;
}

/** Output shape `[N, M, OH, OW]`; throws on operands or geometry the contract refuses. */
export function convOutputShape(ops: ConvOperands, g: WindowAttributes): [number, number, number, number] {
  const [n, c, h, wd] = rank4(ops.x.shape, "X");
  const [m, wc, kh, kw] = rank4(ops.w.shape, "W");
  if (wc !== c) throw new RangeError(`W has ${wc} input channels, X ${c}`);
  if (ops.bias !== undefined && (ops.bias.shape.length !== 1 || ops.bias.shape[0] !== m)) {
    throw new RangeError(`B of shape [${ops.bias.shape.join(",")}] for ${m} output channels`);
  }
  const [oh, ow] = outputDims(h, wd, [kh, kw], g);
  return [n, m, oh, ow];
}

function rank4(shape: readonly number[], name: string): [number, number, number, number] {
  if (shape.length !== 4) throw new RangeError(`${name} must have rank 4, has [${shape.join(",")}]`);
  return shape as [number, number, number, number];
}

/** The window of element `outIndex`, its output channel and K. */
export function convWindow(
  ops: ConvOperands,
  g: WindowAttributes,
  outIndex: number,
): { window: Window; m: number; k: number } {
  const [n, m, oh, ow] = convOutputShape(ops, g);
  if (!Number.isInteger(outIndex) || outIndex < 0 || outIndex >= n * m * oh * ow) {
    throw new RangeError(`output index ${outIndex} outside ${n * m * oh * ow}`);
  }
  const [, c, h, wd] = ops.x.shape as [number, number, number, number];
  const [, , kh, kw] = ops.w.shape as [number, number, number, number];
  const plane = Math.floor(outIndex / (oh * ow));
  const { y0, x0 } = origin(Math.floor(outIndex / ow) % oh, outIndex % ow, g);
  const window: Window = {
    base: Math.floor(plane / m) * c * h * wd,
    planes: c,
    height: h,
    width: wd,
    kh,
    kw,
    dh: g.dilations[0],
    dw: g.dilations[1],
    y0,
    x0,
  };
  return { window, m: plane % m, k: c * kh * kw };
}

/** The element as a dot product: the zero-filled patch against W[m], plus B[m]. */
export function convElement(ops: ConvOperands, g: WindowAttributes, outIndex: number, claimed: number): DotElement {
  const { window, m, k } = convWindow(ops, g, outIndex);
  return {
    a: patch(window, ops.x),
    b: ops.w.run(m * k, k),
    ...(ops.bias === undefined ? {} : { bias: ops.bias.at(m) }),
    claimed,
  };
}

/** `FloatOneStep.convVerdict`'s arguments. */
export interface ConvProof {
  readonly x: WordsOperand;
  readonly w: RangeOperand;
  readonly bias: RangeOperand;
  readonly geometry: WindowAttributes;
  readonly outIndex: bigint;
  readonly claimed: number;
  readonly hint: bigint;
}

/** The openings and the canonical hint for element `outIndex`. */
export function convProof(
  ops: ConvOperands,
  g: WindowAttributes,
  outIndex: number,
  claimed: number,
  policy: NumericsPolicy,
): ConvProof {
  const { window, m, k } = convWindow(ops, g, outIndex);
  const hint = canonicalHint(dotClaim(convElement(ops, g, outIndex, claimed)).terms, policy);
  return {
    x: ops.x.openWords(wordSet(window)),
    w: ops.w.openRange(m * k, k),
    bias: ops.bias === undefined ? ABSENT : ops.bias.openRange(m, 1),
    geometry: g,
    outIndex: BigInt(outIndex),
    claimed,
    hint: BigInt(hint),
  };
}

/** The contract's verdict on the claim. */
export function convVerdict(
  ops: ConvOperands,
  g: WindowAttributes,
  outIndex: number,
  claimed: number,
  policy: NumericsPolicy,
): Verdict {
  return dotVerdict(convElement(ops, g, outIndex, claimed), policy);
}
