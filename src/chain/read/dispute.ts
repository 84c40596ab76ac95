/** Reads of the DisputeGame's state: one challenge, a job's dispute, the bounty share. */
import type { Address, Client, ContractFunctionReturnType } from "viem";
import { readContract } from "viem/actions";
import { disputeGameAbi } from "../abis.ts";
import { isEnumValue, Outcome, Phase, Reason } from "../enums.ts";
import { blockParameter, type AtBlock } from "./block.ts";

type ChallengeOf = ContractFunctionReturnType<typeof disputeGameAbi, "view", "challengeOf">;

/** A challenge (IDisputeGame.Challenge) with its enums typed, its id, and the deadline of its current move. */
export type Challenge = Omit<ChallengeOf, "phase" | "outcome" | "reason" | "deadline"> & {
  readonly id: bigint;
  /** The phase now, as the contract resolves it: AwaitRoots already reads AwaitNode once the job's roots are posted. */
  readonly phase: Phase;
  readonly outcome: Outcome;
  readonly reason: Reason;
  /** Deadline of the current move (`deadlineOf`, which also covers the roots phases). */
  readonly deadline: bigint;
};

/**
 * A job's dispute (IDisputeGame.Dispute). `challenges` is append-only: every challenge
 * revealed on the job, in reveal order, resolved ones included — filter by phase, or use
 * `open`, for the ones still playing. `winner` is the lowest won id (0 = none yet),
 * `firstRevealed` the lowest revealed id (the winner on a roots failure), `pot` the lost
 * bonds held for the job.
 */
export type Dispute = ContractFunctionReturnType<typeof disputeGameAbi, "view", "disputeOf">;

interface GameParameters extends AtBlock {
  /** The DisputeGame. */
  readonly address: Address;
}

export async function readChallenge(client: Client, p: GameParameters & { readonly id: bigint }): Promise<Challenge> {
  const at = blockParameter(p);
  const [raw, deadline] = await Promise.all([
    readContract(client, { address: p.address, abi: disputeGameAbi, functionName: "challengeOf", args: [p.id], ...at }),
    readContract(client, { address: p.address, abi: disputeGameAbi, functionName: "deadlineOf", args: [p.id], ...at }),
  ]);
  return {
    ...raw,
    id: p.id,
    phase: member(Phase, "Phase", raw.phase),
    outcome: member(Outcome, "Outcome", raw.outcome),
    reason: member(Reason, "Reason", raw.reason),
    deadline,
  };
}

export function readDispute(client: Client, p: GameParameters & { readonly jobId: bigint }): Promise<Dispute> {
  return readContract(client, {
    address: p.address,
    abi: disputeGameAbi,
    functionName: "disputeOf",
    args: [p.jobId],
    ...blockParameter(p),
  });
}

/** The winner's bounty, in basis points of the slashed collateral. */
export function readBountyBps(client: Client, p: GameParameters): Promise<bigint> {
  return readContract(client, {
    address: p.address,
    abi: disputeGameAbi,
    functionName: "BOUNTY_BPS",
    ...blockParameter(p),
  });
}

/** What `account` can withdraw from the DisputeGame (`claimable`): every payout of a dispute is credited there. */
export function readClaimable(client: Client, p: GameParameters & { readonly account: Address }): Promise<bigint> {
  return readContract(client, {
    address: p.address,
    abi: disputeGameAbi,
    functionName: "claimable",
    args: [p.account],
    ...blockParameter(p),
  });
}

/** Blocks after its commit within which a commitment must be revealed (after them it can be forfeited). */
export function readRevealWindow(client: Client, p: GameParameters): Promise<bigint> {
  return readContract(client, {
    address: p.address,
    abi: disputeGameAbi,
    functionName: "revealWindow",
    ...blockParameter(p),
  });
}

/** An enum value read from the chain, checked: one past the enum means the contracts and src/chain/enums.ts disagree. */
function member<const E extends Readonly<Record<string, number>>>(e: E, name: string, value: number): E[keyof E] {
  if (!isEnumValue(e, value)) throw new RangeError(`the DisputeGame returned ${name} ${value}, which ${name} lacks`);
  return value;
}
