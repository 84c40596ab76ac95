/**
 * What the responder's steps need from the world, as small interfaces: the chain
 * (read at one head's hash, plus the provider's reveals from events), the watcher's
 * database, the journaled transaction sender, the model files on disk, a clock,
 * logs and metrics. The daemon passes the real ones (chain.ts adapts the chain);
 * the tests pass in-memory fakes.
 */
import type { Address, Hex, Log } from "viem";
import type { ProtocolAddresses } from "../../src/client/contracts.ts";
import type { ContractCall } from "../../src/client/send.ts";
import type { ChallengeState, DisputeState } from "../../src/dispute/state.ts";
import type { Clock } from "../../src/service/clock.ts";
import type { SubmitOptions, TxRecord } from "../../src/service/txSender.ts";
import type { ChallengeRow, ChallengeState as RowState, WatchedJob } from "../store.ts";
import type { WatcherMetric } from "../metrics.ts";

/** A job as the chain holds it: what decides whether a commit is still worth sending. */
export interface ChainJob {
  readonly commitmentHash: Hex;
  readonly windowEnd: bigint;
  readonly frozen: boolean;
}

/** A challenge with its phase and current deadline, and the commitment it was opened with. */
export type ChainChallenge = ChallengeState & { readonly commitment: Hex };

/**
 * A job's dispute, as far as settling it goes: settlement needs fraud and no open
 * challenge, and the open ones younger than the winner can be mooted.
 */
export type ChainDispute = Pick<DisputeState, "fraud" | "settled" | "open" | "winner" | "challenges">;

/** The protocol's state, read at one block hash, and the provider's reveals, from events since `fromBlock`. */
export interface ChallengeChain {
  /** Where the contracts the calls go to live. */
  readonly addresses: ProtocolAddresses;
  job(jobId: bigint, at: Hex): Promise<ChainJob>;
  challenge(id: bigint, at: Hex): Promise<ChainChallenge>;
  dispute(jobId: bigint, at: Hex): Promise<ChainDispute>;
  /** Blocks after its commit within which a challenge must be revealed (an immutable of the game). */
  revealWindow(): Promise<bigint>;
  /** The keccak256 of the model file a registration binds. */
  modelFileHash(modelId: Hex, at: Hex): Promise<Hex>;
  /** The node roots the provider posted for a job (RootsPosted, once per job), if any. */
  postedRoots(jobId: bigint, fromBlock: bigint): Promise<readonly Hex[] | undefined>;
  /** The words of the provider's whole reveal in a challenge (WholeRevealed, once per challenge), if any. */
  wholeReveal(id: bigint, fromBlock: bigint): Promise<readonly Hex[] | undefined>;
  /** The children the provider revealed at one anchor of a challenge (ChildrenRevealed, once per anchor), if any. */
  revealedChildren(id: bigint, level: number, index: number, fromBlock: bigint): Promise<readonly Hex[] | undefined>;
}

/** The fields of a challenge row a step may change. */
export interface ChallengeUpdate {
  readonly challengeId?: bigint;
  readonly state?: RowState;
  readonly outcome?: string;
  readonly reason?: string;
  readonly attempt?: number;
}

/**
 * A job's packed input and node outputs, as the verifier stored them: its own re-execution
 * (integer models), or the provider's served trace with the element outside its bound
 * (float32 models).
 */
export interface StoredTrace {
  readonly input: Uint8Array;
  readonly nodes: readonly Uint8Array[];
  readonly target?: { readonly nodeIndex: number; readonly outIndex: number };
}

/** The watcher's database, as far as challenges go (WatcherStore). */
export interface ChallengeStore {
  challengeOfJob(jobId: bigint, commitmentHash: Hex): ChallengeRow | undefined;
  addChallenge(c: { jobId: bigint; commitmentHash: Hex; modelId: Hex; salt: Hex; commitment: Hex }): ChallengeRow;
  activeChallenges(): readonly ChallengeRow[];
  updateChallenge(id: number, fields: ChallengeUpdate): void;
  job(jobId: bigint, commitmentHash: Hex): Pick<WatchedJob, "windowEnd" | "blockNumber"> | undefined;
  trace(j: { jobId: bigint; commitmentHash: Hex }): StoredTrace | undefined;
}

/** What the journal knows of a transaction. */
export type JournaledTx = Pick<TxRecord, "status" | "outcome">;

/** The journaled transaction sender (TxSender): each key is sent at most once. */
export interface ChallengeSender {
  readonly address: Address;
  get(key: string): JournaledTx | undefined;
  /** Simulates then sends; a refused simulation throws CallRevertedError and journals nothing. */
  submit(key: string, label: string, call: ContractCall, options?: SubmitOptions): Promise<unknown>;
  receiptOf(key: string): Promise<{ readonly logs: readonly Log[] } | undefined>;
}

/** The model files on disk, found by content (ModelFiles). */
export interface ModelFileIndex {
  find(fileHash: Hex): string | undefined;
}

/** Structured logs (pino's shape: fields first, then the message). */
export interface ChallengeLog {
  info(fields: object, msg: string): void;
  warn(fields: object, msg: string): void;
  error(fields: object, msg: string): void;
}

/** The counters the responder moves. */
export type ChallengeMetric = Extract<
  WatcherMetric,
  "challenges" | "disputes_won" | "disputes_lost" | "float_roots_differ"
>;

export interface ChallengeMetrics {
  inc(name: ChallengeMetric): void;
}

/** Everything the responder is built from. */
export interface ResponderPorts {
  readonly chain: ChallengeChain;
  readonly store: ChallengeStore;
  readonly tx: ChallengeSender;
  readonly files: ModelFileIndex;
  /** Wall-clock time, for the pause before a refused move is tried again. */
  readonly clock: Clock;
  readonly log: ChallengeLog;
  readonly metrics: ChallengeMetrics;
}
