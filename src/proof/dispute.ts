import { hexToBytes, type Hex } from "viem";
import { at } from "../tensor/at.ts";
import { MerkleTree } from "../tensor/merkle.ts";
import { dtypeInfo } from "../tensor/dtype.ts";
import { committedPosition, elementCount, type TensorSpec } from "../tensor/spec.ts";
import type { TensorCommitment } from "../tensor/commitment.ts";
import { elementFromWords } from "../tensor/commitment.ts";
import { Source, type NodeDescriptor } from "../graph/descriptor.ts";
import type { CompiledModel } from "../onnx/compile.ts";
import type { OneStepProofArgs } from "../client/calls.ts";
import { buildOneStepProof } from "./oneStep.ts";

/**
 * The moves of the bisection game (docs/PROTOCOL.md §9.2) computed from local
 * data: pure functions, shared by the provider daemon, the watcher's solver,
 * the replay tool and the tests.
 */

/** Outputs up to this many words are revealed whole (DisputeGame.WHOLE_REVEAL_MAX_WORDS). */
export const WHOLE_REVEAL_MAX_WORDS = 64;
/** log2 of the children per reveal round (DisputeGame.LOG_K). */
export const LOG_K = 4;

/** Whether two lists of node roots are the same (hex case ignored). */
export function sameRoots(a: readonly Hex[], b: readonly Hex[]): boolean {
  return a.length === b.length && a.every((r, k) => r.toLowerCase() === b[k]?.toLowerCase());
}

/** Index of the first node whose root differs, or undefined when the traces agree. */
export function firstDivergentNode(claimed: readonly Hex[], honest: readonly Hex[]): number | undefined {
  if (claimed.length !== honest.length)
    throw new RangeError(`trace lengths differ: ${claimed.length} vs ${honest.length}`);
  const i = claimed.findIndex((r, k) => r.toLowerCase() !== at(honest, k).toLowerCase());
  return i < 0 ? undefined : i;
}

/** Children per round at a given anchor level. */
export function stepAt(level: number): number {
  return Math.min(LOG_K, level);
}

/** Provider: the descendants of subtree node (level, index) that the next reveal round opens. */
export function childrenOf(tree: MerkleTree, level: number, index: number): Hex[] {
  const step = stepAt(level);
  const children: Hex[] = [];
  for (let j = 0; j < 1 << step; j++) children.push(tree.node(level - step, (index << step) + j));
  return children;
}

/** Challenger: the first revealed child that differs from the honest tree, or undefined if all agree. */
export function divergentChild(
  children: readonly Hex[],
  honest: MerkleTree,
  level: number,
  index: number,
): number | undefined {
  const mine = childrenOf(honest, level, index);
  const j = children.findIndex((c, k) => c.toLowerCase() !== at(mine, k).toLowerCase());
  return j < 0 ? undefined : j;
}

/**
 * Challenger: the first element (row-major index; node outputs are row-major) inside
 * the provider's opened words whose value differs from the honest tensor.
 */
export function divergentElement(
  spec: TensorSpec,
  providerWords: readonly Hex[],
  firstWord: number,
  honest: TensorCommitment,
): number | undefined {
  const width = dtypeInfo(spec.dtype).width;
  const perWord = 32 / width;
  const n = elementCount(spec.shape);
  for (const [w, provided] of providerWords.entries()) {
    const word = firstWord + w;
    if (provided.toLowerCase() === honest.word(word).toLowerCase()) continue;
    for (let p = word * perWord; p < Math.min(n, (word + 1) * perWord); p++) {
      if (elementFromWords(spec, firstWord, providerWords, p) !== honest.tensor.at(p)) return p;
    }
  }
  return undefined;
}

/** The provider's whole output as a tree, rebuilt from a WholeRevealed event. */
export function treeOfWords(words: readonly Hex[]): MerkleTree {
  const buf = new Uint8Array(words.length * 32);
  words.forEach((w, i) => buf.set(hexToBytes(w, { size: 32 }), i * 32));
  return new MerkleTree(buf);
}

/** Word index holding the element with row-major index `outIndex` of a row-major tensor. */
export function wordOfElement(spec: TensorSpec, outIndex: number): number {
  return Math.floor((outIndex * dtypeInfo(spec.dtype).width) / 32);
}

