import type { Challenge, Dispute } from "../chain/read/dispute.ts";
import { Phase } from "../chain/enums.ts";

/**
 * The on-chain state of the dispute game as the solver reads it
 * (IDisputeGame.Challenge, IDisputeGame.Dispute, read by src/chain/read/dispute.ts),
 * with the enums spelled out (src/chain/enums.ts, re-exported here for the
 * solver's callers).
 */
export { Outcome, Phase, Reason, phaseName, reasonName } from "../chain/enums.ts";

/** Phases in which the provider must move; the others (from AwaitRoots on) are the challenger's. */
export function isProviderTurn(phase: Phase): boolean {
  return phase === Phase.AwaitRoots || phase === Phase.AwaitWhole || phase === Phase.AwaitChildren;
}

/** Phases of a revealed, unresolved challenge. */
export function isOpen(phase: Phase): boolean {
  return phase >= Phase.AwaitRoots && phase < Phase.Resolved;
}

/**
 * What the solver uses of one challenge (`readChallenge`): its phase now (AwaitRoots
 * already reads AwaitNode once the roots are posted) and the deadline of its current
 * move (`deadlineOf`, which also covers the roots phases).
 */
export type ChallengeState = Pick<
  Challenge,
  | "id"
  | "challenger"
  | "commitBlock"
  | "phase"
  | "outcome"
  | "reason"
  | "jobId"
  | "bond"
  | "revealedAt"
  | "deadline"
  | "nodeIndex"
  | "wordCount"
  | "byteLength"
  | "anchorLevel"
  | "anchorIndex"
  | "nodeRoot"
  | "anchorHash"
>;

/** A job's dispute (`readDispute`); `challenges` are the open ones, unordered. */
export type DisputeState = Dispute;
