import type { Address, Hex } from "viem";
import { Phase, type Outcome, type Reason } from "../chain/enums.ts";

/**
 * The on-chain state of the dispute game as the solver reads it
 * (IDisputeGame.Challenge, IDisputeGame.Dispute), with the enums spelled out
 * (src/chain/enums.ts, re-exported here for the solver's callers).
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

/** One challenge (`challengeOf`), with the deadline of its current move (`deadlineOf`). */
export interface ChallengeState {
  readonly id: bigint;
  readonly challenger: Address;
  readonly commitBlock: bigint;
  /** The phase now: AwaitRoots already reads AwaitNode once the roots are posted. */
  readonly phase: Phase;
  readonly outcome: Outcome;
  readonly reason: Reason;
  readonly jobId: bigint;
  readonly bond: bigint;
  readonly revealedAt: bigint;
  /** Deadline of the current move (`deadlineOf`, which also covers the roots phases). */
  readonly deadline: bigint;
  readonly nodeIndex: number;
  readonly wordCount: number;
  readonly byteLength: number;
  readonly anchorLevel: number;
  readonly anchorIndex: number;
  readonly nodeRoot: Hex;
  readonly anchorHash: Hex;
}

/** A job's dispute (`disputeOf`). */
export interface DisputeState {
  readonly rootsDeadline: bigint;
  readonly rootsPostedAt: bigint;
  readonly fraud: boolean;
  readonly settled: boolean;
  readonly failed: boolean;
  readonly graceEnd: bigint;
  readonly open: number;
  readonly winner: bigint;
  /** The open challenges, unordered. */
  readonly challenges: readonly bigint[];
}

/** What `challengeOf` returns, as viem decodes the tuple. */
export interface RawChallenge {
  readonly challenger: Address;
  readonly commitBlock: bigint;
  readonly phase: number;
  readonly outcome: number;
  readonly reason: number;
  readonly jobId: bigint;
  readonly bond: bigint;
  readonly revealedAt: bigint;
  readonly nodeIndex: number;
  readonly wordCount: number;
  readonly byteLength: number;
  readonly anchorLevel: number;
  readonly anchorIndex: number;
  readonly nodeRoot: Hex;
  readonly anchorHash: Hex;
}

export function challengeState(id: bigint, raw: RawChallenge, deadline: bigint): ChallengeState {
  return {
    id,
    challenger: raw.challenger,
    commitBlock: raw.commitBlock,
    phase: raw.phase as Phase,
    outcome: raw.outcome as Outcome,
    reason: raw.reason as Reason,
    jobId: raw.jobId,
    bond: raw.bond,
    revealedAt: raw.revealedAt,
    deadline,
    nodeIndex: raw.nodeIndex,
    wordCount: raw.wordCount,
    byteLength: raw.byteLength,
    anchorLevel: raw.anchorLevel,
    anchorIndex: raw.anchorIndex,
    nodeRoot: raw.nodeRoot,
    anchorHash: raw.anchorHash,
  };
}
