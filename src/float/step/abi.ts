/**
 * The ABI of the float32 profile's routed one-step check (docs/PROTOCOL.md §11.10):
 * `IFloatStepVerifier.verdict` and the per-opcode encodings of the `operands` inside its proof,
 * written out so that a watcher encodes proofs without the build's artifacts. The Solidity
 * suite replays the golden vectors encoded here (test/vectors/float-step.json), so a drift from
 * the contracts fails there.
 */
import { encodeAbiParameters, encodeFunctionData, type Hex } from "viem";
import { NODE_DESCRIPTOR_ABI, toAbiDescriptor, type NodeDescriptor } from "../../graph/descriptor.ts";
import { RANGE_OPENING_ABI } from "../../proof/oneStep.ts";
import { POLICY_ABI, type NumericsPolicy } from "../policy.ts";

/** `TensorCodec.RangeOpening`: the integer profile's opening, reused by the float proofs. */
const RANGE_OPENING = RANGE_OPENING_ABI;

/** A range opening as viem encodes `TensorCodec.RangeOpening`. */
export interface AbiRangeOpening {
  readonly firstWord: bigint;
  readonly words: readonly Hex[];
  readonly proof: readonly Hex[];
}

/** The opening passed for an ABSENT input (ignored by the contract). */
export const EMPTY_OPENING: AbiRangeOpening = { firstWord: 0n, words: [], proof: [] };

const HINT = { name: "hint", type: "int256" } as const;
const WORDS = [
  { name: "xWords", type: "bytes32[]" },
  { name: "xProof", type: "bytes32[]" },
] as const;

/** The operands of each family, as §11.10's table fixes them. */
export const encodeOperands = {
  /** MatMul `(RangeOpening a, RangeOpening b, int256 hint)`. */
  matMul: (a: AbiRangeOpening, b: AbiRangeOpening, hint: bigint): Hex =>
    encodeAbiParameters([RANGE_OPENING, RANGE_OPENING, HINT], [a, b, hint]),
  /** Gemm `(RangeOpening a, RangeOpening b, RangeOpening c, int256 hint)`. */
  gemm: (a: AbiRangeOpening, b: AbiRangeOpening, c: AbiRangeOpening, hint: bigint): Hex =>
    encodeAbiParameters([RANGE_OPENING, RANGE_OPENING, RANGE_OPENING, HINT], [a, b, c, hint]),
  /** Conv `(bytes32[] xWords, bytes32[] xProof, RangeOpening w, RangeOpening b, int256 hint)`. */
  conv: (xWords: readonly Hex[], xProof: readonly Hex[], w: AbiRangeOpening, b: AbiRangeOpening, hint: bigint): Hex =>
    encodeAbiParameters([...WORDS, RANGE_OPENING, RANGE_OPENING, HINT], [xWords, xProof, w, b, hint]),
  /** MaxPool `(bytes32[] xWords, bytes32[] xProof)`. */
  maxPool: (xWords: readonly Hex[], xProof: readonly Hex[]): Hex => encodeAbiParameters(WORDS, [xWords, xProof]),
  /** AveragePool `(bytes32[] xWords, bytes32[] xProof, int256 hint)`. */
  averagePool: (xWords: readonly Hex[], xProof: readonly Hex[], hint: bigint): Hex =>
    encodeAbiParameters([...WORDS, HINT], [xWords, xProof, hint]),
  /** GlobalAveragePool and ReduceMean `(RangeOpening x, int256 hint)`. */
  row: (x: AbiRangeOpening, hint: bigint): Hex => encodeAbiParameters([RANGE_OPENING, HINT], [x, hint]),
  /** Pointwise operators, data movers and ArgMax `(RangeOpening[] openings)`. */
  openings: (openings: readonly AbiRangeOpening[]): Hex =>
    encodeAbiParameters([{ type: "tuple[]", components: RANGE_OPENING.components }], [openings]),
};

/** The proof bytes: `abi.encode(NumericsPolicy policy, bytes operands)`. */
export function encodeStepProof(policy: NumericsPolicy, operands: Hex): Hex {
  return encodeAbiParameters([...POLICY_ABI, { type: "bytes" }], [policy, operands]);
}

/** `IFloatStepVerifier` (contracts/interfaces/IFloatStepVerifier.sol). */
export const FLOAT_STEP_VERIFIER_ABI = [
  {
    type: "function",
    name: "verdict",
    stateMutability: "view",
    inputs: [
      { ...NODE_DESCRIPTOR_ABI, name: "node" },
      { name: "operandRoots", type: "bytes32[]" },
      { name: "outIndex", type: "uint256" },
      { name: "claimed", type: "int256" },
      { name: "proof", type: "bytes" },
      { name: "policyHash", type: "bytes32" },
    ],
    outputs: [{ name: "", type: "uint8" }],
  },
] as const;

/** The call `verdict(node, operandRoots, outIndex, claimed, proof, policyHash)`, selector included. */
export function floatStepCall(
  node: NodeDescriptor,
  operandRoots: readonly Hex[],
  outIndex: number,
  claimed: bigint,
  proof: Hex,
  policyHash: Hex,
): Hex {
  return encodeFunctionData({
    abi: FLOAT_STEP_VERIFIER_ABI,
    functionName: "verdict",
    args: [toAbiDescriptor(node), operandRoots, BigInt(outIndex), claimed, proof, policyHash],
  });
}
