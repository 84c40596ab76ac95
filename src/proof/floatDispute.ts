/**
 * The one-step proof of a float32 node (docs/PROTOCOL.md §11.10): the output word as for the
 * exact integer profile (§9.3), and in place of the §6.1 openings the float proof
 * `abi.encode(policy, operands)` that `IFloatStepVerifier.verdict` judges against the bound.
 * The operands are the provider's own committed tensors (`honest` is its served trace), since
 * admissibility is judged from the provider's inputs of the node (§11.3).
 */
import type { OneStepProofArgs } from "../client/calls.ts";
import { buildFloatStepProof } from "../float/step/proof.ts";
import { policyOfHash } from "../float/policy.ts";
import { claimedElement, nodeAt, openedOutput, operandCommitments, type StepProofParameters } from "./dispute.ts";

export function buildFloatStepProofArgs(p: StepProofParameters): OneStepProofArgs {
  const node = nodeAt(p.compiled, p.nodeIndex);
  const out = openedOutput(node, p.outIndex, p.opening);
  // The claim is what the game reads: the element in the provider's opened word.
  const claimed = claimedElement(node, p.outIndex, out.outWord);
  const { proof } = buildFloatStepProof({
    node,
    operands: operandCommitments(p.compiled, p.honest, p.nodeIndex),
    outIndex: p.outIndex,
    claimed,
    policy: policyOfHash(p.compiled.policyHash),
  });
  return { node, nodeRoots: p.providerRoots, outIndex: p.outIndex, ...out, operands: [], floatProof: proof };
}
