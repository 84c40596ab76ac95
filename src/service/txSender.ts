/**
 * The transaction sender: a persisted journal of every transaction a daemon
 * sends, keyed by an idempotency key ("commit-challenge:17", "roots:42"…).
 *
 * - A key is sent at most once: `submit` with a known key returns the journaled
 *   transaction instead of sending another. The row (with the signed bytes) is
 *   written before the broadcast, so a process killed in between re-broadcasts the
 *   same transaction on restart rather than signing a new one.
 * - Nonces are managed locally (the chain's pending count, or one past the highest
 *   journaled nonce still in flight), so several transactions can be in flight.
 * - Each tick checks receipts: a mined transaction whose receipt disappears
 *   (dropped by a reorg) goes back to pending and is re-broadcast with the same
 *   nonce; a transaction the node forgot is re-broadcast; one not mined within
 *   `bumpAfterMs`, or whose deadline is near, is replaced with fees raised by
 *   `bumpPercent` (≥ 10 %, what nodes require to replace).
 * - A transaction is final once `finalityDepth` blocks are on top of it; until then
 *   its receipt is re-checked every tick.
 */
import { keccak256, type Address, type Hex, type PublicClient, type TransactionReceipt } from "viem";
import type { PrivateKeyAccount } from "viem/accounts";
import { calldataOf, CallRevertedError, revertOf, viemCall, type ContractCall } from "../client/send.ts";
import { SYSTEM_CLOCK, type Clock } from "./clock.ts";
import type { ChainHead } from "./heads.ts";
import { errorText, type Logger } from "./logger.ts";
import type { Metrics } from "./metrics.ts";
import { rowOf, rowsOf, type DatabaseSync } from "./sqlite.ts";

export const TX_JOURNAL_SCHEMA = `
CREATE TABLE IF NOT EXISTS txs (
  id INTEGER PRIMARY KEY,
  key TEXT NOT NULL UNIQUE,
  label TEXT NOT NULL,
  to_address TEXT NOT NULL,
  data TEXT NOT NULL,
  gas TEXT NOT NULL,
  nonce INTEGER NOT NULL,
  deadline INTEGER,
  after_key TEXT,
  status TEXT NOT NULL,
  outcome TEXT,
  attempts TEXT NOT NULL,
  mined_hash TEXT,
  block_number INTEGER,
  block_hash TEXT,
  created_at INTEGER NOT NULL,
  error TEXT
);
CREATE INDEX IF NOT EXISTS txs_open ON txs (status);
`;

export type TxStatus = "pending" | "mined" | "final";
export type TxOutcome = "success" | "reverted" | "replaced";

interface Attempt {
  readonly hash: Hex;
  readonly raw: Hex;
  readonly maxFeePerGas: string;
  readonly maxPriorityFeePerGas: string;
  /** Clock milliseconds of the (last) broadcast. */
  at: number;
}

export interface TxRecord {
  readonly id: number;
  readonly key: string;
  readonly label: string;
  readonly nonce: number;
  readonly status: TxStatus;
  /** Set once mined (success/reverted) or when its nonce went to another transaction (replaced). */
  readonly outcome?: TxOutcome;
  readonly hash: Hex;
  readonly blockNumber?: bigint;
  readonly deadline?: bigint;
}

/** A journal row (a type, not an interface: it must fit node:sqlite's untyped record). */
type Row = {
  id: number;
  key: string;
  label: string;
  to_address: string;
  data: string;
  gas: string;
  nonce: number;
  deadline: number | null;
  after_key: string | null;
  status: TxStatus;
  outcome: TxOutcome | null;
  attempts: string;
  mined_hash: string | null;
  block_number: number | null;
  block_hash: string | null;
};

export interface TxSenderOptions {
  readonly chainId: number;
  /**
   * Blocks on top of a transaction's block before it is final and no longer
   * re-checked. Until then a reorg that drops it is noticed and it is re-sent.
   */
  readonly finalityDepth: number;
  /** Replace a transaction not mined after this long (clock milliseconds). */
  readonly bumpAfterMs: number;
  /** Also replace it when its deadline is this close (chain seconds). */
  readonly deadlineMarginSec: number;
  readonly bumpPercent: number;
  /** Never pay more than this per gas. */
  readonly maxFeePerGas: bigint;
}

