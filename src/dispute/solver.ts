/**
 * The pure half of a dispute player (docs/PROTOCOL.md §9): on-chain state plus
 * local data in, the next moves out. No I/O, no clock of its own: `now` is the
 * latest block's timestamp, and a move is proposed only while its deadline
 * allows it in a later block (a timeout only once `now` is past the deadline).
 */
import type { Hex } from "viem";
import type { OneStepProofArgs, WordOpeningArgs } from "../client/calls.ts";
import type { NodeDescriptor } from "../graph/descriptor.ts";
import type { CompiledModel } from "../onnx/compile.ts";
import { buildFloatStepProofArgs } from "../proof/floatDispute.ts";
import {
  buildStepProof,
  childrenOf,
  divergentChild,
  divergentElement,
  firstDivergentNode,
  LOG_K,
  sameRoots,
  WHOLE_REVEAL_MAX_WORDS,
  wordOfElement,
  type HonestTraceData,
  type ProviderOpening,
} from "../proof/dispute.ts";
import { dtypeInfo } from "../tensor/dtype.ts";
import type { MerkleTree } from "../tensor/merkle.ts";
import { elementCount, type TensorSpec } from "../tensor/spec.ts";
import { isOpen, isProviderTurn, Phase, type ChallengeState, type DisputeState } from "./state.ts";
import { honestStrategy, type ChallengerStrategy } from "./strategy.ts";

export type Move =
  | { readonly kind: "postRoots"; readonly jobId: bigint; readonly nodeRoots: readonly Hex[] }
  | {
      readonly kind: "selectNode";
      readonly id: bigint;
      readonly nodeIndex: number;
      readonly node: NodeDescriptor;
      readonly descriptorProof: readonly Hex[];
      readonly nodeRoots: readonly Hex[];
    }
  | {
      readonly kind: "selectElement";
      readonly id: bigint;
      readonly nodeIndex: number;
      readonly node: NodeDescriptor;
      readonly descriptorProof: readonly Hex[];
      readonly nodeRoots: readonly Hex[];
      readonly opening: WordOpeningArgs;
    }
  | { readonly kind: "revealWhole"; readonly id: bigint; readonly output: TensorSpec; readonly words: readonly Hex[] }
  | {
      readonly kind: "revealChildren";
      readonly id: bigint;
      readonly output: TensorSpec;
      readonly dataRoot: Hex;
      readonly children: readonly Hex[];
    }
  | { readonly kind: "chooseChild"; readonly id: bigint; readonly children: readonly Hex[]; readonly index: number }
  | { readonly kind: "proveStep"; readonly id: bigint; readonly proof: OneStepProofArgs }
  | { readonly kind: "timeout"; readonly id: bigint }
  | { readonly kind: "moot"; readonly id: bigint }
  | { readonly kind: "settle"; readonly jobId: bigint };

export type MoveKind = Move["kind"];

// ------------------------------------------------------------------ provider

/** One node output as the provider committed it: what its reveals are made from. */
export interface NodeOutputData {
  readonly spec: TensorSpec;
  readonly dataRoot: Hex;
  readonly root: Hex;
  readonly wordCount: number;
  /** The data tree (TensorCommitment's, or a forged one). */
  readonly tree: MerkleTree;
}

/** What the provider answers a dispute from (src/dispute/faults.ts `Commitment` is one). */
export interface ProviderData {
  readonly nodeRoots: readonly Hex[];
  commitment(nodeIndex: number): NodeOutputData;
  /** Whether it posts its roots when challenged (false: silent). */
  readonly postsRoots: boolean;
  /** Whether it reveals node data when asked (false: withholds). */
  readonly reveals: boolean;
}

export interface ProviderView {
  /** Latest block timestamp. */
  readonly now: bigint;
  readonly jobId: bigint;
  readonly dispute: DisputeState;
  /** The job's revealed challenges (`dispute.challenges`, resolved ones too), read. */
  readonly challenges: readonly ChallengeState[];
}

/**
 * Whether challenge `id` is moot in `dispute`: fraud is established and a challenge with
 * a smaller id won (docs/PROTOCOL.md §9.4). Anyone may resolve it with `moot(id)`.
 */
export function isMoot(dispute: Pick<DisputeState, "fraud" | "winner">, id: bigint): boolean {
  return dispute.fraud && id > dispute.winner;
}

/**
 * The moves that let a job with established fraud settle: `moot` every open challenge
 * younger than the winner (settlement waits on `open == 0`, and nobody else need send
 * them), then `settle` once none is open. Open challenges older than the winner are
 * still played out by their own parties.
 */
export function settlementMoves(jobId: bigint, dispute: DisputeState, challenges: readonly ChallengeState[]): Move[] {
  if (dispute.settled || !dispute.fraud) return [];
  if (dispute.open === 0) return [{ kind: "settle", jobId }];
  return challenges.filter((c) => isOpen(c.phase) && isMoot(dispute, c.id)).map((c) => ({ kind: "moot", id: c.id }));
}

