/**
 * Challenger strategies an honest provider must beat (DESIGN.md: "an honest
 * provider never loses a dispute, against any challenger strategy"). Each one is
 * a way of playing that is wrong against honest data; none can prove fraud.
 */
import type { Hex } from "viem";
import type { OneStepProofArgs } from "../../src/client/calls.ts";
import { Source } from "../../src/graph/descriptor.ts";
import { at } from "../../src/tensor/at.ts";
import type { ChallengerStrategy, ProofContext } from "../../src/dispute/strategy.ts";
import type { Rng } from "../../src/vectors/rng.ts";

/** Disputes a random node, descends into a random child and proves a random opened element. */
export function randomStrategy(rng: Rng): ChallengerStrategy {
  return {
    name: "random",
    selectNode: (c) => rng.int(c.nodeCount),
    chooseChild: (c) => rng.int(c.count),
    selectElement: (c) => (c.last < c.first ? undefined : c.first + rng.int(c.last - c.first + 1)),
  };
}

/** Proves an element it knows to match (the first divergent one when there is one: never). */
export function matchingElementStrategy(rng: Rng): ChallengerStrategy {
  const random = randomStrategy(rng);
  return {
    ...random,
    name: "matching-element",
    selectElement: (c) => {
      for (let tries = 0; tries < 64; tries++) {
        const e = random.selectElement(c);
        if (e !== c.divergent) return e;
      }
      return undefined;
    },
  };
}

/** Sends operand openings of wrong data (one byte changed): the proof reverts, then it times out. */
export function forgedOperandsStrategy(rng: Rng): ChallengerStrategy {
  return {
    ...randomStrategy(rng),
    name: "forged-operands",
    alterProof: (proof) => {
      const k = rng.int(proof.operands.length);
      const o = proof.operands[k];
      // A proof of an element with no operands (none in the shipped ops) has nothing to forge.
      if (o === undefined) return proof;
      const w = rng.int(o.words.length);
      const words = o.words.map((word, i) => (i === w ? flipByte(word, rng.int(32)) : word));
      return { ...proof, operands: proof.operands.map((op, i) => (i === k ? { ...op, words } : op)) };
    },
  };
}

/** Opens a node-output (or input) operand from another node's data: the openings do not match the roots. */
export function wrongNodeOperandsStrategy(rng: Rng): ChallengerStrategy {
  return {
    ...randomStrategy(rng),
    name: "wrong-node-operands",
    alterProof: (proof, c) => withOperandFromWrongNode(proof, c, rng),
  };
}

/** Claims another word than the provider revealed as the disputed one: RevealMismatch, then it times out. */
export function forgedClaimStrategy(rng: Rng): ChallengerStrategy {
  return {
    ...randomStrategy(rng),
    name: "forged-claim",
    alterProof: (proof) => ({ ...proof, outWord: flipByte(proof.outWord, rng.int(32)) }),
  };
}

/** Never moves after its reveal. */
export const silentStrategy: ChallengerStrategy = {
  name: "silent",
  selectNode: () => undefined,
  chooseChild: () => undefined,
  selectElement: () => undefined,
};

function flipByte(word: Hex, byte: number): Hex {
  const hex = word.slice(2);
  const b = (parseInt(hex.slice(byte * 2, byte * 2 + 2), 16) ^ 0xff).toString(16).padStart(2, "0");
  return `0x${hex.slice(0, byte * 2)}${b}${hex.slice(byte * 2 + 2)}`;
}

function withOperandFromWrongNode(proof: OneStepProofArgs, c: ProofContext, rng: Rng): OneStepProofArgs {
  const node = at(c.compiled.nodes, c.nodeIndex);
  // Openings follow the descriptor's inputs (§6.1); find the first opening of a non-constant operand.
  const k = node.inputs.findIndex((o) => o.source === Source.NODE_OUTPUT || o.source === Source.JOB_INPUT);
  const original = node.inputs[k];
  const opening = proof.operands[k];
  if (original === undefined || opening === undefined) return proof;
  const count = opening.words.length;
  // Another tensor of the trace with enough words: a different node's output, or the input.
  const candidates = c.compiled.nodes
    .map((_, j) => j)
    .filter((j) => j !== c.nodeIndex && !(original.source === Source.NODE_OUTPUT && j === original.index))
    .map((j) => c.honest.commitment(j))
    .concat(original.source === Source.JOB_INPUT ? [] : [c.honest.inputCommitment()])
    .filter((t) => t.wordCount >= opening.firstWord + count);
  if (candidates.length === 0) return proof;
  const other = at(candidates, rng.int(candidates.length));
  const wrong = {
    firstWord: opening.firstWord,
    words: Array.from({ length: count }, (_, i) => other.word(opening.firstWord + i)),
    proof: other.tree.rangeProof(opening.firstWord, opening.firstWord + count - 1),
  };
  return { ...proof, operands: proof.operands.map((o, i) => (i === k ? wrong : o)) };
}
