/**
 * What the provider revealed so far in a challenge, from the dispute game's
 * events: its posted node roots (from AwaitNode on), its whole reveal of the
 * disputed node (AwaitProof) and the children of the current round (AwaitChoice).
 */
import type { Hex } from "viem";
import { LRUCache } from "lru-cache";
import { Phase } from "../../src/chain/enums.ts";
import type { ChallengeRow } from "../store.ts";
import type { ChainChallenge, ResponderPorts } from "./ports.ts";

export interface ProviderReveals {
  readonly roots?: readonly Hex[];
  readonly words?: readonly Hex[];
  readonly children?: readonly Hex[];
}

export class RevealedData {
  /** The provider's posted node roots, by job: posted once per job, read again only once evicted. */
  private readonly roots = new LRUCache<string, readonly Hex[]>({ max: 256 });

  constructor(private readonly p: Pick<ResponderPorts, "chain">) {}

  /** The reveals the challenge `c` of `row` needs now, from events since `fromBlock` (the job's block). */
  async of(row: ChallengeRow, c: ChainChallenge, fromBlock: bigint): Promise<ProviderReveals> {
    const { chain } = this.p;
    const key = `${row.jobId}`;
    let roots = this.roots.get(key);
    if (roots === undefined && c.phase >= Phase.AwaitNode) {
      roots = await chain.postedRoots(row.jobId, fromBlock);
      if (roots !== undefined) this.roots.set(key, roots);
    }
    let words: readonly Hex[] | undefined;
    let children: readonly Hex[] | undefined;
    if (c.phase === Phase.AwaitProof) words = await chain.wholeReveal(c.id, fromBlock);
    else if (c.phase === Phase.AwaitChoice)
      children = await chain.revealedChildren(c.id, c.anchorLevel, c.anchorIndex, fromBlock);
    return { roots, words, children };
  }
}