export interface SubmitOptions {
  /** Chain timestamp by which the transaction must be mined; fees are raised as it nears. */
  readonly deadline?: bigint;
  /** Key of a transaction that must be mined before this one is (re-)broadcast. */
  readonly after?: string;
}

/** The names this file records; declare them in the daemon's metric table. */
export type TxMetricName = "tx_sent" | "tx_bumped" | "tx_failed" | "tx_rebroadcast";

export class TxSender {
  private lock: Promise<unknown> = Promise.resolve();
  private readonly replacedStrikes = new Map<number, number>();
  private readonly selectByKey;
  private readonly selectOpen;

  constructor(
    private readonly db: DatabaseSync,
    private readonly client: PublicClient,
    private readonly account: PrivateKeyAccount,
    private readonly options: TxSenderOptions,
    private readonly log: Logger,
    private readonly metrics: Metrics<TxMetricName>,
    /** Times the broadcasts, for fee bumps (tests pass a ManualClock). */
    private readonly clock: Clock = SYSTEM_CLOCK,
  ) {
    db.exec(TX_JOURNAL_SCHEMA);
    this.selectByKey = db.prepare("SELECT * FROM txs WHERE key = ?");
    this.selectOpen = db.prepare("SELECT * FROM txs WHERE status != 'final' ORDER BY nonce");
  }

  get address(): Address {
    return this.account.address;
  }

  /** The journaled transaction for a key, if any. */
  get(key: string): TxRecord | undefined {
    const row = rowOf<Row>(this.selectByKey, key);
    return row && toRecord(row);
  }

  /** Transactions not yet final. */
  openCount(): number {
    return (this.db.prepare("SELECT count(*) AS n FROM txs WHERE status != 'final'").get() as { n: number }).n;
  }

  /**
   * Sends `call` once per `key`: simulates it (a revert throws CallRevertedError and
   * journals nothing), signs it with the next nonce, journals it, then broadcasts.
   * Returns the journaled record (the existing one when the key is known).
   */
  submit(key: string, label: string, call: ContractCall, options: SubmitOptions = {}): Promise<TxRecord> {
    const run = this.lock.then(() => this.submitLocked(key, label, call, options));
    this.lock = run.catch(() => undefined);
    return run;
  }

  private async submitLocked(
    key: string,
    label: string,
    call: ContractCall,
    options: SubmitOptions,
  ): Promise<TxRecord> {
    const existing = this.get(key);
    if (existing !== undefined) return existing;
    const data = calldataOf(call);
    let estimate: bigint;
    try {
      estimate = await this.client.estimateContractGas({ ...viemCall(call), account: this.account });
    } catch (err) {
      const r = revertOf(err);
      if (r === undefined && !/revert/i.test(errorText(err))) throw err;
      throw new CallRevertedError(call, r?.name, r?.args, { cause: err });
    }
    const gas = (estimate * 13n) / 10n + 25_000n;
    const nonce = await this.nextNonce();
    const fees = await this.marketFees();
    const attempt = await this.sign({ to: call.address, data, gas, nonce, ...fees });
    this.db
      .prepare(
        `INSERT INTO txs (key, label, to_address, data, gas, nonce, deadline, after_key, status, attempts, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?)`,
      )
      .run(
        key,
        label,
        call.address,
        data,
        gas.toString(),
        nonce,
        options.deadline === undefined ? null : Number(options.deadline),
        options.after ?? null,
        JSON.stringify([attempt]),
        this.clock.now(),
      );
    this.log.info({ key, label, nonce, hash: attempt.hash }, "tx sent");
    this.metrics.inc("tx_sent", { label });
    await this.broadcast(attempt.raw, key);
    const record = this.get(key);
    if (record === undefined) throw new Error(`transaction ${key} was journaled but cannot be read back`);
    return record;
  }

  /** Checks every open transaction against the chain at `head` (see the file comment). */
  async tick(head: ChainHead, chainTime: bigint): Promise<void> {
    const rows = rowsOf<Row>(this.selectOpen);
    if (rows.length === 0) return;
    const chainNonce = await this.client.getTransactionCount({ address: this.account.address, blockTag: "latest" });
    for (const row of rows) {
      try {
        await this.check(row, head, chainTime, chainNonce);
      } catch (err) {
        this.log.warn({ key: row.key, err: errorText(err) }, "tx check failed; retrying next tick");
      }
    }
  }

