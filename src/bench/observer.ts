/**
 * Wall-clock observation of a chain, for latencies: a poller asks the node's head
 * every `intervalMs` (eth_blockNumber, no cache) and, for every block it has not
 * seen, records the wall-clock time at which the head answer that first covered it
 * arrived (`seenAtMs`), the block's timestamp, and the protocol's events in it
 * (eth_getLogs on the JobManager and the DisputeGame). A transaction's inclusion
 * time is the `seenAtMs` of its block: an upper bound on the moment its receipt
 * became available, late by at most one interval plus one RPC round trip.
 */
import { parseEventLogs, type Abi, type Address, type Hash, type PublicClient } from "viem";

export interface ObservedBlock {
  readonly number: bigint;
  /** Chain time, seconds. */
  readonly timestamp: bigint;
  /** Date.now() when the block was first seen. */
  readonly seenAtMs: number;
}

export interface ObservedEvent {
  readonly eventName: string;
  readonly args: Readonly<Record<string, unknown>>;
  readonly address: Address;
  readonly blockNumber: bigint;
  readonly transactionHash: Hash;
  readonly logIndex: number;
  readonly seenAtMs: number;
}

export class ChainObserver {
  readonly blocks = new Map<bigint, ObservedBlock>();
  readonly events: ObservedEvent[] = [];
  /** Polls that failed (RPC errors); the poller goes on. */
  errors = 0;
  private next: bigint;
  private running = false;
  private loop?: Promise<void>;

  constructor(
    private readonly client: PublicClient,
    private readonly addresses: readonly Address[],
    private readonly abi: Abi,
    fromBlock: bigint,
    private readonly intervalMs = 20,
  ) {
    this.next = fromBlock;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  /** Events of a name, in chain order. */
  named(eventName: string): ObservedEvent[] {
    return this.events.filter((e) => e.eventName === eventName);
  }

  /** The first block whose timestamp is at least `t` (chain seconds), if seen. */
  firstBlockAtOrAfter(t: bigint): ObservedBlock | undefined {
    let best: ObservedBlock | undefined;
    for (const b of this.blocks.values()) {
      if (b.timestamp >= t && (best === undefined || b.number < best.number)) best = b;
    }
    return best;
  }

  private async run(): Promise<void> {
    while (this.running) {
      try {
        await this.poll();
      } catch {
        this.errors++;
      }
      await new Promise((r) => setTimeout(r, this.intervalMs));
    }
    // One last look, so that a block mined just before stop is not lost.
    try {
      await this.poll();
    } catch {
      this.errors++;
    }
  }

  private async poll(): Promise<void> {
    const head = await this.client.getBlockNumber({ cacheTime: 0 });
    const seenAtMs = Date.now();
    if (head < this.next) return;
    const from = this.next;
    for (let n = from; n <= head; n++) {
      if (this.blocks.has(n)) continue;
      const block = await this.client.getBlock({ blockNumber: n });
      this.blocks.set(n, { number: n, timestamp: block.timestamp, seenAtMs });
    }
    const logs = await this.client.getLogs({ address: [...this.addresses], fromBlock: from, toBlock: head });
    for (const log of parseEventLogs({ abi: this.abi, logs, strict: false })) {
      if (log.blockNumber === null || log.transactionHash === null || log.logIndex === null) continue;
      this.events.push({
        eventName: log.eventName,
        args: byName(log.args),
        address: log.address,
        blockNumber: log.blockNumber,
        transactionHash: log.transactionHash,
        logIndex: log.logIndex,
        seenAtMs: this.blocks.get(log.blockNumber)?.seenAtMs ?? seenAtMs,
      });
    }
    this.next = head + 1n;
  }
}

/** An event's arguments by name. The protocol names every event argument; an unnamed one would be kept by position. */
function byName(args: readonly unknown[] | Readonly<Record<string, unknown>>): Readonly<Record<string, unknown>> {
  return isPositional(args) ? Object.fromEntries(args.entries()) : args;
}

function isPositional(args: readonly unknown[] | Readonly<Record<string, unknown>>): args is readonly unknown[] {
  return Array.isArray(args);
}
