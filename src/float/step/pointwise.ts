/**
 * The routed proof of the operators that read one element per input — Add, Sub, Mul, Div, Sqrt,
 * Relu, Max, Min, and the data movers Reshape, Flatten, Identity, Gather, Transpose — and of
 * ArgMax, which reads a row (docs/PROTOCOL.md §6.1, §11.5, §11.6, §11.10): one range opening per
 * run, in §6.1's order, encoded as `FloatPointwiseStep` decodes them, and their verdict. The
 * runs of the operators the integer profile shares are its own (`sharedDependencies`); Sqrt
 * and Transpose, float32-only, read one element.
 */
import { Opcode } from "../../graph/opcode.ts";
import { sharedDependencies, type OperandRange } from "../../reference/evaluate.ts";
import { elementFromWords, type RangeOpening } from "../../tensor/commitment.ts";
import { committedPosition, elementCount } from "../../tensor/spec.ts";
import { argMaxVerdict, equalityVerdict, extremum, relu } from "../bitwise.ts";
import { elementwiseVerdict, ElementwiseOp } from "../elementwise.ts";
import { Verdict } from "../verdict.ts";
import { encodeOperands } from "./abi.ts";
import { attr, claimBits, commitment, expectShape, present, type StepContext, type StepPart } from "./context.ts";
import { FloatStepProofError } from "./errors.ts";
import { transposeSource } from "./transpose.ts";

/** Input/attribute counts per opcode (min inputs, max inputs, attributes), as the contract checks them. */
const SHAPES: Readonly<Partial<Record<Opcode, readonly [number, number, number]>>> = {
  [Opcode.Add]: [2, 2, 0],
  [Opcode.Sub]: [2, 2, 0],
  [Opcode.Mul]: [2, 2, 0],
  [Opcode.Div]: [2, 2, 0],
  [Opcode.Sqrt]: [1, 1, 0],
  [Opcode.Relu]: [1, 1, 0],
  [Opcode.Reshape]: [2, 2, 0],
  [Opcode.Flatten]: [1, 1, 1],
  [Opcode.Identity]: [1, 1, 0],
  [Opcode.Gather]: [2, 2, 1],
  [Opcode.ArgMax]: [1, 1, 3],
};

/** The runs of §6.1 for output element `outIndex`. */
function runs(ctx: StepContext): OperandRange[] {
  const { node, outIndex } = ctx;
  const x = node.inputs[0];
  if (x === undefined) throw new FloatStepProofError(`opcode ${node.opcode} has no input`);
  if (node.opcode === Opcode.Sqrt) return [{ operand: 0, start: committedPosition(x.spec, outIndex), count: 1 }];
  if (node.opcode === Opcode.Transpose) {
    const perm = node.attrs.map(Number);
    return [{ operand: 0, start: committedPosition(x.spec, transposeSource(x.spec.shape, perm, outIndex)), count: 1 }];
  }
  return sharedDependencies(
    node,
    ctx.operands.map((c) => c?.tensor),
    outIndex,
  );
}

/** Operators that copy (or map) input 0 element by element: as many input as output elements. */
const SAME_INDEX = new Set<number>([Opcode.Sqrt, Opcode.Relu, Opcode.Reshape, Opcode.Flatten, Opcode.Identity]);

/** The descriptor checks `FloatPointwiseStep` makes, so that what it refuses is refused here too. */
function checkDescriptor(ctx: StepContext): void {
  const { node } = ctx;
  const op = node.opcode;
  const x = node.inputs[0];
  const rank = x?.spec.shape.length ?? 0;
  if (op === Opcode.Max || op === Opcode.Min) expectShape(ctx, 1, Number.MAX_SAFE_INTEGER, 0);
  else if (op === Opcode.Transpose) expectShape(ctx, 1, 1, rank);
  else {
    const shape = SHAPES[op];
    if (shape === undefined) throw new FloatStepProofError(`opcode ${op} is not in the float32 profile`);
    expectShape(ctx, ...shape);
  }
  if (op === Opcode.Flatten) {
    const axis = node.attrs[0] as bigint;
    if (axis < -BigInt(rank) || axis > BigInt(rank))
      throw new FloatStepProofError(`Flatten axis ${axis} of rank ${rank}`);
  }
  if (op === Opcode.ArgMax) {
    const axis = node.attrs[0];
    if (rank === 0 || (axis !== -1n && axis !== BigInt(rank - 1))) {
      throw new FloatStepProofError(`ArgMax axis ${axis} is not the last`);
    }
    attr(ctx, 1, 0, 1);
    attr(ctx, 2, 0, 1);
  }
  if (SAME_INDEX.has(op) && x !== undefined && elementCount(x.spec.shape) !== elementCount(node.output.shape)) {
    throw new FloatStepProofError(`opcode ${op}: input 0 and the output have different element counts`);
  }
}

export function pointwiseStep(ctx: StepContext): StepPart {
  checkDescriptor(ctx);
  const { node, outIndex } = ctx;
  const outputs = elementCount(node.output.shape);
  if (node.opcode !== Opcode.ArgMax && (!Number.isInteger(outIndex) || outIndex < 0 || outIndex >= outputs)) {
    throw new FloatStepProofError(`output index ${outIndex} outside ${outputs}`);
  }
  let deps: OperandRange[];
  try {
    deps = runs(ctx);
  } catch (cause) {
    throw new FloatStepProofError(`the element's runs: ${(cause as Error).message}`, { cause });
  }
  const openings: RangeOpening[] = deps.map((d) => {
    if (!present(node, d.operand)) throw new FloatStepProofError(`input ${d.operand} is ABSENT`);
    return commitment(ctx, d.operand).openPositions(d.start, d.count);
  });
  // The values as the contract reads them: out of the opened words.
  const values = deps.map((d, i) => {
    const o = openings[i] as RangeOpening;
    const spec = commitment(ctx, d.operand).spec;
    return Array.from({ length: d.count }, (_, k) => Number(elementFromWords(spec, o.firstWord, o.words, d.start + k)));
  });
  const first = (i: number) => (values[i] as number[])[0] as number;
  return {
    operands: encodeOperands.openings(
      openings.map((o) => ({ firstWord: BigInt(o.firstWord), words: o.words, proof: o.proof })),
    ),
    verdict: verdictOf(ctx, values, first),
  };
}

function verdictOf(ctx: StepContext, values: number[][], first: (i: number) => number): Verdict {
  const op = ctx.node.opcode;
  if (op === Opcode.ArgMax) {
    if (ctx.claimed < 0n) return Verdict.VIOLATES;
    return argMaxVerdict(values[0] as number[], ctx.node.attrs[2] === 1n, ctx.claimed);
  }
  const claimed = claimBits(ctx);
  switch (op) {
    case Opcode.Add:
    case Opcode.Sub:
    case Opcode.Mul:
    case Opcode.Div:
      return elementwiseVerdict(
        { op: (op - Opcode.Add) as ElementwiseOp, a: first(0), b: first(1), claimed },
        ctx.policy,
      );
    case Opcode.Sqrt:
      return elementwiseVerdict({ op: ElementwiseOp.SQRT, a: first(0), b: 0, claimed }, ctx.policy);
    case Opcode.Relu:
      return equalityVerdict(claimed, relu(first(0)));
    case Opcode.Max:
    case Opcode.Min:
      return equalityVerdict(
        claimed,
        extremum(
          values.map((v) => v[0] as number),
          op === Opcode.Max,
        ),
      );
    case Opcode.Gather:
      // The index element, then the data element.
      return equalityVerdict(claimed, first(1));
    default:
      return equalityVerdict(claimed, first(0));
  }
}
