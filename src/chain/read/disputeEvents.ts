/**
 * The DisputeGame's events read over a range: all of them (the watcher's bond and
 * bounty accounting), the reveals of challenges, and settlements. Read `strict`, as
 * in jobEvents.ts, so `args` is complete.
 */
import type { Address, Client, GetContractEventsReturnType } from "viem";
import { getContractEvents } from "viem/actions";
import { disputeGameAbi } from "../abis.ts";
import { blockRange, type BlockRange } from "./range.ts";

export type DisputeGameLog = GetContractEventsReturnType<typeof disputeGameAbi, undefined, true>[number];
export type ChallengeRevealedLog = GetContractEventsReturnType<
  typeof disputeGameAbi,
  "ChallengeRevealed",
  true
>[number];
export type DisputeSettledLog = GetContractEventsReturnType<typeof disputeGameAbi, "DisputeSettled", true>[number];

interface GameEventParameters extends BlockRange {
  /** The DisputeGame. */
  readonly address: Address;
}

/** Every DisputeGame event in the range, in chain order, told apart by `eventName`. */
export async function getDisputeGameLogs(client: Client, p: GameEventParameters): Promise<DisputeGameLog[]> {
  const logs = await getContractEvents(client, {
    address: p.address,
    abi: disputeGameAbi,
    strict: true,
    ...blockRange(p),
  });
  return logs;
}

/** Every challenge revealed in the range (naming its job). */
export async function getChallengeRevealedLogs(
  client: Client,
  p: GameEventParameters,
): Promise<ChallengeRevealedLog[]> {
  const logs = await getContractEvents(client, {
    address: p.address,
    abi: disputeGameAbi,
    eventName: "ChallengeRevealed",
    strict: true,
    ...blockRange(p),
  });
  return logs;
}

/** Every dispute settled in the range. */
export async function getDisputeSettledLogs(client: Client, p: GameEventParameters): Promise<DisputeSettledLog[]> {
  const logs = await getContractEvents(client, {
    address: p.address,
    abi: disputeGameAbi,
    eventName: "DisputeSettled",
    strict: true,
    ...blockRange(p),
  });
  return logs;
}
