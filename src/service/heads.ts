/**
 * The monitor: follows new heads, remembers the last blocks' hashes and notices
 * reorgs. Each daemon tick reads the chain at one head's hash (EIP-1898), so
 * everything it decides on comes from one consistent state; when a reorg
 * replaces blocks it already processed, the consumers rewind their cursors to
 * the common ancestor.
 */
import type { Hex, PublicClient } from "viem";

export interface ChainHead {
  readonly number: bigint;
  readonly hash: Hex;
  readonly parentHash: Hex;
  readonly timestamp: bigint;
}

export interface HeadUpdate {
  readonly head: ChainHead;
  /** Set when blocks we had seen were replaced: the last block both chains share. */
  readonly reorgAncestor?: bigint;
  /** The endpoint answered with a block older than one we have seen (a lagging node). */
  readonly behind: boolean;
}

export class HeadMonitor {
  private readonly hashes = new Map<bigint, Hex>();
  private latest?: ChainHead;
  private seenAt = 0;

  constructor(
    private readonly client: PublicClient,
    private readonly keep = 128,
  ) {}

  get head(): ChainHead | undefined {
    return this.latest;
  }

  /** The chain's time now, estimated from the last head and the wall clock since it was seen. */
  chainTime(): bigint {
    if (this.latest === undefined) return BigInt(Math.floor(Date.now() / 1000));
    return this.latest.timestamp + BigInt(Math.floor((Date.now() - this.seenAt) / 1000));
  }

  async poll(): Promise<HeadUpdate> {
    const block = await this.client.getBlock({ blockTag: "latest" });
    const head = toHead(block);
    const known = this.hashes.get(head.number);
    if (known === head.hash) {
      const behind = this.latest !== undefined && head.number < this.latest.number;
      if (!behind) this.touch(head);
      return { head, behind };
    }
    let reorgAncestor: bigint | undefined;
    const parentKnown = this.hashes.get(head.number - 1n);
    if (known !== undefined || (parentKnown !== undefined && parentKnown !== head.parentHash)) {
      reorgAncestor = await this.commonAncestor(head);
      for (const n of [...this.hashes.keys()]) if (n > reorgAncestor) this.hashes.delete(n);
    }
    this.hashes.set(head.number, head.hash);
    this.hashes.set(head.number - 1n, head.parentHash);
    this.touch(head);
    for (const n of [...this.hashes.keys()]) if (n + BigInt(this.keep) < head.number) this.hashes.delete(n);
    return { head, reorgAncestor, behind: false };
  }

  private touch(head: ChainHead): void {
    if (this.latest?.hash !== head.hash) this.seenAt = Date.now();
    this.latest = head;
  }

  /** Walks back from `head` to the newest block whose hash we remember unchanged. */
  private async commonAncestor(head: ChainHead): Promise<bigint> {
    let n = head.number - 1n;
    let expectParent: Hex = head.parentHash;
    const lowest = [...this.hashes.keys()].reduce((m, k) => (k < m ? k : m), head.number);
    while (n >= lowest) {
      const ours = this.hashes.get(n);
      if (ours === expectParent) return n;
      const b = await this.client.getBlock({ blockNumber: n });
      expectParent = b.parentHash;
      n -= 1n;
    }
    return n < 0n ? 0n : n;
  }
}

function toHead(b: { number: bigint | null; hash: Hex | null; parentHash: Hex; timestamp: bigint }): ChainHead {
  if (b.number === null || b.hash === null) throw new Error("the node returned a pending block as latest");
  return { number: b.number, hash: b.hash, parentHash: b.parentHash, timestamp: b.timestamp };
}
