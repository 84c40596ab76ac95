/**
 * Bounties go to the challenger who committed first and proved; nobody else can
 * take them (DESIGN.md invariants, docs/PROTOCOL.md §9.1 and §9.4). A copier sees
 * a watcher's reveal (its jobId and commitmentHash are public from then on),
 * commits and reveals the same dispute later and even proves first: the bounty
 * still goes to the first committer.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { parseEventLogs } from "viem";
import { disputeGameAbi } from "../../src/chain/abis.ts";
import { getChallengeRevealedLogs } from "../../src/chain/read/disputeEvents.ts";
import { commitChallenge, revealChallenge } from "../../src/client/calls.ts";
import { CallRevertedError, send } from "../../src/client/send.ts";
import {
  holdingsOf,
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
import { playChallenger, playProvider } from "../../src/dispute/play.ts";
import { Outcome, Phase, Reason } from "../../src/dispute/state.ts";
import {
  challengeCommitment,
  commitTicket,
  ensureBondAllowance,
  revealTicket,
  type ChallengeTicket,
} from "../../src/dispute/ticket.ts";
import { forgeCommitment } from "../../src/dispute/faults.ts";
import { Rng } from "../../src/vectors/rng.ts";
import { DEPTH, challengeJob, committedJob, saltOf, shippedModel, type ShippedModel } from "./fixture.ts";
import { silentStrategy } from "./strategies.ts";

const SEEDS = 3 * DEPTH;
const BOND = LOCAL_MODEL_PARAMS.challengerBond;
const BOUNTY = LOCAL_MODEL_PARAMS.collateralPerJob / 2n;
const WATCHER = 0;
const COPIER = 1;

let table: LocalTable;
let model: ShippedModel;

before(async () => {
  table = await openTable({ challengers: 2 });
  model = await shippedModel(table);
});

after(async () => {
  await table?.stop();
});

/** A wrong job, challenged by the watcher, then by a copier that read the watcher's reveal. */
async function watchedAndCopied(seed: number) {
  const rng = new Rng(seed);
  const trace = await model.trace(rng.int(model.images.count));
  const commitment = forgeCommitment(
    rng.float() < 0.5 ? "wrong-output" : "flipped-element",
    model.compiled,
    trace,
    rng,
  );
  const { jobId } = await committedJob(table, model.modelId, trace.input, commitment);
  const watcher = await challengeJob(table, WATCHER, jobId, rng);

  // The copier learns the dispute from the watcher's ChallengeRevealed event.
  const revealed = await getChallengeRevealedLogs(table.public, {
    address: table.addresses.disputeGame,
    fromBlock: table.deployment.deployBlock,
  });
  const seen = revealed.find((l) => l.args.id === watcher.id)?.args;
  assert.ok(seen !== undefined, `no ChallengeRevealed for challenge ${watcher.id}`);
  const copierClient = table.challenger(COPIER);
  const ticket: ChallengeTicket = {
    jobId: seen.jobId!,
    modelId: model.modelId,
    commitmentHash: seen.commitmentHash!,
    challenger: copierClient.wallet.account.address,
    salt: saltOf(rng),
  };
  const { id: copierId } = await commitTicket(copierClient, ticket);
  await mineBlock(table);
  await revealTicket(copierClient, copierId, ticket);
  assert.ok(copierId > watcher.id);
  return { rng, trace, commitment, jobId, watcherId: watcher.id, copierId };
}

test("the first committer takes the bounty even when a copier proves first", async () => {
  for (let s = 0; s < SEEDS; s++) {
    const { trace, commitment, jobId, watcherId, copierId } = await watchedAndCopied(0xc0 + s);
    const watcher = table.challenger(WATCHER);
    const copier = table.challenger(COPIER);
    // Balances after both reveals: each bond is out.
    const before = {
      watcher: await holdingsOf(table, watcher.wallet.account.address),
      copier: await holdingsOf(table, copier.wallet.account.address),
    };

    // The copier plays its challenge to the end before the watcher moves at all.
    for (let step = 0; step < 8; step++) {
      await playProvider(table.provider, jobId, commitment);
      await playChallenger(copier, copierId, model.compiled, trace);
    }
    const copied = await challengeOf(table, copierId);
    assert.equal(copied.outcome, Outcome.Won, "the copier proved the fraud");
    let dispute = await disputeOf(table, jobId);
    assert.equal(dispute.fraud, true);
    assert.equal(dispute.settled, false, "settled while an older challenge is still open");
    assert.equal((await jobOf(table, jobId)).status, 2, "slashed before the first committer finished");
    assert.equal(
      await holdingsOf(table, copier.wallet.account.address),
      before.copier + BOND,
      "the copier's bond came back",
    );

    // The watcher proves too: it committed first, so the bounty is its.
    await playOut(table, {
      jobId,
      compiled: model.compiled,
      provider: commitment,
      challengers: [{ client: watcher, id: watcherId, honest: trace }],
    });
    dispute = await disputeOf(table, jobId);
    assert.equal(dispute.settled, true);
    assert.equal(dispute.winner, watcherId);
    assert.equal((await challengeOf(table, watcherId)).reason, Reason.FraudProven);
    assert.equal(await holdingsOf(table, watcher.wallet.account.address), before.watcher + BOND + BOUNTY);
    assert.equal(
      await holdingsOf(table, copier.wallet.account.address),
      before.copier + BOND,
      "the copier got a share",
    );
  }
});

