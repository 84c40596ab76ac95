/**
 * The event cursor every daemon follows the chain's logs with: a persisted position
 * (the last block whose events were all handled), re-reading `overlap` blocks before
 * it on each poll for reorg safety, reading no further than `confirmations` blocks
 * under the head, and asking for at most `maxRange` blocks per getLogs call (a large
 * gap — a fresh start, a long downtime — is read in several calls, in order, the
 * position saved after each).
 *
 * A range the RPC refuses as too large ("block range too large", "more than 10000
 * results", "Log response size exceeded"…) is halved and asked again; the narrower
 * range is kept for later calls. A single block refused is an error for the caller.
 *
 * Delivery: a log (block hash and log index) is handed to the caller once per
 * process, so overlap re-reads deliver nothing new unless the blocks changed (a
 * reorg gives them new hashes). The memory of what was delivered is not persisted:
 * after a restart the overlap is delivered again, and a handler that throws leaves
 * its range to be delivered again on the next poll — so handlers must stay
 * idempotent (the daemons' inserts are). `rewind` forgets deliveries above the
 * ancestor, whose events are then delivered again even if their blocks survived (and
 * so may be the overlap's just below it: only the last `overlap` blocks are remembered).
 */
import type { Hex } from "viem";
import type { Logger } from "./logger.ts";
import { getMeta, setMeta, type DatabaseSync } from "./sqlite.ts";

/** Where a cursor keeps its position: the last block whose events were all handled. */
export interface CursorStore {
  load(): bigint | undefined;
  save(block: bigint): void;
}

/** A position in the daemon database's `meta` table, as a decimal block number under `key`. */
export function metaCursorStore(db: DatabaseSync, key: string): CursorStore {
  return {
    load: () => {
      const v = getMeta(db, key);
      return v === undefined ? undefined : BigInt(v);
    },
    save: (block) => setMeta(db, key, block.toString()),
  };
}

/** What the cursor needs of a log (viem's logs have it). */
export interface CursorLog {
  readonly blockNumber: bigint | null;
  readonly blockHash: Hex | null;
  readonly logIndex: number | null;
}

export interface EventCursorOptions<L extends CursorLog> {
  readonly store: CursorStore;
  /** Reads the logs of blocks `fromBlock..toBlock`, both included (one getLogs call). */
  readonly fetch: (fromBlock: bigint, toBlock: bigint) => Promise<readonly L[]>;
  /** Reads stop this many blocks under the head (0: up to the head itself). */
  readonly confirmations: number;
  /** Blocks at and before the position read again on each poll. */
  readonly overlap: number;
  /** The most blocks one getLogs call asks for (default 2000). */
  readonly maxRange?: bigint;
  readonly log?: Logger;
}

export const DEFAULT_MAX_RANGE = 2000n;

/** How RPC nodes say a getLogs range, or its answer, is too large (geth, Infura, Alchemy, QuickNode, BSC…). */
const RANGE_TOO_LARGE =
  /block range (is )?(too|greater|exceeds?|limit)|range (is )?too (large|wide|big|long)|range limit exceeded|too (many|large) (blocks|logs|results)|more than [\d,]+ (results|logs|blocks)|exceeds? (the )?max(imum)?( block)? range|response size (exceeded|is too|too)|limited to (a )?[\d,]+( block)? range|query returned more than/i;

/** Whether an RPC error says the getLogs range (or its result) was too large. */
export function isRangeTooLarge(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e !== undefined && e !== null && depth < 8; depth++) {
    if (typeof e === "object") {
      const { message, details } = e as { message?: unknown; details?: unknown };
      if (typeof message === "string" && RANGE_TOO_LARGE.test(message)) return true;
      if (typeof details === "string" && RANGE_TOO_LARGE.test(details)) return true;
      e = (e as { cause?: unknown }).cause;
    } else {
      return typeof e === "string" && RANGE_TOO_LARGE.test(e);
    }
  }
  return false;
}

export class EventCursor<L extends CursorLog> {
  private readonly store: CursorStore;
  private readonly fetch: (fromBlock: bigint, toBlock: bigint) => Promise<readonly L[]>;
  private readonly confirmations: bigint;
  private readonly overlap: bigint;
  private readonly log?: Logger;
  private span: bigint;
  /** Logs delivered in this process and still inside the overlap, by `blockHash:logIndex`, with their block. */
  private readonly delivered = new Map<string, bigint>();

  constructor(options: EventCursorOptions<L>) {
    this.store = options.store;
    this.fetch = options.fetch;
    this.confirmations = BigInt(options.confirmations);
    this.overlap = BigInt(options.overlap);
    this.span = options.maxRange ?? DEFAULT_MAX_RANGE;
    if (this.span < 1n) throw new RangeError("maxRange must be at least 1");
    if (this.confirmations < 0n || this.overlap < 0n) throw new RangeError("confirmations and overlap must be ≥ 0");
    this.log = options.log;
  }

  /** The last block whose events were all handled (-1 before any: read from genesis). */
  get position(): bigint {
    return this.store.load() ?? -1n;
  }

  /** The most blocks the next getLogs call asks for (narrower after the RPC refused a range). */
  get range(): bigint {
    return this.span;
  }

  /** Sets the position on a fresh database: the first read starts at `startBlock`. */
  init(startBlock: bigint): void {
    if (this.store.load() === undefined) this.store.save(startBlock - 1n);
  }

  /** After a reorg: everything above `ancestor` is read, and delivered, again. */
  rewind(ancestor: bigint): void {
    if (this.position > ancestor) this.store.save(ancestor);
    for (const [key, block] of this.delivered) if (block > ancestor) this.delivered.delete(key);
  }

  /**
   * Reads from the position (less the overlap) up to `head - confirmations` and hands
   * each range's new logs, in chain order, to `handle` (also when there are none), saving
   * the position after each. An error (`handle`'s or the RPC's) stops the poll; the
   * ranges handled so far stay handled.
   */
  async poll(head: bigint, handle: (logs: readonly L[]) => Promise<void> | void): Promise<void> {
    const bound = head - this.confirmations;
    let start = this.position + 1n - this.overlap;
    if (start < 0n) start = 0n;
    for (const [key, block] of this.delivered) if (block < start) this.delivered.delete(key);
    while (start <= bound) {
      const end = start + this.span - 1n < bound ? start + this.span - 1n : bound;
      let logs: readonly L[];
      try {
        logs = await this.fetch(start, end);
      } catch (err) {
        const blocks = end - start + 1n;
        if (blocks <= 1n || !isRangeTooLarge(err)) throw err;
        this.span = blocks / 2n;
        this.log?.warn(
          { fromBlock: start, toBlock: end, range: this.span },
          "RPC refused the getLogs range as too large; halving it",
        );
        continue;
      }
      const fresh: L[] = [];
      const keys: [string, bigint][] = [];
      for (const l of logs) {
        const key = `${l.blockHash ?? "?"}:${l.logIndex ?? "?"}`;
        if (l.blockHash !== null && l.logIndex !== null && this.delivered.has(key)) continue;
        fresh.push(l);
        keys.push([key, l.blockNumber ?? end]);
      }
      await handle(fresh);
      // Only what the next poll's overlap can read again needs remembering.
      for (const [key, block] of keys) if (block + this.overlap > end) this.delivered.set(key, block);
      if (end > this.position) this.store.save(end);
      start = end + 1n;
    }
  }
}
