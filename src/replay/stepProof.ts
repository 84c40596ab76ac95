/**
 * The one-step proof a challenger sent, read back from the `proveStep` transaction's
 * calldata, and re-checked in TypeScript exactly as OneStepVerifier does on chain:
 * every operand opening verified against its root, then the element recomputed with
 * the reference evaluator (`evaluateFromOpenings`).
 */
import { decodeFunctionData, isAddressEqual, type Address, type Hash, type Hex, type PublicClient } from "viem";
import { disputeGameAbi } from "../chain/abis.ts";
import { Source, type NodeDescriptor } from "../graph/descriptor.ts";
import { evaluateFromOpenings, type OperandOpening, type OperandRange } from "../reference/evaluate.ts";
import { at } from "../tensor/at.ts";
import { elementFromWords, tensorRootOf, type RangeOpening } from "../tensor/commitment.ts";
import { depthFor, rootFromRange } from "../tensor/merkle.ts";
import { wordCount } from "../tensor/spec.ts";
import { claimedElement } from "../proof/dispute.ts";

/** The parts of a `proveStep` call the replay re-checks. */
export interface SentStepProof {
  readonly nodeRoots: readonly Hex[];
  readonly outIndex: number;
  readonly outWordIndex: number;
  readonly outWord: Hex;
  readonly operands: readonly RangeOpening[];
}

/**
 * Decodes the proof from the transaction that emitted StepChecked; undefined when
 * the transaction did not call `proveStep` on the game directly (a relayer or a
 * smart-contract wallet called it), in which case only the event is available.
 */
export async function sentStepProof(
  client: PublicClient,
  disputeGame: Address,
  hash: Hash,
): Promise<SentStepProof | undefined> {
  const tx = await client.getTransaction({ hash });
  if (tx.to === null || tx.to === undefined || !isAddressEqual(tx.to, disputeGame)) return undefined;
  let decoded;
  try {
    decoded = decodeFunctionData({ abi: disputeGameAbi, data: tx.input });
  } catch {
    return undefined;
  }
  if (decoded.functionName !== "proveStep") return undefined;
  const proof = decoded.args[1];
  return {
    nodeRoots: proof.nodeRoots,
    outIndex: Number(proof.outIndex),
    outWordIndex: Number(proof.outWordIndex),
    outWord: proof.outWord,
    operands: proof.operands.map((o) => ({ firstWord: Number(o.firstWord), words: [...o.words], proof: [...o.proof] })),
  };
}

/** The claimed element: read out of the opened output word. */
export function claimedFromProof(node: NodeDescriptor, p: SentStepProof): bigint {
  return claimedElement(node, p.outIndex, p.outWord);
}

/**
 * Verifies each opening against its operand's root and recomputes the element.
 * `runs` are the dependencies of §6.1 (from the reference evaluator), in order.
 * Throws, naming the opening, when an opening does not verify or does not cover its run.
 */
export function recomputeFromProof(
  node: NodeDescriptor,
  p: SentStepProof,
  inputRoot: Hex,
  runs: readonly OperandRange[],
): bigint {
  if (runs.length !== p.operands.length) {
    throw new Error(`the proof has ${p.operands.length} openings, the element depends on ${runs.length} runs`);
  }
  const openings: OperandOpening[] = runs.map((run, k) => {
    const operand = node.inputs[run.operand];
    if (operand === undefined)
      throw new Error(`run ${k} names input ${run.operand}, the node has ${node.inputs.length}`);
    const root =
      operand.source === Source.JOB_INPUT
        ? inputRoot
        : operand.source === Source.NODE_OUTPUT
          ? p.nodeRoots[operand.index]
          : operand.root;
    if (root === undefined)
      throw new Error(`opening ${k} (input ${run.operand}) reads node ${operand.index}, past the proof's roots`);
    // As many openings as runs: checked above.
    const o = at(p.operands, k);
    const dataRoot = rootFromRange(o.firstWord, o.words, o.proof, depthFor(wordCount(operand.spec)));
    if (tensorRootOf(operand.spec, dataRoot).toLowerCase() !== root.toLowerCase()) {
      throw new Error(`opening ${k} (input ${run.operand}) does not verify against its root ${root}`);
    }
    const values: bigint[] = [];
    for (let pos = run.start; pos < run.start + run.count; pos++) {
      values.push(elementFromWords(operand.spec, o.firstWord, o.words, pos));
    }
    return { ...run, values };
  });
  return evaluateFromOpenings(node, p.outIndex, openings);
}
