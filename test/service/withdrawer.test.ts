/**
 * The daemons' Withdrawer (src/service/withdrawer.ts) against a real anvil with the
 * protocol deployed: the claimable balances it collects come from a fraud dispute played
 * to its settlement on the chain (the watcher's bounty and bond, the requester's share
 * and fee refund, the treasury's share), and its withdraws go through the real journaled
 * TxSender. Time for the interval is an injected clock, not the wall clock.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { parseGwei, type Address } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { foundry } from "viem/chains";
import { readClaimable } from "../../src/chain/read/dispute.ts";
import { readBalance } from "../../src/chain/read/token.ts";
import { withdrawClaimable } from "../../src/client/claims.ts";
import { connectSigner } from "../../src/cli/network.ts";
import { keyOf, type Role } from "../../src/demo/accounts.ts";
import { forgeCommitment } from "../../src/dispute/faults.ts";
import { ManualClock } from "../../src/service/clock.ts";
import type { ChainHead } from "../../src/service/heads.ts";
import { createLogger } from "../../src/service/logger.ts";
import { NoopMetrics } from "../../src/service/metrics.ts";
import { openDatabase, type DatabaseSync } from "../../src/service/sqlite.ts";
import { TxSender, type TxMetricName } from "../../src/service/txSender.ts";
import { Withdrawer, type WithdrawLog } from "../../src/service/withdrawer.ts";
import { at } from "../../src/tensor/at.ts";
import { Rng } from "../../src/vectors/rng.ts";
import { commit, openTable, playFraudToTheEnd, requestImage, type Table } from "../replay/scenario.ts";

const INTERVAL_MS = 10_000;

/** A WithdrawLog that keeps its lines for assertions. */
class RecordingLog implements WithdrawLog {
  readonly lines: { level: "info" | "warn"; msg: string; fields: Record<string, unknown> }[] = [];
  info(fields: object, msg: string): void {
    this.lines.push({ level: "info", msg, fields: fields as Record<string, unknown> });
  }
  warn(fields: object, msg: string): void {
    this.lines.push({ level: "warn", msg, fields: fields as Record<string, unknown> });
  }
}

interface Seat {
  readonly address: Address;
  readonly db: DatabaseSync;
  readonly tx: TxSender;
  readonly clock: ManualClock;
  readonly log: RecordingLog;
  readonly withdrawer: Withdrawer;
  /** Rows of this seat's journal: every transaction the sender ever sent. */
  journal(): { key: string; label: string }[];
}