  private async check(row: Row, head: ChainHead, chainTime: bigint, chainNonce: number): Promise<void> {
    const attempts = JSON.parse(row.attempts) as Attempt[];
    let receipt: TransactionReceipt | undefined;
    for (const a of [...attempts].reverse()) {
      receipt = await this.receipt(a.hash);
      if (receipt !== undefined) break;
    }
    if (receipt !== undefined) {
      const outcome: TxOutcome = receipt.status === "success" ? "success" : "reverted";
      const deep = head.number >= receipt.blockNumber + BigInt(this.options.finalityDepth);
      const status: TxStatus = deep ? "final" : "mined";
      if (row.status !== status || row.block_hash !== receipt.blockHash || row.outcome !== outcome) {
        this.db
          .prepare(
            "UPDATE txs SET status = ?, outcome = ?, mined_hash = ?, block_number = ?, block_hash = ? WHERE id = ?",
          )
          .run(status, outcome, receipt.transactionHash, Number(receipt.blockNumber), receipt.blockHash, row.id);
        if (row.status === "pending") {
          const level = outcome === "success" ? "info" : "warn";
          this.log[level](
            { key: row.key, block: receipt.blockNumber, hash: receipt.transactionHash, outcome },
            "tx mined",
          );
          if (outcome === "reverted") this.metrics.inc("tx_failed", { label: row.label });
        }
      }
      return;
    }
    if (row.status === "mined") {
      this.log.warn(
        { key: row.key, hash: row.mined_hash, block: row.block_number },
        "tx dropped by a reorg; re-sending",
      );
      this.db
        .prepare(
          "UPDATE txs SET status = 'pending', outcome = NULL, mined_hash = NULL, block_number = NULL, block_hash = NULL WHERE id = ?",
        )
        .run(row.id);
    }
    if (chainNonce > row.nonce) {
      // The nonce looks used by a transaction that is none of ours for this key. A lagging
      // endpoint can answer "no receipt" for a fresh block, so it must hold for three ticks.
      const strikes = (this.replacedStrikes.get(row.id) ?? 0) + 1;
      this.replacedStrikes.set(row.id, strikes);
      if (strikes < 3) return;
      this.db
        .prepare("UPDATE txs SET status = 'final', outcome = 'replaced', error = ? WHERE id = ?")
        .run(`nonce ${row.nonce} used by another transaction`, row.id);
      this.log.warn({ key: row.key, nonce: row.nonce }, "tx nonce used by another transaction");
      this.metrics.inc("tx_failed", { label: row.label });
      return;
    }
    if (row.after_key !== null) {
      const dep = this.get(row.after_key);
      if (dep !== undefined && dep.status === "pending") return;
    }
    const last = lastAttempt(row.key, attempts);
    const now = this.clock.now();
    const deadlineNear =
      row.deadline !== null && chainTime + BigInt(this.options.deadlineMarginSec) >= BigInt(row.deadline);
    const stale = now - last.at >= this.options.bumpAfterMs;
    if ((stale || (deadlineNear && now - last.at >= 2000)) && (await this.bump(row, attempts))) return;
    if ((await this.client.getTransaction({ hash: last.hash }).catch(() => undefined)) === undefined) {
      this.log.info({ key: row.key, hash: last.hash, nonce: row.nonce }, "tx unknown to the node; re-broadcasting");
      this.metrics.inc("tx_rebroadcast", { label: row.label });
      last.at = now;
      this.db.prepare("UPDATE txs SET attempts = ? WHERE id = ?").run(JSON.stringify(attempts), row.id);
      await this.broadcast(last.raw, row.key);
    }
  }

  /** Replaces the transaction with higher fees; false when the cap forbids it. */
  private async bump(row: Row, attempts: Attempt[]): Promise<boolean> {
    const last = lastAttempt(row.key, attempts);
    const market = await this.marketFees();
    const pct = BigInt(100 + Math.max(10, this.options.bumpPercent));
    const prio = max((BigInt(last.maxPriorityFeePerGas) * pct) / 100n + 1n, market.maxPriorityFeePerGas);
    const fee = max((BigInt(last.maxFeePerGas) * pct) / 100n + 1n, market.maxFeePerGas, prio);
    if (fee > this.options.maxFeePerGas) {
      this.log.warn({ key: row.key, fee, cap: this.options.maxFeePerGas }, "tx not bumped: fee cap reached");
      last.at = this.clock.now();
      this.db.prepare("UPDATE txs SET attempts = ? WHERE id = ?").run(JSON.stringify(attempts), row.id);
      return false;
    }
    const next = await this.sign({
      to: row.to_address as Address,
      data: row.data as Hex,
      gas: BigInt(row.gas),
      nonce: row.nonce,
      maxFeePerGas: fee,
      maxPriorityFeePerGas: prio,
    });
    attempts.push(next);
    this.db.prepare("UPDATE txs SET attempts = ? WHERE id = ?").run(JSON.stringify(attempts), row.id);
    this.log.info({ key: row.key, nonce: row.nonce, hash: next.hash, maxFeePerGas: fee }, "tx fee bumped");
    this.metrics.inc("tx_bumped", { label: row.label });
    await this.broadcast(next.raw, row.key);
    return true;
  }

