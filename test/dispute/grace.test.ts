/**
 * The grace period (docs/PROTOCOL.md §9.4): a job whose challenges all failed stays
 * frozen and challengeable for one more response window. It is what stops a cheater
 * from filling all 16 challenge slots with its own challenges, holding them past the
 * window and letting them lose: an honest challenger can still reveal, and wins.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { ProtocolErrorName } from "../../src/chain/enums.ts";
import { readJobResult } from "../../src/chain/read/jobs.ts";
import { finalizeJob, settleDispute } from "../../src/client/calls.ts";
import { CallRevertedError, send } from "../../src/client/send.ts";
import {
  balanceOf,
  challengeOf,
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
import { Outcome, Phase, Reason } from "../../src/dispute/state.ts";
import { commitTicket, revealTicket, type ChallengeTicket } from "../../src/dispute/ticket.ts";
import { forgeCommitment, honestCommitment } from "../../src/dispute/faults.ts";
import { at } from "../../src/tensor/at.ts";
import { Rng } from "../../src/vectors/rng.ts";
import { DEPTH, challengeJob, committedJob, saltOf, shippedModel, type ShippedModel } from "./fixture.ts";

const MAX_OPEN_CHALLENGES = 16;
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
  return { jobId, commitmentHash, challenger: table.challenger(seat).wallet.account.address, salt: saltOf(rng) };
}

test("a cheater holding all 16 slots past the window cannot stop an honest challenger in the grace period", async () => {
  for (let s = 0; s < 2 * DEPTH; s++) {
    const rng = new Rng(0x9ace + s);
    const trace = await model.trace(rng.int(model.images.count));
    const commitment = forgeCommitment("wrong-output", model.compiled, trace, rng);
    const { jobId, commitmentHash } = await committedJob(table, model.modelId, trace.input, commitment);

    // The cheater (the provider's friend) fills every slot.
    const cheater = table.challenger(CHEATER);
    const tickets = Array.from({ length: MAX_OPEN_CHALLENGES }, () => ticketFor(CHEATER, jobId, commitmentHash, rng));
    const ids: bigint[] = [];
    for (const t of tickets) ids.push((await commitTicket(cheater, t)).id);
    await mineBlock(table);
    for (const [k, t] of tickets.entries()) await revealTicket(cheater, at(ids, k), t);

    const watcher = table.challenger(WATCHER);
    const watcherTicket = ticketFor(WATCHER, jobId, commitmentHash, rng);
    const { id: watcherId } = await commitTicket(watcher, watcherTicket);
    await mineBlock(table);
    await assert.rejects(revealTicket(watcher, watcherId, watcherTicket), refusedWith("TooManyChallenges"));

    // The provider answers; the cheater's challenges sit silent past the window.
    await playProvider(table.provider, jobId, commitment);
    const job = await jobOf(table, jobId);
    const deadlines = await Promise.all(ids.map(async (id) => (await challengeOf(table, id)).deadline));
    const late = deadlines.reduce((a, b) => (a > b ? a : b), job.windowEnd) + 1n;
    await mineAt(table, late);
    await assert.rejects(send(table.requester, finalizeJob(table.addresses, jobId)), refusedWith("JobFrozen"));

    // They all lose (the provider claims their bonds); the grace period starts with the last one.
    await playProvider(table.provider, jobId, commitment);
    for (const id of ids) assert.equal((await challengeOf(table, id)).reason, Reason.ChallengerTimeout);
    const dispute = await disputeOf(table, jobId);
    assert.equal(dispute.open, 0);
    assert.ok(dispute.graceEnd > (await now(table)), "no grace period");
    assert.ok((await now(table)) > job.windowEnd, "the window is over");
    await assert.rejects(send(table.requester, finalizeJob(table.addresses, jobId)), refusedWith("JobFrozen"));

    // The honest watcher reveals in the grace period and wins the bounty.
    const before = await balanceOf(table, watcher.wallet.account.address);
    await revealTicket(watcher, watcherId, watcherTicket);
    await playOut(table, {
      jobId,
      compiled: model.compiled,
      provider: commitment,
      challengers: [{ client: watcher, id: watcherId, honest: trace }],
    });
    const won = await challengeOf(table, watcherId);
    assert.equal(won.outcome, Outcome.Won);
    assert.equal((await jobOf(table, jobId)).status, 4, "not Slashed");
    assert.equal(
      await balanceOf(table, watcher.wallet.account.address),
      before + LOCAL_MODEL_PARAMS.collateralPerJob / 2n,
    );
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
