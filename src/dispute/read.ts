/**
 * Reads of the dispute game's state and events (the I/O half of the solver's
 * inputs). Every read goes to the chain; callers cache what never changes
 * (posted roots, a whole reveal) in a `ReadCache`.
 */
import type { Hex } from "viem";
import { disputeGameAbi } from "../chain/abis.ts";
import type { RefuteClient } from "../client/contracts.ts";
import { challengeState, type ChallengeState, type DisputeState, type RawChallenge } from "./state.ts";

export interface ReadOptions {
  /** First block to search events from (the deployment block; 0 when omitted). */
  readonly fromBlock?: bigint;
  /** Keeps immutable event data (roots per job, whole reveals per challenge) across calls. */
  readonly cache?: ReadCache;
}

/** Event data that never changes once on-chain, kept between steps. */
export class ReadCache {
  readonly roots = new Map<bigint, readonly Hex[]>();
  readonly words = new Map<bigint, readonly Hex[]>();
}

export async function latestTimestamp(client: RefuteClient): Promise<bigint> {
  return (await client.public.getBlock({ blockTag: "latest" })).timestamp;
}

export async function readChallenge(client: RefuteClient, id: bigint): Promise<ChallengeState> {
  const game = { address: client.addresses.disputeGame, abi: disputeGameAbi } as const;
  const [raw, deadline] = await Promise.all([
    client.public.readContract({ ...game, functionName: "challengeOf", args: [id] }),
    client.public.readContract({ ...game, functionName: "deadlineOf", args: [id] }),
  ]);
  return challengeState(id, raw as RawChallenge, deadline);
}

export async function readDispute(client: RefuteClient, jobId: bigint): Promise<DisputeState> {
  const d = await client.public.readContract({
    address: client.addresses.disputeGame,
    abi: disputeGameAbi,
    functionName: "disputeOf",
    args: [jobId],
  });
  return { ...d, challenges: [...d.challenges] };
}

/** The node roots the provider posted for a job (RootsPosted), or undefined before. */
export async function readPostedRoots(
  client: RefuteClient,
  jobId: bigint,
  options: ReadOptions = {},
): Promise<readonly Hex[] | undefined> {
  const cached = options.cache?.roots.get(jobId);
  if (cached) return cached;
  const logs = await client.public.getContractEvents({
    address: client.addresses.disputeGame,
    abi: disputeGameAbi,
    eventName: "RootsPosted",
    args: { jobId },
    fromBlock: options.fromBlock ?? 0n,
  });
  const roots = logs[0]?.args.nodeRoots;
  if (roots) options.cache?.roots.set(jobId, roots);
  return roots;
}

/** The words of a whole reveal in a challenge (WholeRevealed), or undefined before. */
export async function readWholeReveal(
  client: RefuteClient,
  id: bigint,
  options: ReadOptions = {},
): Promise<readonly Hex[] | undefined> {
  const cached = options.cache?.words.get(id);
  if (cached) return cached;
  const logs = await client.public.getContractEvents({
    address: client.addresses.disputeGame,
    abi: disputeGameAbi,
    eventName: "WholeRevealed",
    args: { id },
    fromBlock: options.fromBlock ?? 0n,
  });
  const words = logs[0]?.args.words;
  if (words) options.cache?.words.set(id, words);
  return words;
}

/** The children revealed at one anchor (level, index) of a challenge (ChildrenRevealed), or undefined. */
export async function readChildren(
  client: RefuteClient,
  id: bigint,
  level: number,
  index: number,
  options: ReadOptions = {},
): Promise<readonly Hex[] | undefined> {
  const logs = await client.public.getContractEvents({
    address: client.addresses.disputeGame,
    abi: disputeGameAbi,
    eventName: "ChildrenRevealed",
    args: { id },
    fromBlock: options.fromBlock ?? 0n,
  });
  return logs.findLast((l) => l.args.level === level && l.args.index === index)?.args.children;
}