/**
 * The provider's moves now: post the roots once, answer every reveal request of
 * every open challenge, claim the timeouts its challengers missed (their bonds are
 * its pay), and release the job once every challenge failed and the grace period
 * is over.
 */
export function providerMoves(view: ProviderView, data: ProviderData): Move[] {
  const { now, dispute } = view;
  if (dispute.settled) return [];
  const moves: Move[] = [];
  if (
    data.postsRoots &&
    dispute.open > 0 &&
    !dispute.fraud &&
    dispute.rootsPostedAt === 0n &&
    now < dispute.rootsDeadline
  ) {
    moves.push({ kind: "postRoots", jobId: view.jobId, nodeRoots: data.nodeRoots });
  }
  for (const c of view.challenges) {
    // A challenge younger than the winner is only mooted (settlementMoves below).
    if (!isOpen(c.phase) || isMoot(dispute, c.id)) continue;
    if (!isProviderTurn(c.phase)) {
      if (now > c.deadline) moves.push({ kind: "timeout", id: c.id });
      continue;
    }
    if (!data.reveals || now >= c.deadline) continue;
    const node = data.commitment(c.nodeIndex);
    if (c.phase === Phase.AwaitWhole) {
      const words: Hex[] = [];
      for (let w = 0; w < node.wordCount; w++) words.push(node.tree.leaf(w));
      moves.push({ kind: "revealWhole", id: c.id, output: node.spec, words });
    } else if (c.phase === Phase.AwaitChildren) {
      moves.push({
        kind: "revealChildren",
        id: c.id,
        output: node.spec,
        dataRoot: node.dataRoot,
        children: childrenOf(node.tree, c.anchorLevel, c.anchorIndex),
      });
    }
  }
  if (!dispute.fraud && dispute.open === 0 && dispute.failed && dispute.graceEnd !== 0n && now >= dispute.graceEnd) {
    moves.push({ kind: "settle", jobId: view.jobId });
  }
  // Fraud is established: moot the younger challenges and settle once none is open, so
  // the slash does not wait on challengers who have no reason to move any more.
  moves.push(...settlementMoves(view.jobId, dispute, view.challenges));
  return moves;
}

// ------------------------------------------------------------------ challenger

/** What the challenger proves from: the model and its own (honest) trace of the job. */
export interface ChallengerData {
  readonly compiled: CompiledModel;
  readonly honest: HonestTraceData;
  /** Float32 models: the element the float checker found outside its bound in `honest`, which is then the provider's own trace as it served it (docs/PROTOCOL.md §11.3). */
  readonly target?: { readonly nodeIndex: number; readonly outIndex: number };
}

export interface ChallengerView {
  /** Latest block timestamp. */
  readonly now: bigint;
  readonly challenge: ChallengeState;
  /** The provider's posted roots (RootsPosted), once posted. */
  readonly roots?: readonly Hex[];
  /** The disputed node's words (WholeRevealed), after a whole reveal. */
  readonly words?: readonly Hex[];
  /** The children revealed at the current anchor (ChildrenRevealed), in AwaitChoice. */
  readonly children?: readonly Hex[];
}

/**
 * The challenger's next move in its own challenge, or undefined when it has
 * none now (not its turn, its deadline passed, or its strategy stays silent).
 * Claims the timeout when the provider missed a deadline.
 */
