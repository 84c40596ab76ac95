/**
 * The watcher's claimer read against a real chain: anvil with the deployed protocol,
 * where "we" (challenger seat 0) win a dispute, reclaim a commitment made after fraud
 * was established, let a blind commitment be forfeited and withdraw what the game
 * credited us, while another challenger plays beside us. The claimer must account
 * for each of our bonds by its outcome, for the bounty, for every Credited and
 * Withdrawn event of ours and for nothing of the other challenger's.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { forfeitCommitment, reclaimCommitment } from "../../src/client/calls.ts";
import { withdrawClaimable } from "../../src/client/claims.ts";
import { send } from "../../src/client/send.ts";
import { forgeCommitment } from "../../src/dispute/faults.ts";
import { Outcome } from "../../src/dispute/state.ts";
import { commitTicket, type ChallengeTicket } from "../../src/dispute/ticket.ts";
import { readRevealWindow } from "../../src/chain/read/dispute.ts";
import { createLogger } from "../../src/service/logger.ts";
import { PromMetrics } from "../../src/service/metrics.ts";
import { openDatabase } from "../../src/service/sqlite.ts";
import { Rng } from "../../src/vectors/rng.ts";
import { Claimer } from "../../watcher/claimer.ts";
import { WATCHER_METRICS } from "../../watcher/metrics.ts";
import { WATCHER_MIGRATIONS, WatcherStore } from "../../watcher/store.ts";
import {
  challengeOf,
  claimableOf,
  jobOf,
  LOCAL_MODEL_PARAMS,
  mineBlock,
  openTable,
  playOut,
  type LocalTable,
} from "../harness/localTable.ts";
import { challengeJob, committedJob, saltOf, shippedModel } from "../dispute/fixture.ts";

const US = 0;
const OTHER = 1;

let table: LocalTable;

before(async () => {
  table = await openTable({ challengers: 2 });
});

after(async () => {
  await table?.stop();
});

test("the claimer accounts for our bonds by outcome, the bounty, credits and withdrawals, and for no one else's", async () => {
  const model = await shippedModel(table);
  const rng = new Rng(0xc1a1);
  const us = table.challenger(US);
  const usAddress = us.wallet.account.address;
  const bond = LOCAL_MODEL_PARAMS.challengerBond;
  const ticket = (seat: number, jobId: bigint, commitmentHash: `0x${string}`): ChallengeTicket => ({
    jobId,
    modelId: model.modelId,
    commitmentHash,
    challenger: table.challenger(seat).wallet.account.address,
    salt: saltOf(rng),
  });

  // 1. A wrong result: we challenge and win; the other challenger's younger challenge goes moot.
  const trace = await model.trace(rng.int(model.images.count));
  const forged = forgeCommitment("wrong-output", model.compiled, trace, rng);
  const { jobId, commitmentHash } = await committedJob(table, model.modelId, trace.input, forged);
  const won = await challengeJob(table, US, jobId, rng);
  const other = await challengeJob(table, OTHER, jobId, rng);
  await playOut(table, {
    jobId,
    compiled: model.compiled,
    provider: forged,
    challengers: [
      { client: us, id: won.id, honest: trace },
      { client: table.challenger(OTHER), id: other.id, honest: trace },
    ],
  });
  assert.equal((await challengeOf(table, won.id)).outcome, Outcome.Won);
  assert.equal((await jobOf(table, jobId)).status, 4, "Slashed");

  // 2. A commitment of ours on the same job after fraud was established: reclaimed.
  const late = ticket(US, jobId, commitmentHash);
  const { id: lateId } = await commitTicket(us, late);
  await mineBlock(table);
  await send(us, reclaimCommitment(table.addresses, lateId, jobId, commitmentHash, late.salt));
  assert.equal((await challengeOf(table, lateId)).outcome, Outcome.Reclaimed);

  // 3. A blind commitment of ours, never revealed: forfeited (by the other challenger) after the window.
  const blind = ticket(US, jobId + 1000n, commitmentHash);
  const { id: blindId } = await commitTicket(us, blind);
  const window = await readRevealWindow(table.public, { address: table.addresses.disputeGame });
  await table.test.mine({ blocks: Number(window) + 1 });
  await send(table.challenger(OTHER), forfeitCommitment(table.addresses, blindId));
  assert.equal((await challengeOf(table, blindId)).outcome, Outcome.Forfeited);

  // 4. We withdraw everything the game credited us.
  const credited = await claimableOf(table, usAddress);
  assert.equal(credited, bond + LOCAL_MODEL_PARAMS.collateralPerJob / 2n + bond, "won bond + bounty + reclaimed bond");
  const { amount } = await withdrawClaimable(us);
  assert.equal(amount, credited);

  const db = await openDatabase(":memory:", WATCHER_MIGRATIONS);
  const store = new WatcherStore(db);
  const metrics = new PromMetrics("refute_watcher", WATCHER_METRICS);
  const claimer = new Claimer(
    table.public,
    table.addresses,
    usAddress,
    store,
    0,
    createLogger("test", "error"),
    metrics,
  );
  claimer.init(table.deployment.deployBlock);
  const head = await table.public.getBlock();
  await claimer.poll({ number: head.number, hash: head.hash, parentHash: head.parentHash, timestamp: head.timestamp });

  const expected = {
    bondsPosted: 3n * bond,
    bondsReturned: 2n * bond,
    bondsLost: bond,
    bounty: LOCAL_MODEL_PARAMS.collateralPerJob / 2n,
    credited,
    withdrawn: amount,
  };
  assert.deepEqual(claimer.totals(), expected);
  assert.equal(await metrics.value("credited_total"), Number(credited));
  assert.equal(await metrics.value("withdrawn_total"), Number(amount));
  assert.equal(await metrics.value("bonds_lost_total"), Number(bond));

  // Reading the same blocks again (a restart's overlap) counts nothing twice.
  claimer.init(table.deployment.deployBlock);
  await claimer.poll({ number: head.number, hash: head.hash, parentHash: head.parentHash, timestamp: head.timestamp });
  assert.deepEqual(claimer.totals(), expected);

  // A reorg back to before our withdrawal forgets it (and only it), until it is read again.
  const withdrawBlock = head.number;
  claimer.rewind(withdrawBlock - 1n);
  assert.equal(claimer.totals().withdrawn, 0n);
  assert.equal(claimer.totals().credited, credited);
  await claimer.poll({ number: head.number, hash: head.hash, parentHash: head.parentHash, timestamp: head.timestamp });
  assert.deepEqual(claimer.totals(), expected);
  await metrics.close();
  db.close();
});