describe("Withdrawer: a daemon collects its claimable dispute payouts", { timeout: 300_000 }, () => {
  let t: Table;
  const seats: Seat[] = [];

  const head = async (): Promise<ChainHead> => {
    const b = await t.requester.public.getBlock({ blockTag: "latest" });
    return { number: b.number, hash: b.hash, parentHash: b.parentHash, timestamp: b.timestamp };
  };
  const claimable = (account: Address) =>
    readClaimable(t.requester.public, { address: t.addresses.disputeGame, account });
  const balance = (owner: Address) => readBalance(t.requester.public, { address: t.addresses.token, owner });
  const nonceOf = (address: Address) => t.requester.public.getTransactionCount({ address, blockTag: "pending" });

  /** A Withdrawer for `role` with its own journal, as a daemon builds it. */
  const seat = async (role: Role): Promise<Seat> => {
    const account = privateKeyToAccount(keyOf(role));
    const db = await openDatabase(":memory:", []);
    const clock = new ManualClock(0);
    const tx = new TxSender(
      db,
      t.requester.public,
      account,
      {
        chainId: foundry.id,
        finalityDepth: 1,
        bumpAfterMs: 60_000,
        deadlineMarginSec: 30,
        bumpPercent: 12,
        maxFeePerGas: parseGwei("500"),
      },
      createLogger("test", "error"),
      new NoopMetrics<TxMetricName>(),
      clock,
    );
    const log = new RecordingLog();
    const withdrawer = new Withdrawer({
      client: t.requester.public,
      addresses: t.addresses,
      account: account.address,
      tx,
      log,
      now: () => clock.now(),
      intervalMs: INTERVAL_MS,
    });
    const s: Seat = {
      address: account.address,
      db,
      tx,
      clock,
      log,
      withdrawer,
      // node:sqlite rows have a null prototype: copied into plain objects for deepEqual.
      journal: () =>
        (db.prepare("SELECT key, label FROM txs ORDER BY id").all() as { key: string; label: string }[]).map(
          ({ key, label }) => ({ key, label }),
        ),
    };
    seats.push(s);
    return s;
  };

  let requesterSeat: Seat;
  let watcherSeat: Seat;
  let slashedJob: bigint;

  before(async () => {
    t = await openTable();
    // The requester's Withdrawer checks once before any dispute, which starts its interval.
    requesterSeat = await seat("requester");
    await requesterSeat.withdrawer.poll(await head());
  });
  after(async () => {
    for (const s of seats) s.db.close();
    await t?.stop();
  });

  test("nothing claimable: the Withdrawer sends no transaction", async () => {
    assert.equal(await claimable(requesterSeat.address), 0n, "no dispute has paid anyone yet");
    assert.deepEqual(requesterSeat.journal(), []);
    assert.deepEqual(requesterSeat.log.lines, []);

    const provider = await seat("honestProvider");
    const nonce = await nonceOf(provider.address);
    await provider.withdrawer.poll(await head());
    assert.deepEqual(provider.journal(), []);
    assert.equal(await nonceOf(provider.address), nonce, "no transaction reached the node");
  });

  test("a settled fraud: the watcher's bounty and bond are withdrawn by one journaled transaction", async () => {
    const { jobId, trace } = await requestImage(t, 3);
    const c = forgeCommitment("flipped-element", t.compiled, trace, new Rng(7));
    await commit(t, jobId, c);
    await playFraudToTheEnd(t, jobId, c, trace);
    slashedJob = jobId;

    watcherSeat = await seat("watcher");
    const owed = await claimable(watcherSeat.address);
    assert.ok(owed > 0n, "the winner of the dispute has something to withdraw");
    const tokensBefore = await balance(watcherSeat.address);

    // Blocks come only when the test mines them, so the withdraw stays pending.
    await t.test.setAutomine(false);
    try {
      const h = await head();
      await watcherSeat.withdrawer.poll(h);
      const journal = watcherSeat.journal();
      assert.deepEqual(journal, [{ key: `withdraw:${h.number}`, label: "withdraw" }]);
      assert.equal(watcherSeat.tx.get(`withdraw:${h.number}`)?.status, "pending");
      assert.deepEqual(
        watcherSeat.log.lines.map((l) => [l.level, l.msg, l.fields["amount"]]),
        [["info", "withdrawing claimable dispute payouts", owed]],
      );

      // Past the interval, with the first withdraw still pending, nothing more is sent.
      const nonce = await nonceOf(watcherSeat.address);
      watcherSeat.clock.advance(INTERVAL_MS * 3);
      await watcherSeat.withdrawer.poll(await head());
      assert.equal(watcherSeat.journal().length, 1, "no second withdraw while the first is pending");
      assert.equal(await nonceOf(watcherSeat.address), nonce);

      await t.test.mine({ blocks: 2 });
    } finally {
      await t.test.setAutomine(true);
    }
    const mined = await head();
    await watcherSeat.tx.tick(mined, mined.timestamp);
    const record = watcherSeat.tx.get(at(watcherSeat.journal(), 0).key);
    assert.equal(record?.status, "final");
    assert.equal(record?.outcome, "success");
    assert.equal(await balance(watcherSeat.address), tokensBefore + owed, "the whole claimable arrived");
    assert.equal(await claimable(watcherSeat.address), 0n);

    // Withdrawn: the next check after the interval finds nothing and sends nothing.
    watcherSeat.clock.advance(INTERVAL_MS);
    await watcherSeat.withdrawer.poll(await head());
    assert.equal(watcherSeat.journal().length, 1);
  });

  test("the interval: a balance credited since the last check waits until intervalMs has passed", async () => {
    // The requester's last check was at clock 0 (before the dispute); the fraud credited it since.
    const owed = await claimable(requesterSeat.address);
    assert.ok(owed > 0n, `job ${slashedJob}'s requester is owed its fee and share`);
    const tokensBefore = await balance(requesterSeat.address);

    requesterSeat.clock.advance(INTERVAL_MS - 1);
    await requesterSeat.withdrawer.poll(await head());
    assert.deepEqual(requesterSeat.journal(), [], "one millisecond short of the interval: not even a read");
    assert.equal(await claimable(requesterSeat.address), owed);

    requesterSeat.clock.advance(1);
    const h = await head();
    await requesterSeat.withdrawer.poll(h);
    assert.deepEqual(requesterSeat.journal(), [{ key: `withdraw:${h.number}`, label: "withdraw" }]);
    const mined = await head();
    await requesterSeat.tx.tick(mined, mined.timestamp);
    assert.equal(await balance(requesterSeat.address), tokensBefore + owed);
    assert.equal(await claimable(requesterSeat.address), 0n);
  });

  test("a raced withdraw (NothingToWithdraw at simulation) is a warning, not a throw", async () => {
    // The treasury (the deployer) was credited its share of the slash.
    const treasury = await seat("deployer");
    const h = await head();
    const owed = await readClaimable(t.requester.public, {
      address: t.addresses.disputeGame,
      account: treasury.address,
      blockHash: h.hash,
    });
    assert.ok(owed > 0n, "the treasury's share is claimable at this head");
    // Another process with the same key withdraws first, in a later block.
    const other = await connectSigner(t.anvil.rpcUrl, keyOf("deployer"), "local");
    const taken = await withdrawClaimable({ public: other.public, wallet: other.wallet, addresses: t.addresses });
    assert.equal(taken.amount, owed);

    // The Withdrawer still reads the older head (claimable there), and its simulation at the latest block reverts.
    await treasury.withdrawer.poll(h);
    assert.deepEqual(treasury.journal(), [], "nothing journaled: the simulation refused it");
    const warn = treasury.log.lines.find((l) => l.level === "warn");
    assert.equal(warn?.msg, "withdraw refused by simulation");
    assert.equal(warn?.fields["amount"], owed);
    assert.match(String(warn?.fields["err"]), /NothingToWithdraw/);
    assert.equal(treasury.log.lines.filter((l) => l.level === "info").length, 0, "no withdraw was announced as sent");
  });
});
