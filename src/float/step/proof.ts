/**
 * The float32 profile's routed one-step proof (docs/PROTOCOL.md §11.10): for one claimed output
 * element of one node, the operand roots and the proof bytes `abi.encode(policy, operands)`
 * that `IFloatStepVerifier.verdict` takes, and the verdict the contract will return, so that a
 * watcher knows it before sending.
 *
 *     const p = buildFloatStepProof({ node, operands: [x, w, b], outIndex: 7, claimed, policy });
 *     if (p.verdict === Verdict.VIOLATES) await verifier.read.verdict(floatStepArgs(node, p, 7, claimed, policyHash));
 */
import type { Hex } from "viem";
import { toAbiDescriptor, ZERO_ROOT, type NodeDescriptor } from "../../graph/descriptor.ts";
import { Opcode } from "../../graph/opcode.ts";
import { ReferenceEvalError } from "../../reference/evaluate.ts";
import type { TensorCommitment } from "../../tensor/commitment.ts";
import type { TensorSpec } from "../../tensor/spec.ts";
import { assertSupported, type NumericsPolicy } from "../policy.ts";
import type { Verdict } from "../verdict.ts";
import { encodeStepProof } from "./abi.ts";
import { present, type StepContext, type StepPart } from "./context.ts";
import { DOT_STEPS } from "./dot.ts";
import { FloatStepProofError } from "./errors.ts";
import { pointwiseStep } from "./pointwise.ts";
import { WINDOW_STEPS } from "./window.ts";

export { FloatStepProofError } from "./errors.ts";

export interface BuildFloatStepProofParameters {
  /** The node's descriptor (as registered: its hash opens against the graphRoot). */
  readonly node: NodeDescriptor;
  /** One commitment per descriptor input, in ONNX order; undefined for an ABSENT input. */
  readonly operands: readonly (TensorCommitment | undefined)[];
  /** Row-major index of the disputed output element. */
  readonly outIndex: number;
  /** The claimed element: fp32 bits in [0, 2³²), or ArgMax's int64 index. */
  readonly claimed: bigint;
  /** The model's numerics policy (its hash is the model's policyHash). */
  readonly policy: NumericsPolicy;
}

export interface BuildFloatStepProofReturnType {
  /** Tensor root of each input (ZERO_ROOT for ABSENT ones). */
  readonly operandRoots: Hex[];
  /** abi.encode(NumericsPolicy policy, bytes operands). */
  readonly proof: Hex;
  /** The verdict the contract returns for this proof. */
  readonly verdict: Verdict;
}

function sameSpec(a: TensorSpec, b: TensorSpec): boolean {
  return (
    a.dtype === b.dtype &&
    a.layout === b.layout &&
    a.shape.length === b.shape.length &&
    a.shape.every((d, i) => d === b.shape[i])
  );
}

const POINTWISE = new Set<number>(
  (
    [
      "Add",
      "Sub",
      "Mul",
      "Div",
      "Relu",
      "Max",
      "Min",
      "Reshape",
      "Flatten",
      "Identity",
      "Gather",
      "ArgMax",
      "Sqrt",
      "Transpose",
    ] as const
  ).map((n) => Opcode[n]),
);

function partOf(node: NodeDescriptor): (ctx: StepContext) => StepPart {
  const part = DOT_STEPS[node.opcode] ?? WINDOW_STEPS[node.opcode];
  if (part !== undefined) return part;
  if (POINTWISE.has(node.opcode)) return pointwiseStep;
  throw new FloatStepProofError(`opcode ${node.opcode} is not in the float32 profile`);
}

/** Builds the roots and proof of element `outIndex` of `node`, and the contract's verdict on the claim. */
export function buildFloatStepProof(parameters: BuildFloatStepProofParameters): BuildFloatStepProofReturnType {
  const { node, operands, outIndex, claimed, policy } = parameters;
  try {
    assertSupported(policy);
  } catch (cause) {
    throw new FloatStepProofError((cause as Error).message, { cause });
  }
  if (operands.length !== node.inputs.length) {
    throw new FloatStepProofError(`expected ${node.inputs.length} operands, got ${operands.length}`);
  }
  if (!Number.isSafeInteger(outIndex) || outIndex < 0) throw new FloatStepProofError(`output index ${outIndex}`);
  const operandRoots = node.inputs.map((input, i) => {
    const c = operands[i];
    if (!present(node, i)) {
      if (c !== undefined) throw new FloatStepProofError(`input ${i} is ABSENT but a commitment was given`);
      return ZERO_ROOT;
    }
    if (c === undefined) throw new FloatStepProofError(`input ${i} has no commitment`);
    if (!sameSpec(c.spec, input.spec)) {
      throw new FloatStepProofError(`input ${i}'s commitment does not have the descriptor's spec`, {
        details: `commitment ${JSON.stringify(c.spec)}, descriptor ${JSON.stringify(input.spec)}`,
      });
    }
    return c.root;
  });
  const part = partOf(node);
  let result: StepPart;
  try {
    result = part({ node, operands, outIndex, claimed, policy });
  } catch (cause) {
    if (cause instanceof FloatStepProofError) throw cause;
    if (cause instanceof RangeError || cause instanceof ReferenceEvalError) {
      throw new FloatStepProofError(`the operands do not fit opcode ${node.opcode}: ${cause.message}`, { cause });
    }
    throw cause;
  }
  return { operandRoots, proof: encodeStepProof(policy, result.operands), verdict: result.verdict };
}

/** The arguments of `IFloatStepVerifier.verdict`, in order. */
export function floatStepArgs(
  node: NodeDescriptor,
  proof: Pick<BuildFloatStepProofReturnType, "operandRoots" | "proof">,
  outIndex: number,
  claimed: bigint,
  policyHash: Hex,
) {
  return [toAbiDescriptor(node), proof.operandRoots, BigInt(outIndex), claimed, proof.proof, policyHash] as const;
}
