/**
 * The pure solver (src/dispute/solver.ts) on hand-made states: which move each
 * side plays, and when it plays none. No chain involved.
 */
import assert from "node:assert/strict";
import { before, test } from "node:test";
import type { Hex } from "viem";
import { challengerMove, providerMoves, type ProviderView } from "../../src/dispute/solver.ts";
import { Outcome, Phase, Reason, type ChallengeState, type DisputeState } from "../../src/dispute/state.ts";
import { wideInput, wideModel } from "../harness/wideModel.ts";
import type { CompiledModel } from "../../src/onnx/compile.ts";
import { childrenOf } from "../../src/proof/dispute.ts";
import { flippedElementAt, honestCommitment, type Commitment } from "../../src/dispute/faults.ts";
import { at } from "../../src/tensor/at.ts";
import { elementFromWords } from "../../src/tensor/commitment.ts";
import { traceModel, type Trace } from "../../src/trace/trace.ts";
import { Rng } from "../../src/vectors/rng.ts";

const ZERO = `0x${"00".repeat(32)}` as Hex;

let compiled: CompiledModel;
let trace: Trace;
let honest: Commitment;

before(async () => {
  compiled = wideModel(600);
  trace = await traceModel(compiled, wideInput(compiled, new Rng(1)));
  honest = honestCommitment(trace);
});

function dispute(over: Partial<DisputeState> = {}): DisputeState {
  return {
    rootsDeadline: 1000n,
    rootsPostedAt: 0n,
    fraud: false,
    settled: false,
    failed: false,
    graceEnd: 0n,
    open: 1,
    winner: 0n,
    firstRevealed: 1n,
    rootsHash: `0x${"00".repeat(32)}`,
    pot: 0n,
    challenges: [1n],
    ...over,
  };
}

function challenge(over: Partial<ChallengeState> = {}): ChallengeState {
  return {
    id: 1n,
    challenger: "0x0000000000000000000000000000000000000001",
    commitBlock: 1n,
    phase: Phase.AwaitRoots,
    outcome: Outcome.None,
    reason: Reason.None,
    jobId: 7n,
    bond: 10n,
    revealedAt: 700n,
    deadline: 1000n,
    nodeIndex: 0,
    wordCount: 75,
    byteLength: 2400,
    anchorLevel: 7,
    anchorIndex: 0,
    nodeRoot: ZERO,
    anchorHash: ZERO,
    ...over,
  };
}

function view(now: bigint, c: ChallengeState, d = dispute()): ProviderView {
  return { now, jobId: 7n, dispute: d, challenges: [c] };
}

test("the provider posts its roots once, before the roots deadline, unless it is silent", () => {
  assert.deepEqual(
    providerMoves(view(999n, challenge()), honest).map((m) => m.kind),
    ["postRoots"],
  );
  assert.deepEqual(providerMoves(view(1000n, challenge()), honest), [], "a move at `now` = deadline lands after it");
  assert.deepEqual(providerMoves(view(999n, challenge(), dispute({ rootsPostedAt: 900n })), honest), []);
  assert.deepEqual(providerMoves(view(999n, challenge()), { ...honest, postsRoots: false }), []);
});

test("the provider reveals the disputed node: whole when small, sixteen children when large", () => {
  const whole = providerMoves(
    view(900n, challenge({ phase: Phase.AwaitWhole, nodeIndex: 1, wordCount: 1 }), dispute({ rootsPostedAt: 800n })),
    honest,
  );
  assert.equal(whole.length, 1);
  const [reveal] = whole;
  assert.equal(reveal?.kind, "revealWhole");
  if (reveal?.kind === "revealWhole") assert.deepEqual(reveal.words, [trace.commitment(1).word(0)]);

  const c = challenge({ phase: Phase.AwaitChildren, anchorLevel: 7, anchorIndex: 0 });
  const [kids] = providerMoves(view(900n, c, dispute({ rootsPostedAt: 800n })), honest);
  assert.equal(kids?.kind, "revealChildren");
  if (kids?.kind === "revealChildren") {
    assert.equal(kids.children.length, 16);
    assert.deepEqual(kids.children, childrenOf(trace.commitment(0).tree, 7, 0));
    assert.equal(kids.dataRoot, trace.commitment(0).dataRoot);
  }
  assert.deepEqual(providerMoves(view(900n, c, dispute({ rootsPostedAt: 800n })), { ...honest, reveals: false }), []);
});

