/**
 * The protocol's Solidity enums and custom errors, as TypeScript — the one place
 * they are spelled out. Everything else imports them from here.
 *
 * An enum reaches the ABI only as `uint8`, so its member names come from the Solidity
 * sources: each enum is written once below, value by value in declaration order, and
 * test/chain/enums.test.ts parses `enum Name { … }` from contracts/**\/*.sol and fails
 * when a name, the order or the set of enums differs. The error names, on the other
 * hand, are in the ABIs: {@link ProtocolErrorName} is derived from src/chain/abis.ts
 * (viem's `ContractErrorName`, i.e. abitype's `ExtractAbiErrorNames`), so it follows
 * `npm run abis` on its own.
 */
import type { Abi, ContractErrorName } from "viem";
import {
  disputeGameAbi,
  jobManagerAbi,
  modelRegistryAbi,
  oneStepVerifierAbi,
  stakeManagerAbi,
  tokenAbi,
} from "./abis.ts";

/** IDisputeGame.Phase: where a challenge stands. */
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
export type PhaseName = keyof typeof Phase;

/** IDisputeGame.Outcome: how a challenge ended. */
export const Outcome = { None: 0, Won: 1, Lost: 2, Moot: 3, Forfeited: 4, Reclaimed: 5 } as const;
export type Outcome = (typeof Outcome)[keyof typeof Outcome];
export type OutcomeName = keyof typeof Outcome;

/** IDisputeGame.Reason: why a challenge ended. */
export const Reason = {
  None: 0,
  FraudProven: 1,
  ProviderTimeout: 2,
  ChallengerTimeout: 3,
  ElementMatches: 4,
  Superseded: 5,
  NonCanonical: 6,
  Unrevealed: 7,
  Unrevealable: 8,
  WithinBound: 9,
} as const;
export type Reason = (typeof Reason)[keyof typeof Reason];
export type ReasonName = keyof typeof Reason;

/** IDisputeGame.CreditReason: why an amount was credited to `claimable(account)` (docs/PROTOCOL.md §9.5). */
export const CreditReason = {
  BondRefund: 0,
  MootRefund: 1,
  ReclaimedBond: 2,
  Bounty: 3,
  LostBonds: 4,
  RequesterShare: 5,
  FeeRefund: 6,
  TreasuryShare: 7,
  ForfeitedBond: 8,
} as const;
export type CreditReason = (typeof CreditReason)[keyof typeof CreditReason];
export type CreditReasonName = keyof typeof CreditReason;

/** IJobManager.SkipReason: why commitBatch left a job out (`CommitSkipped`). */
export const SkipReason = { UnknownJob: 0, AlreadyCommitted: 1, Expired: 2, DeadlinePassed: 3 } as const;
export type SkipReason = (typeof SkipReason)[keyof typeof SkipReason];
export type SkipReasonName = keyof typeof SkipReason;

/** JobStatus (libraries/Types.sol): where a job is in its life (docs/PROTOCOL.md §7). */
export const JobStatus = { None: 0, Requested: 1, Committed: 2, Finalized: 3, Slashed: 4, Expired: 5 } as const;
export type JobStatus = (typeof JobStatus)[keyof typeof JobStatus];
export type JobStatusName = keyof typeof JobStatus;

/** IModelRegistry.TensorRole: which tensor of a model spec an error is about. */
export const TensorRole = { Input: 0, Output: 1 } as const;
export type TensorRole = (typeof TensorRole)[keyof typeof TensorRole];
export type TensorRoleName = keyof typeof TensorRole;

/**
 * Every protocol enum by its Solidity name, as the ABI's `internalType` spells it
 * (`enum IDisputeGame.Reason` → `IDisputeGame.Reason`; a file-level enum has no prefix).
 * Enums of contracts/examples and contracts/test are not the protocol's.
 */
export const SOLIDITY_ENUMS = {
  "IDisputeGame.Phase": Phase,
  "IDisputeGame.Outcome": Outcome,
  "IDisputeGame.Reason": Reason,
  "IDisputeGame.CreditReason": CreditReason,
  "IJobManager.SkipReason": SkipReason,
  "IModelRegistry.TensorRole": TensorRole,
  JobStatus,
} as const;

/** An enum's member names indexed by value. */
function namesOf<const E extends Readonly<Record<string, number>>>(e: E): readonly (keyof E & string)[] {
  const names: string[] = [];
  for (const [name, value] of Object.entries(e)) names[value] = name;
  return Object.freeze(names) as readonly (keyof E & string)[];
}

/** Whether `value` (an enum as the ABI carries it, a uint8) is a member of the enum `e`. */
export function isEnumValue<const E extends Readonly<Record<string, number>>>(
  e: E,
  value: number,
): value is E[keyof E] {
  return Object.values(e).includes(value);
}

/** Member names by value: `PHASE_NAMES[phase]` (undefined past the last). */
export const PHASE_NAMES = namesOf(Phase);
export const OUTCOME_NAMES = namesOf(Outcome);
export const REASON_NAMES = namesOf(Reason);
export const JOB_STATUS_NAMES = namesOf(JobStatus);
export const TENSOR_ROLE_NAMES = namesOf(TensorRole);
export const CREDIT_REASON_NAMES = namesOf(CreditReason);
export const SKIP_REASON_NAMES = namesOf(SkipReason);

/** A phase's name, or `Phase(n)` for a value the enum lacks. */
export function phaseName(phase: number): string {
  return PHASE_NAMES[phase] ?? `Phase(${phase})`;
}

/** An outcome's name, or the number for a value the enum lacks. */
export function outcomeName(outcome: number): string {
  return OUTCOME_NAMES[outcome] ?? String(outcome);
}

/** A reason's name, or `Reason(n)` for a value the enum lacks. */
export function reasonName(reason: number): string {
  return REASON_NAMES[reason] ?? `Reason(${reason})`;
}

/** A credit reason's name, or `CreditReason(n)` for a value the enum lacks. */
export function creditReasonName(reason: number): string {
  return CREDIT_REASON_NAMES[reason] ?? `CreditReason(${reason})`;
}

/** A skip reason's name, or `SkipReason(n)` for a value the enum lacks. */
export function skipReasonName(reason: number): string {
  return SKIP_REASON_NAMES[reason] ?? `SkipReason(${reason})`;
}

/** The ABIs of src/chain/abis.ts, by contract. */
export const PROTOCOL_ABIS = {
  token: tokenAbi,
  stakeManager: stakeManagerAbi,
  modelRegistry: modelRegistryAbi,
  jobManager: jobManagerAbi,
  disputeGame: disputeGameAbi,
  oneStepVerifier: oneStepVerifierAbi,
} as const;

/** The name of any custom error of the protocol's contracts, from their ABIs. */
export type ProtocolErrorName = ContractErrorName<(typeof PROTOCOL_ABIS)[keyof typeof PROTOCOL_ABIS]>;

/** Every custom error name of {@link PROTOCOL_ABIS}. */
export const PROTOCOL_ERROR_NAMES: ReadonlySet<ProtocolErrorName> = new Set(
  (Object.values(PROTOCOL_ABIS) as readonly Abi[]).flatMap((abi) =>
    abi.flatMap((item) => (item.type === "error" ? [item.name as ProtocolErrorName] : [])),
  ),
);

/** Whether `name` (e.g. a decoded revert's `errorName`) is one of the protocol's custom errors. */
export function isProtocolErrorName(name: string | undefined): name is ProtocolErrorName {
  return name !== undefined && PROTOCOL_ERROR_NAMES.has(name as ProtocolErrorName);
}
