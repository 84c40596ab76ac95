/**
 * The operand half of a one-step proof (docs/PROTOCOL.md §9.3): for one output
 * element of one node, the root of every operand and one range opening per
 * dependency, in the order of §6.1 — exactly the arguments of
 * `OneStepVerifier.execute(node, operandRoots, outIndex, openings)`.
 *
 *     const proof = buildOneStepProof({ node, operands: [x, w, undefined, bzp], outIndex: 7 });
 *     await client.readContract({ ...verifier, functionName: "execute", args: oneStepArgs(node, proof) });
 */
import type { Hex } from "viem";
import { toAbiDescriptor, ZERO_ROOT, type NodeDescriptor } from "../graph/descriptor.ts";
import { dependencies, isAbsent, type OperandRange, type ReferenceEvalError } from "../reference/evaluate.ts";
import type { RangeOpening, TensorCommitment } from "../tensor/commitment.ts";
import type { TensorSpec } from "../tensor/spec.ts";

/** ABI of `TensorCodec.RangeOpening`. */
export const RANGE_OPENING_ABI = {
  type: "tuple",
  components: [
    { name: "firstWord", type: "uint256" },
    { name: "words", type: "bytes32[]" },
    { name: "proof", type: "bytes32[]" },
  ],
} as const;

export type BuildOneStepProofParameters = {
  /** The node's descriptor (as registered: its hash opens against the graphRoot). */
  readonly node: NodeDescriptor;
  /** One commitment per descriptor input, in ONNX order; undefined for an ABSENT input. */
  readonly operands: readonly (TensorCommitment | undefined)[];
  /** Row-major index of the disputed output element. */
  readonly outIndex: number;
};

export type BuildOneStepProofReturnType = {
  /** Row-major index of the disputed output element. */
  readonly outIndex: number;
  /** Tensor root of each input (ZERO_ROOT for ABSENT ones). */
  readonly operandRoots: Hex[];
  /** One opening per dependency, in the order of §6.1. */
  readonly openings: RangeOpening[];
  /** What each opening covers: operand and committed positions [start, start + count). */
  readonly dependencies: OperandRange[];
};

/** The operand commitments do not fit the descriptor. */
export class OneStepProofError extends Error {
  override readonly name = "OneStepProofError";
  readonly shortMessage: string;
  readonly details?: string;
  constructor(shortMessage: string, options: { details?: string; cause?: unknown } = {}) {
    super(options.details ? `${shortMessage}\n\nDetails: ${options.details}` : shortMessage, { cause: options.cause });
    this.shortMessage = shortMessage;
    this.details = options.details;
  }
}

export type BuildOneStepProofErrorType = OneStepProofError | ReferenceEvalError;

function sameSpec(a: TensorSpec, b: TensorSpec): boolean {
  return (
    a.dtype === b.dtype &&
    a.layout === b.layout &&
    a.shape.length === b.shape.length &&
    a.shape.every((d, i) => d === b.shape[i])
  );
}

/**
 * Builds the operand roots and openings that prove output element `outIndex`
 * of `node` from its operands. The element's value is not part of the proof:
 * the verifier recomputes it (`evaluateElement` gives the same number off-chain).
 */
export function buildOneStepProof(parameters: BuildOneStepProofParameters): BuildOneStepProofReturnType {
  const { node, operands, outIndex } = parameters;
  if (operands.length !== node.inputs.length) {
    throw new OneStepProofError(`expected ${node.inputs.length} operands, got ${operands.length}`);
  }
  const operandRoots = node.inputs.map((input, i) => {
    const c = operands[i];
    if (isAbsent(node, i)) {
      if (c !== undefined) throw new OneStepProofError(`input ${i} is ABSENT but a commitment was given`);
      return ZERO_ROOT;
    }
    if (c === undefined) throw new OneStepProofError(`input ${i} has no commitment`);
    if (!sameSpec(c.spec, input.spec)) {
      throw new OneStepProofError(`input ${i}'s commitment does not have the descriptor's spec`, {
        details: `commitment ${JSON.stringify(c.spec)}, descriptor ${JSON.stringify(input.spec)}`,
      });
    }
    return c.root;
  });
  const deps = dependencies(
    node,
    operands.map((c) => c?.tensor),
    outIndex,
  );
  const openings = deps.map((d) => (operands[d.operand] as TensorCommitment).openPositions(d.start, d.count));
  return { outIndex, operandRoots, openings, dependencies: deps };
}

/** A RangeOpening as viem encodes `TensorCodec.RangeOpening`. */
export function toAbiOpening(o: RangeOpening): { firstWord: bigint; words: readonly Hex[]; proof: readonly Hex[] } {
  return { firstWord: BigInt(o.firstWord), words: o.words, proof: o.proof };
}

/** The arguments of `IOneStepVerifier.execute`, in order. */
export function oneStepArgs(
  node: NodeDescriptor,
  proof: Pick<BuildOneStepProofReturnType, "outIndex" | "operandRoots" | "openings">,
) {
  return [toAbiDescriptor(node), proof.operandRoots, BigInt(proof.outIndex), proof.openings.map(toAbiOpening)] as const;
}