test("the provider claims a challenger's missed deadline, and releases the job after the grace period", () => {
  const c = challenge({ phase: Phase.AwaitNode, deadline: 1100n });
  const d = dispute({ rootsPostedAt: 800n });
  assert.deepEqual(providerMoves(view(1100n, c, d), honest), []);
  assert.deepEqual(
    providerMoves(view(1101n, c, d), honest).map((m) => m.kind),
    ["timeout"],
  );
  const released = dispute({ rootsPostedAt: 800n, open: 0, challenges: [], failed: true, graceEnd: 1500n });
  assert.deepEqual(providerMoves({ now: 1499n, jobId: 7n, dispute: released, challenges: [] }, honest), []);
  assert.deepEqual(
    providerMoves({ now: 1500n, jobId: 7n, dispute: released, challenges: [] }, honest).map((m) => m.kind),
    ["settle"],
  );
});

test("the honest challenger disputes the first divergent node, and stays silent on an honest trace", () => {
  const rng = new Rng(3);
  const wrong = flippedElementAt(compiled, trace, 0, rng);
  const c = challenge({ phase: Phase.AwaitNode, deadline: 1100n });
  const move = challengerMove({ now: 1000n, challenge: c, roots: wrong.nodeRoots }, { compiled, honest: trace });
  assert.equal(move?.kind, "selectNode");
  if (move?.kind === "selectNode") {
    assert.equal(move.nodeIndex, 0);
    assert.deepEqual(move.descriptorProof, compiled.graph.proof(0));
  }
  assert.equal(
    challengerMove({ now: 1000n, challenge: c, roots: honest.nodeRoots }, { compiled, honest: trace }),
    undefined,
  );
  assert.equal(
    challengerMove({ now: 1100n, challenge: c, roots: wrong.nodeRoots }, { compiled, honest: trace }),
    undefined,
  );
});

test("the honest challenger descends into the divergent child and proves the divergent element", () => {
  const rng = new Rng(4);
  const wrong = flippedElementAt(compiled, trace, 0, rng);
  const tree = wrong.commitment(0).tree;
  const children = childrenOf(tree, 7, 0);
  const c = challenge({ phase: Phase.AwaitChoice, deadline: 1100n });
  const move = challengerMove({ now: 1000n, challenge: c, children }, { compiled, honest: trace });
  assert.equal(move?.kind, "chooseChild");
  // The wrong element's word sits under the chosen child.
  let w = 0;
  while (wrong.commitment(0).tree.leaf(w) === trace.commitment(0).word(w)) w++;
  if (move?.kind === "chooseChild") assert.equal(move.index, w >> 3);

  const leaf = challenge({
    phase: Phase.AwaitProof,
    deadline: 1100n,
    anchorLevel: 0,
    anchorIndex: w,
    anchorHash: tree.leaf(w),
  });
  const proof = challengerMove({ now: 1000n, challenge: leaf, roots: wrong.nodeRoots }, { compiled, honest: trace });
  assert.equal(proof?.kind, "proveStep");
  if (proof?.kind === "proveStep") {
    assert.equal(Math.floor(proof.proof.outIndex / 8), w, "an element of the opened word");
    const claimed = elementFromWords(at(compiled.nodes, 0).output, w, [tree.leaf(w)], proof.proof.outIndex);
    assert.notEqual(claimed, at(trace.nodeOutputs, 0).at(proof.proof.outIndex), "the element proven is wrong");
    assert.equal(proof.proof.outWord, tree.leaf(w));
    assert.deepEqual(proof.proof.outProof, []);
  }
});

test("the challenger claims the provider's missed deadline", () => {
  const c = challenge({ phase: Phase.AwaitWhole, deadline: 1100n, nodeIndex: 1, wordCount: 1 });
  assert.equal(challengerMove({ now: 1100n, challenge: c }, { compiled, honest: trace }), undefined);
  assert.deepEqual(challengerMove({ now: 1101n, challenge: c }, { compiled, honest: trace }), {
    kind: "timeout",
    id: 1n,
  });
});
