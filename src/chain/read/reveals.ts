/**
 * What the provider revealed in a dispute, from the DisputeGame's events: a job's
 * node roots (RootsPosted), a challenge's whole reveal (WholeRevealed), the children
 * at one anchor (ChildrenRevealed). Each is emitted at most once per key, and a
 * query takes that one log (the rule of once.ts). Roots and whole reveals never
 * change once on-chain, so a ReadCache keeps them between steps.
 */
import type { Address, Client, Hex } from "viem";
import { getContractEvents } from "viem/actions";
import { disputeGameAbi } from "../abis.ts";
import { Phase } from "../enums.ts";
import type { Challenge } from "./dispute.ts";
import { onlyLog } from "./once.ts";
import { blockRange, type BlockRange } from "./range.ts";

/** Reveals that never change once on-chain, kept between reads. */
export class ReadCache {
  /** Posted node roots, by job. */
  readonly roots = new Map<bigint, readonly Hex[]>();
  /** Whole reveals, by challenge. */
  readonly words = new Map<bigint, readonly Hex[]>();
}

export interface RevealParameters extends BlockRange {
  /** The DisputeGame. */
  readonly address: Address;
  readonly cache?: ReadCache;
}

/** The node roots the provider posted for a job, or undefined before. */
export async function readPostedRoots(
  client: Client,
  p: RevealParameters & { readonly jobId: bigint },
): Promise<readonly Hex[] | undefined> {
  const cached = p.cache?.roots.get(p.jobId);
  if (cached !== undefined) return cached;
  const logs = await getContractEvents(client, {
    address: p.address,
    abi: disputeGameAbi,
    eventName: "RootsPosted",
    args: { jobId: p.jobId },
    strict: true,
    ...blockRange(p),
  });
  const roots = onlyLog(logs, "RootsPosted", `job ${p.jobId}`)?.args.nodeRoots;
  if (roots !== undefined) p.cache?.roots.set(p.jobId, roots);
  return roots;
}

/** The words of the whole reveal in a challenge, or undefined before. */
export async function readWholeReveal(
  client: Client,
  p: RevealParameters & { readonly id: bigint },
): Promise<readonly Hex[] | undefined> {
  const cached = p.cache?.words.get(p.id);
  if (cached !== undefined) return cached;
  const logs = await getContractEvents(client, {
    address: p.address,
    abi: disputeGameAbi,
    eventName: "WholeRevealed",
    args: { id: p.id },
    strict: true,
    ...blockRange(p),
  });
  const words = onlyLog(logs, "WholeRevealed", `challenge ${p.id}`)?.args.words;
  if (words !== undefined) p.cache?.words.set(p.id, words);
  return words;
}

/** The children revealed at one anchor (level, index) of a challenge, or undefined before. */
export async function readChildren(
  client: Client,
  p: RevealParameters & { readonly id: bigint; readonly level: number; readonly index: number },
): Promise<readonly Hex[] | undefined> {
  const logs = await getContractEvents(client, {
    address: p.address,
    abi: disputeGameAbi,
    eventName: "ChildrenRevealed",
    args: { id: p.id },
    strict: true,
    ...blockRange(p),
  });
  const atAnchor = logs.filter((l) => l.args.level === p.level && l.args.index === p.index);
  return onlyLog(atAnchor, "ChildrenRevealed", `challenge ${p.id} anchor (${p.level}, ${p.index})`)?.args.children;
}

/** What a challenger needs of the provider's reveals to move (the solver's ChallengerView). */
export interface Revealed {
  /** The posted node roots: in AwaitNode (to pick the node) and AwaitProof (to prove against). */
  readonly roots?: readonly Hex[];
  /** The whole reveal of the disputed node, in AwaitProof. */
  readonly words?: readonly Hex[];
  /** The children at the current anchor, in AwaitChoice. */
  readonly children?: readonly Hex[];
}

/** The reveals a challenge's current phase needs, and only those. */
export async function readRevealed(
  client: Client,
  p: RevealParameters & {
    readonly challenge: Pick<Challenge, "id" | "jobId" | "phase" | "anchorLevel" | "anchorIndex">;
  },
): Promise<Revealed> {
  const { challenge: c, ...q } = p;
  const [roots, words, children] = await Promise.all([
    c.phase === Phase.AwaitNode || c.phase === Phase.AwaitProof
      ? readPostedRoots(client, { ...q, jobId: c.jobId })
      : undefined,
    c.phase === Phase.AwaitProof ? readWholeReveal(client, { ...q, id: c.id }) : undefined,
    c.phase === Phase.AwaitChoice
      ? readChildren(client, { ...q, id: c.id, level: c.anchorLevel, index: c.anchorIndex })
      : undefined,
  ]);
  return { roots, words, children };
}