test("a younger challenge still open when the first committer wins is moot: bond back, no bounty", async () => {
  const { trace, commitment, jobId, watcherId, copierId } = await watchedAndCopied(0xc1_00);
  const copier = table.challenger(COPIER);
  const copierBefore = await holdingsOf(table, copier.wallet.account.address);
  await playOut(table, {
    jobId,
    compiled: model.compiled,
    provider: commitment,
    challengers: [
      { client: table.challenger(WATCHER), id: watcherId, honest: trace },
      { client: copier, id: copierId, honest: trace, strategy: silentStrategy },
    ],
  });
  const copied = await challengeOf(table, copierId);
  assert.equal((await disputeOf(table, jobId)).winner, watcherId);
  assert.equal(copied.phase, Phase.Resolved);
  assert.equal(copied.outcome, Outcome.Moot);
  assert.equal(copied.reason, Reason.Superseded);
  assert.equal(await holdingsOf(table, copier.wallet.account.address), copierBefore + BOND);
});

test("when the first committer fails to prove, the copier's proven challenge takes the bounty", async () => {
  const { trace, commitment, jobId, watcherId, copierId } = await watchedAndCopied(0xc2_00);
  const copier = table.challenger(COPIER);
  const before = await holdingsOf(table, copier.wallet.account.address);
  await playOut(table, {
    jobId,
    compiled: model.compiled,
    provider: commitment,
    challengers: [
      { client: table.challenger(WATCHER), id: watcherId, honest: trace, strategy: silentStrategy },
      { client: copier, id: copierId, honest: trace },
    ],
  });
  assert.equal((await challengeOf(table, watcherId)).outcome, Outcome.Lost);
  assert.equal((await disputeOf(table, jobId)).winner, copierId);
  // The watcher's lost bond went to the job's pot, which the winner takes on the slash.
  assert.equal(await holdingsOf(table, copier.wallet.account.address), before + BOND + BOUNTY + BOND);
});

test("a copied commitment cannot be revealed by the copier: it binds the watcher's address", async () => {
  const rng = new Rng(0xc3_00);
  const trace = await model.trace(rng.int(model.images.count));
  const commitment = forgeCommitment("wrong-output", model.compiled, trace, rng);
  const { jobId, commitmentHash } = await committedJob(table, model.modelId, trace.input, commitment);
  const watcher = table.challenger(WATCHER).wallet.account.address;
  const watcherTicket: ChallengeTicket = {
    jobId,
    modelId: model.modelId,
    commitmentHash,
    challenger: watcher,
    salt: saltOf(rng),
  };
  const copier = table.challenger(COPIER);
  // The copier front-runs the watcher's commit with the same commitment bytes (and even learns the salt later).
  await ensureBondAllowance(copier, model.modelId);
  const { receipt } = await send(
    copier,
    commitChallenge(table.addresses, model.modelId, challengeCommitment(watcherTicket)),
  );
  const [event] = parseEventLogs({ abi: disputeGameAbi, logs: receipt.logs, eventName: "ChallengeCommitted" });
  assert.ok(event !== undefined, "the commit emitted no ChallengeCommitted");
  await mineAt(table, (await now(table)) + 1n);
  await assert.rejects(
    send(copier, revealChallenge(table.addresses, event.args.id, jobId, commitmentHash, watcherTicket.salt)),
    (err: unknown) => err instanceof CallRevertedError && err.errorName === "CommitmentMismatch",
  );
});
