import type { Address, Hex } from "viem";

/**
 * The on-chain state of the dispute game as the solver reads it
 * (IDisputeGame.Challenge, IDisputeGame.Dispute), with the enums spelled out.
 * Numbers mirror the Solidity enums; keep them in the same order.
 */

export const Phase = {
  None: 0,
  Committed: 1,
  AwaitRoots: 2,
  AwaitNode: 3,
  AwaitWhole: 4,
  AwaitChildren: 5,
  AwaitChoice: 6,
  AwaitProof: 7,
  Resolved: 8,
} as const;
export type Phase = (typeof Phase)[keyof typeof Phase];

export const Outcome = { None: 0, Won: 1, Lost: 2, Moot: 3 } as const;
export type Outcome = (typeof Outcome)[keyof typeof Outcome];

export const Reason = {
  None: 0,
  FraudProven: 1,
  InconsistentTrace: 2,
  ProviderTimeout: 3,
  ChallengerTimeout: 4,
  ElementMatches: 5,
  Superseded: 6,
  NonCanonical: 7,
} as const;
export type Reason = (typeof Reason)[keyof typeof Reason];

/** Phases in which the provider must move; the others (from AwaitRoots on) are the challenger's. */
export function isProviderTurn(phase: Phase): boolean {
  return phase === Phase.AwaitRoots || phase === Phase.AwaitWhole || phase === Phase.AwaitChildren;
}

/** Phases of a revealed, unresolved challenge. */
export function isOpen(phase: Phase): boolean {
  return phase >= Phase.AwaitRoots && phase < Phase.Resolved;
}

export function phaseName(phase: Phase): string {
  return Object.entries(Phase).find(([, v]) => v === phase)?.[0] ?? `Phase(${phase})`;
}

export function reasonName(reason: Reason): string {
  return Object.entries(Reason).find(([, v]) => v === reason)?.[0] ?? `Reason(${reason})`;
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
