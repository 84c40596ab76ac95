/**
 * The grace period (docs/PROTOCOL.md §9.4): a job whose challenges all failed stays
 * frozen and challengeable for one more response window. And there is no cap on a
 * job's challenges any more: a cheater revealing any number of its own challenges
 * cannot keep an honest challenger out; it reveals, wins and takes the sybils' bonds.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { ProtocolErrorName } from "../../src/chain/enums.ts";
import { readJobResult } from "../../src/chain/read/jobs.ts";
import { finalizeJob, settleDispute } from "../../src/client/calls.ts";
import { withdrawClaimable } from "../../src/client/claims.ts";
import { CallRevertedError, send } from "../../src/client/send.ts";
import {
  balanceOf,
  challengeOf,
  claimableOf,
  disputeOf,
  jobOf,
  LOCAL_MODEL_PARAMS,
  mineAt,
  mineBlock,
  now,
  openTable,
  playOut,
  type LocalTable,
} from "../harness/localTable.ts";
import { playProvider } from "../../src/dispute/play.ts";
import { Outcome, Phase } from "../../src/dispute/state.ts";
import { commitTicket, revealTicket, type ChallengeTicket } from "../../src/dispute/ticket.ts";
import { forgeCommitment, honestCommitment } from "../../src/dispute/faults.ts";
import { at } from "../../src/tensor/at.ts";
import { Rng } from "../../src/vectors/rng.ts";
import { DEPTH, challengeJob, committedJob, saltOf, shippedModel, type ShippedModel } from "./fixture.ts";

/** More than the 16 open challenges the game used to allow per job. */
const SYBILS = 20;
const WATCHER = 0;
const CHEATER = 1;

let table: LocalTable;
let model: ShippedModel;

before(async () => {
  table = await openTable({ challengers: 2 });
  model = await shippedModel(table);
});

after(async () => {
  await table?.stop();
});

function refusedWith(name: ProtocolErrorName) {
  return (err: unknown) => err instanceof CallRevertedError && err.errorName === name;
}

function ticketFor(seat: number, jobId: bigint, commitmentHash: `0x${string}`, rng: Rng): ChallengeTicket {
  return {
    jobId,
    modelId: model.modelId,
    commitmentHash,
    challenger: table.challenger(seat).wallet.account.address,
    salt: saltOf(rng),
  };
}

test("no cap: a cheater's 20 sybil challenges on its own wrong result cannot keep an honest challenger out", async () => {
  for (let s = 0; s < 2 * DEPTH; s++) {
    const rng = new Rng(0x9ace + s);
    const trace = await model.trace(rng.int(model.images.count));
    const commitment = forgeCommitment("wrong-output", model.compiled, trace, rng);
    const { jobId, commitmentHash } = await committedJob(table, model.modelId, trace.input, commitment);

    // The cheater (the provider's friend) reveals more challenges than the old cap of 16 allowed.
    const cheater = table.challenger(CHEATER);
    const tickets = Array.from({ length: SYBILS }, () => ticketFor(CHEATER, jobId, commitmentHash, rng));
    const ids: bigint[] = [];
    for (const t of tickets) ids.push((await commitTicket(cheater, t)).id);
    await mineBlock(table);
    for (const [k, t] of tickets.entries()) await revealTicket(cheater, at(ids, k), t);

    // The honest watcher commits after all of them; its reveal still gets in.
    const watcher = table.challenger(WATCHER);
    const watcherTicket = ticketFor(WATCHER, jobId, commitmentHash, rng);
    const { id: watcherId } = await commitTicket(watcher, watcherTicket);
    await mineBlock(table);
    await revealTicket(watcher, watcherId, watcherTicket);
    assert.equal((await disputeOf(table, jobId)).open, SYBILS + 1);

    // The sybils stay silent; the watcher plays and the provider claims the sybils' timeouts.
    const watcherAddress = watcher.wallet.account.address;
    const before = await claimableOf(table, watcherAddress);
    await playOut(table, {
      jobId,
      compiled: model.compiled,
      provider: commitment,
      challengers: [{ client: watcher, id: watcherId, honest: trace }],
    });
    const won = await challengeOf(table, watcherId);
    assert.equal(won.outcome, Outcome.Won);
    for (const id of ids) assert.equal((await challengeOf(table, id)).outcome, Outcome.Lost);
    const dispute = await disputeOf(table, jobId);
    assert.equal(dispute.winner, watcherId);
    assert.equal(dispute.settled, true);
    assert.equal((await jobOf(table, jobId)).status, 4, "not Slashed");
    // The winner is credited its bond back, the bounty and every sybil's lost bond (the pot).
    const bond = LOCAL_MODEL_PARAMS.challengerBond;
    assert.equal(
      await claimableOf(table, watcherAddress),
      before + bond + LOCAL_MODEL_PARAMS.collateralPerJob / 2n + BigInt(SYBILS) * bond,
    );
    const balance = await balanceOf(table, watcherAddress);
    const credited = await claimableOf(table, watcherAddress);
    const { amount } = await withdrawClaimable(watcher);
    assert.equal(amount, credited);
    assert.equal(await balanceOf(table, watcherAddress), balance + credited);
    assert.equal((await withdrawClaimable(watcher)).amount, 0n, "nothing left to withdraw");
    assert.equal(await claimableOf(table, watcherAddress), 0n);
  }
});

test("a job whose every challenge failed is released only after the grace period, then finalizes", async () => {
  const rng = new Rng(0x9ace_f);
  const trace = await model.trace(rng.int(model.images.count));
  const commitment = honestCommitment(trace);
  const { jobId, commitmentHash } = await committedJob(table, model.modelId, trace.input, commitment);
  const { id } = await challengeJob(table, WATCHER, jobId, rng);

  // The challenge fails (its challenger stays silent); the provider claims the timeout.
  await playProvider(table.provider, jobId, commitment);
  const { deadline } = await challengeOf(table, id);
  const job = await jobOf(table, jobId);
  const late = (deadline > job.windowEnd ? deadline : job.windowEnd) + 1n;
  await mineAt(table, late);
  await playProvider(table.provider, jobId, commitment);
  const failed = await challengeOf(table, id);
  assert.equal(failed.phase, Phase.Resolved);
  assert.equal(failed.outcome, Outcome.Lost);
  const { graceEnd } = await disputeOf(table, jobId);
  assert.equal(graceEnd, (await now(table)) + LOCAL_MODEL_PARAMS.responseWindow);

  // Frozen through the grace period: no settle, no finalize.
  await mineAt(table, graceEnd - 2n);
  await assert.rejects(send(table.requester, settleDispute(table.addresses, jobId)), refusedWith("NotSettleable"));
  await assert.rejects(send(table.requester, finalizeJob(table.addresses, jobId)), refusedWith("JobFrozen"));

  // Released at the end of the grace period; then nobody can challenge it any more, and it finalizes.
  await mineAt(table, graceEnd);
  await playOut(table, { jobId, compiled: model.compiled, provider: commitment, challengers: [] });
  assert.equal((await jobOf(table, jobId)).frozen, false);
  const late2 = table.challenger(CHEATER);
  const t = ticketFor(CHEATER, jobId, commitmentHash, rng);
  const { id: tooLate } = await commitTicket(late2, t);
  await mineBlock(table);
  await assert.rejects(revealTicket(late2, tooLate, t), refusedWith("WindowClosed"));
  await send(table.requester, finalizeJob(table.addresses, jobId));
  const [status] = await readJobResult(table.public, { address: table.addresses.jobManager, jobId });
  assert.equal(status, 3, "not Finalized");
});