export function challengerMove(
  view: ChallengerView,
  data: ChallengerData,
  strategy: ChallengerStrategy = honestStrategy,
): Move | undefined {
  const { now, challenge: c } = view;
  if (!isOpen(c.phase)) return undefined;
  if (isProviderTurn(c.phase)) return now > c.deadline ? { kind: "timeout", id: c.id } : undefined;
  if (now >= c.deadline) return undefined;
  const { compiled, honest } = data;
  switch (c.phase) {
    case Phase.AwaitNode: {
      if (view.roots === undefined) return undefined;
      const divergent =
        data.target === undefined ? firstDivergentNode(view.roots, honest.nodeRoots) : floatNode(view.roots, data);
      const nodeIndex = strategy.selectNode({ divergent, nodeCount: compiled.nodes.length });
      if (nodeIndex === undefined) return undefined;
      const node = compiled.nodes[nodeIndex];
      if (node === undefined)
        throw new RangeError(`the strategy chose node ${nodeIndex}; the model has ${compiled.nodes.length}`);
      if (data.target !== undefined && data.target.nodeIndex === nodeIndex) {
        // The challenger holds the provider's data of the node (its served trace, which the
        // posted roots match): it opens the target's word itself, with no reveal round.
        const tree = honest.commitment(nodeIndex).tree;
        const wordIndex = wordOfElement(node.output, data.target.outIndex);
        return {
          kind: "selectElement",
          id: c.id,
          nodeIndex,
          node,
          descriptorProof: compiled.graph.proof(nodeIndex),
          nodeRoots: view.roots,
          opening: {
            dataRoot: tree.root,
            wordIndex,
            word: tree.leaf(wordIndex),
            proof: tree.rangeProof(wordIndex, wordIndex),
          },
        };
      }
      return {
        kind: "selectNode",
        id: c.id,
        nodeIndex,
        node,
        descriptorProof: compiled.graph.proof(nodeIndex),
        nodeRoots: view.roots,
      };
    }
    case Phase.AwaitChoice: {
      if (view.children === undefined) return undefined;
      const tree = honest.commitment(c.nodeIndex).tree;
      const divergent =
        data.target === undefined
          ? divergentChild(view.children, tree, c.anchorLevel, c.anchorIndex)
          : targetChild(view.children, tree, c, data.target, compiled);
      const index = strategy.chooseChild({ divergent, count: view.children.length });
      if (index === undefined) return undefined;
      return { kind: "chooseChild", id: c.id, children: view.children, index };
    }
    case Phase.AwaitProof: {
      if (view.roots === undefined) return undefined;
      const opening = openingOf(c, view.words);
      if (opening === undefined) return undefined;
      const spec = compiled.nodes[c.nodeIndex]?.output;
      // The chain accepted the node's selection, so it is a node of the model.
      if (spec === undefined) throw new RangeError(`challenge ${c.id} disputes node ${c.nodeIndex}, not in the model`);
      const { first, last, firstWord, words } = openedElements(spec, opening);
      const divergent =
        data.target === undefined
          ? divergentElement(spec, words, firstWord, honest.commitment(c.nodeIndex))
          : targetElement(c.nodeIndex, first, last, data.target);
      const outIndex = strategy.selectElement({ divergent, first, last });
      if (outIndex === undefined) return undefined;
      const build = data.target === undefined ? buildStepProof : buildFloatStepProofArgs;
      let proof = build({
        compiled,
        honest,
        nodeIndex: c.nodeIndex,
        outIndex,
        providerRoots: view.roots,
        opening,
      });
      if (strategy.alterProof) proof = strategy.alterProof(proof, { compiled, honest, nodeIndex: c.nodeIndex });
      return { kind: "proveStep", id: c.id, proof };
    }
    default:
      return undefined;
  }
}

// ------------------------------------------------------------------ float32 targets

/**
 * The node to dispute in a float32 job: the checker's target, provided the posted roots are
 * the trace it checked (the provider's own, as served). Other roots leave nothing to prove
 * from that trace: undefined (the challenger stays silent rather than send a proof that fails).
 */
function floatNode(roots: readonly Hex[], data: ChallengerData): number | undefined {
  const target = data.target;
  return target !== undefined && sameRoots(roots, data.honest.nodeRoots) ? target.nodeIndex : undefined;
}

/** The revealed child whose subtree holds the target element's word, when the children are the checked trace's. */
function targetChild(
  children: readonly Hex[],
  tree: MerkleTree,
  c: ChallengeState,
  target: NonNullable<ChallengerData["target"]>,
  compiled: CompiledModel,
): number | undefined {
  const spec = compiled.nodes[c.nodeIndex]?.output;
  if (spec === undefined || target.nodeIndex !== c.nodeIndex) return undefined;
  if (divergentChild(children, tree, c.anchorLevel, c.anchorIndex) !== undefined) return undefined;
  const step = Math.min(LOG_K, c.anchorLevel);
  const child = (wordOfElement(spec, target.outIndex) >> (c.anchorLevel - step)) - (c.anchorIndex << step);
  return child >= 0 && child < children.length ? child : undefined;
}

/** The target element when the opening covers it. */
function targetElement(
  nodeIndex: number,
  first: number,
  last: number,
  target: NonNullable<ChallengerData["target"]>,
): number | undefined {
  return target.nodeIndex === nodeIndex && target.outIndex >= first && target.outIndex <= last
    ? target.outIndex
    : undefined;
}

/**
 * The opening of the disputed node's element: a word when the anchor is at level 0 (the word
 * the descent ended on, the one the challenger opened with `selectElement`, or a one-word
 * output revealed whole, whose data root is its word), else the provider's whole reveal.
 */
export function openingOf(c: ChallengeState, words: readonly Hex[] | undefined): ProviderOpening | undefined {
  if (c.anchorLevel === 0) return { kind: "leaf", wordIndex: c.anchorIndex, word: c.anchorHash };
  if (c.wordCount <= WHOLE_REVEAL_MAX_WORDS) return words === undefined ? undefined : { kind: "whole", words };
  return { kind: "leaf", wordIndex: c.anchorIndex, word: c.anchorHash };
}

/** The row-major element range an opening covers (node outputs are row-major). */
export function openedElements(
  spec: TensorSpec,
  opening: ProviderOpening,
): { first: number; last: number; firstWord: number; words: readonly Hex[] } {
  const perWord = 32 / dtypeInfo(spec.dtype).width;
  const n = elementCount(spec.shape);
  if (opening.kind === "whole") return { first: 0, last: n - 1, firstWord: 0, words: opening.words };
  const first = opening.wordIndex * perWord;
  return { first, last: Math.min(n, first + perWord) - 1, firstWord: opening.wordIndex, words: [opening.word] };
}
