/**
 * What every family of the routed float32 proof reads (docs/PROTOCOL.md §11.10): the node, its
 * operand commitments, the element and the claim, with the conversions the float builders need
 * (a committed fp32 operand as a `FloatTensor`, attributes as numbers, the claim as fp32 bits)
 * and the descriptor checks the contract makes.
 */
import type { Hex } from "viem";
import { Source, type NodeDescriptor } from "../../graph/descriptor.ts";
import type { TensorCommitment } from "../../tensor/commitment.ts";
import { FloatTensor, FLOAT_DTYPE } from "../commitment.ts";
import type { NumericsPolicy } from "../policy.ts";
import type { Verdict } from "../verdict.ts";
import { FloatStepProofError } from "./errors.ts";

export interface StepContext {
  readonly node: NodeDescriptor;
  /** One commitment per descriptor input (checked against its spec), undefined for ABSENT. */
  readonly operands: readonly (TensorCommitment | undefined)[];
  readonly outIndex: number;
  readonly claimed: bigint;
  readonly policy: NumericsPolicy;
}

/** One family's part of the proof: the encoded `operands` and the contract's verdict. */
export interface StepPart {
  readonly operands: Hex;
  readonly verdict: Verdict;
}

/** Whether input `i` is present (not ABSENT, not past the list). */
export function present(node: NodeDescriptor, i: number): boolean {
  const input = node.inputs[i];
  return input !== undefined && input.source !== Source.ABSENT;
}

/** The input and attribute counts the contract requires, its first `minInputs` inputs present. */
export function expectShape(ctx: StepContext, minInputs: number, maxInputs: number, attrs: number): void {
  const { node } = ctx;
  const n = node.inputs.length;
  if (n < minInputs || n > maxInputs) {
    throw new FloatStepProofError(`opcode ${node.opcode} takes ${minInputs} … ${maxInputs} inputs, the node has ${n}`);
  }
  for (let i = 0; i < minInputs; i++) {
    if (!present(node, i)) throw new FloatStepProofError(`input ${i} of opcode ${node.opcode} is required`);
  }
  if (node.attrs.length !== attrs) {
    throw new FloatStepProofError(`opcode ${node.opcode} takes ${attrs} attributes, the node has ${node.attrs.length}`);
  }
}

/** Attribute `i` as a number in [lo, hi], as the contract requires. */
export function attr(ctx: StepContext, i: number, lo: number, hi: number): number {
  const v = ctx.node.attrs[i];
  if (v === undefined || v < BigInt(lo) || v > BigInt(hi)) {
    throw new FloatStepProofError(`attribute ${i} of opcode ${ctx.node.opcode} is ${v}, outside ${lo} … ${hi}`);
  }
  return Number(v);
}

/** Input `i`'s commitment (present: checked by the caller). */
export function commitment(ctx: StepContext, i: number): TensorCommitment {
  const c = ctx.operands[i];
  if (c === undefined) throw new FloatStepProofError(`input ${i} has no commitment`);
  return c;
}

/** Input `i` as an fp32 `FloatTensor` committed as the descriptor says, undefined when ABSENT. */
export function floatOperand(ctx: StepContext, i: number): FloatTensor | undefined {
  if (!present(ctx.node, i)) return undefined;
  const c = commitment(ctx, i);
  const t = c.tensor;
  if (t.spec.dtype !== FLOAT_DTYPE || !(t.data instanceof Float32Array)) {
    throw new FloatStepProofError(`input ${i} of opcode ${ctx.node.opcode} must be float32, has dtype ${t.spec.dtype}`);
  }
  const bits = new Uint32Array(t.data.buffer, t.data.byteOffset, t.data.length);
  const f = new FloatTensor(t.spec.shape, bits, t.spec.layout);
  if (f.root !== c.root) throw new FloatStepProofError(`input ${i}: the fp32 commitment does not reach its root`);
  return f;
}

/** A present fp32 input. */
export function requiredFloat(ctx: StepContext, i: number): FloatTensor {
  const f = floatOperand(ctx, i);
  if (f === undefined) throw new FloatStepProofError(`input ${i} of opcode ${ctx.node.opcode} is required`);
  return f;
}

/** The claim as fp32 bits: the contract refuses anything outside [0, 2³²). */
export function claimBits(ctx: StepContext): number {
  const c = ctx.claimed;
  if (c < 0n || c > 0xffffffffn) throw new FloatStepProofError(`claim ${c} is no fp32 bit pattern`);
  return Number(c);
}