  /** The receipt of a journaled key's mined transaction (for its logs). */
  async receiptOf(key: string): Promise<TransactionReceipt | undefined> {
    const row = rowOf<Row>(this.selectByKey, key);
    if (row?.mined_hash == null) return undefined;
    return this.receipt(row.mined_hash as Hex);
  }

  private async receipt(hash: Hex): Promise<TransactionReceipt | undefined> {
    try {
      return await this.client.getTransactionReceipt({ hash });
    } catch (err) {
      if (/not be found|could not be found|not found/i.test(errorText(err))) return undefined;
      throw err;
    }
  }

  private async nextNonce(): Promise<number> {
    const chain = await this.client.getTransactionCount({ address: this.account.address, blockTag: "pending" });
    const row = this.db.prepare("SELECT max(nonce) AS n FROM txs").get() as { n: number | null };
    return Math.max(chain, row.n === null ? 0 : row.n + 1);
  }

  private async marketFees(): Promise<{ maxFeePerGas: bigint; maxPriorityFeePerGas: bigint }> {
    const block = await this.client.getBlock({ blockTag: "latest" });
    const base = block.baseFeePerGas ?? 0n;
    let prio = 1_000_000_000n;
    try {
      prio = max(await this.client.request({ method: "eth_maxPriorityFeePerGas" }).then((h) => BigInt(h)), 1n);
    } catch {
      // Nodes without the method: keep 1 gwei.
    }
    const fee = base * 2n + prio;
    return {
      maxFeePerGas: fee > this.options.maxFeePerGas ? this.options.maxFeePerGas : fee,
      maxPriorityFeePerGas: prio,
    };
  }

  private async sign(tx: {
    to: Address;
    data: Hex;
    gas: bigint;
    nonce: number;
    maxFeePerGas: bigint;
    maxPriorityFeePerGas: bigint;
  }): Promise<Attempt> {
    const raw = await this.account.signTransaction({
      ...tx,
      chainId: this.options.chainId,
      type: "eip1559",
      value: 0n,
    });
    return {
      hash: keccak256(raw),
      raw,
      maxFeePerGas: tx.maxFeePerGas.toString(),
      maxPriorityFeePerGas: tx.maxPriorityFeePerGas.toString(),
      at: this.clock.now(),
    };
  }

  private async broadcast(raw: Hex, key: string): Promise<void> {
    try {
      await this.client.request({ method: "eth_sendRawTransaction", params: [raw] });
    } catch (err) {
      const text = errorText(err);
      // Already in the pool or mined: the receipt check sorts it out.
      if (/already known|already imported|known transaction|nonce too low|replacement/i.test(text)) return;
      this.log.warn({ key, err: text }, "broadcast failed; will retry");
    }
  }
}

/** The latest attempt: a row is written with its first attempt, and attempts are only ever added. */
function lastAttempt(key: string, attempts: Attempt[]): Attempt {
  const last = attempts.at(-1);
  if (last === undefined) throw new Error(`transaction ${key} has no attempt in the journal`);
  return last;
}

function toRecord(row: Row): TxRecord {
  const attempts = JSON.parse(row.attempts) as Attempt[];
  return {
    id: row.id,
    key: row.key,
    label: row.label,
    nonce: row.nonce,
    status: row.status,
    outcome: row.outcome ?? undefined,
    hash: (row.mined_hash as Hex | null) ?? lastAttempt(row.key, attempts).hash,
    blockNumber: row.block_number === null ? undefined : BigInt(row.block_number),
    deadline: row.deadline === null ? undefined : BigInt(row.deadline),
  };
}

function max(...v: bigint[]): bigint {
  return v.reduce((m, x) => (x > m ? x : m));
}