function nodeOf(compiled: CompiledModel, i: number): NodeDescriptor {
  const node = compiled.nodes[i];
  if (node === undefined) throw new RangeError(`no node ${i} (the model has ${compiled.nodes.length})`);
  return node;
}

/** Local data the challenger proves from: its honest trace (roots and commitments). */
export interface HonestTraceData {
  readonly nodeRoots: readonly Hex[];
  commitment(nodeIndex: number): TensorCommitment;
  inputCommitment(): TensorCommitment;
}

/**
 * Commitments of node `i`'s operands in descriptor order (undefined for ABSENT).
 * The challenger disputes the first divergent node, so every earlier node's root
 * is the honest one and its own commitments open against the provider's roots.
 */
export function operandCommitments(
  compiled: CompiledModel,
  honest: HonestTraceData,
  i: number,
): (TensorCommitment | undefined)[] {
  const node = nodeOf(compiled, i);
  const committed = at(compiled.operandTensors, i); // one entry per node, like compiled.nodes
  return node.inputs.map((o, k) => {
    switch (o.source) {
      case Source.JOB_INPUT:
        return honest.inputCommitment();
      case Source.NODE_OUTPUT:
        return honest.commitment(o.index);
      case Source.CONSTANT:
        return committed[k] ?? undefined;
      default:
        return undefined;
    }
  });
}

/** What the provider opened of the disputed node's output. */
export type ProviderOpening =
  | { readonly kind: "whole"; readonly words: readonly Hex[] }
  | { readonly kind: "leaf"; readonly wordIndex: number; readonly word: Hex };

/** What a one-step proof is built from (docs/PROTOCOL.md §9.3). */
export interface StepProofParameters {
  readonly compiled: CompiledModel;
  readonly honest: HonestTraceData;
  readonly nodeIndex: number;
  readonly outIndex: number;
  readonly providerRoots: readonly Hex[];
  readonly opening: ProviderOpening;
}

/** The output half of a one-step proof: the word holding the element, opened under the anchor. */
export function openedOutput(
  node: NodeDescriptor,
  outIndex: number,
  opening: ProviderOpening,
): { outWordIndex: number; outWord: Hex; outProof: Hex[] } {
  const outWordIndex = wordOfElement(node.output, outIndex);
  if (opening.kind === "whole") {
    const word = opening.words[outWordIndex];
    if (word === undefined) {
      throw new RangeError(
        `element ${outIndex} is in word ${outWordIndex}, the provider revealed ${opening.words.length}`,
      );
    }
    return { outWordIndex, outWord: word, outProof: treeOfWords(opening.words).rangeProof(outWordIndex, outWordIndex) };
  }
  if (opening.wordIndex !== outWordIndex) {
    throw new RangeError(
      `element ${outIndex} is in word ${outWordIndex}, the provider opened word ${opening.wordIndex}`,
    );
  }
  return { outWordIndex, outWord: opening.word, outProof: [] };
}

/** The provider's element `outIndex` of a node, read out of the output word that holds it (what the game compares or judges). */
export function claimedElement(node: NodeDescriptor, outIndex: number, outWord: Hex): bigint {
  const pos = committedPosition(node.output, outIndex);
  const width = dtypeInfo(node.output.dtype).width;
  return elementFromWords(node.output, Math.floor((pos * width) / 32), [outWord], pos);
}

/** The challenger's one-step proof of node `nodeIndex`'s element `outIndex` (docs/PROTOCOL.md §9.3). */
export function buildStepProof(p: StepProofParameters): OneStepProofArgs {
  const node = nodeOf(p.compiled, p.nodeIndex);
  const { openings } = buildOneStepProof({
    node,
    operands: operandCommitments(p.compiled, p.honest, p.nodeIndex),
    outIndex: p.outIndex,
  });
  return {
    node,
    nodeRoots: p.providerRoots,
    outIndex: p.outIndex,
    ...openedOutput(node, p.outIndex, p.opening),
    operands: openings,
  };
}

/** Node `i` of the model, or a RangeError naming the model's node count. */
export function nodeAt(compiled: CompiledModel, i: number): NodeDescriptor {
  return nodeOf(compiled, i);
}
