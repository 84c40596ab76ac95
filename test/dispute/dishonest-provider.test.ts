/**
 * A dishonest provider always loses against one honest challenger, for every
 * kind of fault that changes its output (DESIGN.md invariants), and the slash pays
 * exactly as docs/PROTOCOL.md §9.4 says: 50 % of the collateral to the challenger,
 * 30 % to the requester on top of its refunded fee, 20 % to the treasury, the bond
 * back. A junk trace behind the correct output is no fraud: only the output is
 * committed, the honest challenger does not dispute it and the job finalizes.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { readJobResult } from "../../src/chain/read/jobs.ts";
import {
  holdingsOf,
  challengeOf,
  disputeOf,
  jobOf,
  LOCAL_MODEL_PARAMS,
  LOCAL_TREASURY,
  openTable,
  playOut,
  mineAt,
  stakeOf,
  type LocalTable,
} from "../harness/localTable.ts";
import { JobStatus } from "../../src/chain/enums.ts";
import { finalizeJob } from "../../src/client/calls.ts";
import { send } from "../../src/client/send.ts";
import { Outcome, Reason, reasonName } from "../../src/dispute/state.ts";
import { INTEGER_FAULT_KINDS, forgeCommitment, type FaultKind } from "../../src/dispute/faults.ts";
import { Rng } from "../../src/vectors/rng.ts";
import { DEPTH, challengeJob, committedJob, shippedModel, type ShippedModel } from "./fixture.ts";

const SEEDS = 20 * DEPTH;

/** The faults of the exact integer profile that change the output (float-bias is float32's). */
type IntegerFraud = Exclude<FaultKind, "junk-trace" | "float-bias">;

/** How each fault that changes the output is caught. */
const EXPECTED_REASON: Record<IntegerFraud, Reason> = {
  "wrong-output": Reason.FraudProven,
  "flipped-element": Reason.FraudProven,
  "substituted-weights": Reason.FraudProven,
  "skipped-layer": Reason.FraudProven,
  // postRoots refuses roots that do not end in the committed output: it misses the deadline.
  "inconsistent-trace": Reason.ProviderTimeout,
  withhold: Reason.ProviderTimeout,
  silent: Reason.ProviderTimeout,
  // Its whole reveal is refused (NonCanonicalWord), so it can only let the deadline pass.
  "non-canonical": Reason.ProviderTimeout,
};

let table: LocalTable;
let model: ShippedModel;

before(async () => {
  table = await openTable({ challengers: 1 });
  model = await shippedModel(table);
});

after(async () => {
  await table?.stop();
});

async function playFault(kind: IntegerFraud, seed: number): Promise<void> {
  const rng = new Rng(seed);
  const trace = await model.trace(rng.int(model.images.count));
  const commitment = forgeCommitment(kind, model.compiled, trace, rng);
  assert.notEqual(commitment.outputRoot, trace.outputRoot, "the fault left the committed output right");

  const challenger = table.challenger(0).wallet.account.address;
  const provider = table.provider.wallet.account.address;
  const requester = table.requester.wallet.account.address;
  const before = {
    challenger: await holdingsOf(table, challenger),
    requester: await holdingsOf(table, requester),
    treasury: await holdingsOf(table, LOCAL_TREASURY),
    provider: await holdingsOf(table, provider),
    stake: await stakeOf(table, provider),
  };

  const { jobId } = await committedJob(table, model.modelId, trace.input, commitment);
  const { id } = await challengeJob(table, 0, jobId, rng);
  await playOut(table, {
    jobId,
    compiled: model.compiled,
    provider: commitment,
    challengers: [{ client: table.challenger(0), id, honest: trace }],
  });

  const label = `${kind}, seed ${seed} (fault at node ${commitment.faultNode})`;
  const c = await challengeOf(table, id);
  assert.equal(c.outcome, Outcome.Won, `${label}: the challenger did not win (${reasonName(c.reason)})`);
  assert.equal(c.reason, EXPECTED_REASON[kind], `${label}: won by ${reasonName(c.reason)}`);
  const dispute = await disputeOf(table, jobId);
  assert.equal(dispute.settled, true, `${label}: not settled`);
  assert.equal(dispute.winner, id);

  const C = LOCAL_MODEL_PARAMS.collateralPerJob;
  const bounty = C / 2n;
  const share = (C * 3n) / 10n;
  assert.equal(await holdingsOf(table, challenger), before.challenger + bounty, `${label}: bounty (bond back)`);
  assert.equal(await holdingsOf(table, requester), before.requester + share, `${label}: refund (fee back + 30 %)`);
  assert.equal(
    await holdingsOf(table, LOCAL_TREASURY),
    before.treasury + (C - bounty - share),
    `${label}: treasury share`,
  );
  assert.equal(await holdingsOf(table, provider), before.provider, `${label}: the provider was paid`);
  const stake = await stakeOf(table, provider);
  assert.equal(stake.free, before.stake.free - C, `${label}: the collateral was not taken`);
  assert.equal(stake.locked, before.stake.locked, `${label}: collateral still locked`);

  const job = await jobOf(table, jobId);
  assert.equal(job.status, 4, `${label}: not Slashed`);
  assert.equal(job.frozen, false);
  const [status, output] = await readJobResult(table.public, { address: table.addresses.jobManager, jobId });
  assert.equal(status, 4, `${label}: resultOf does not say Slashed`);
  assert.equal(output, "0x", `${label}: a slashed result is readable`);
}

for (const [k, kind] of INTEGER_FAULT_KINDS.entries()) {
  // junk-trace is not fraud (the test below); float-bias is not in the list (narrowed for the type).
  if (kind === "junk-trace" || kind === "float-bias") continue;
  test(`a provider at fault (${kind}) always loses to one honest challenger (${SEEDS} seeds)`, async () => {
    for (let s = 0; s < SEEDS; s++) await playFault(kind, 0x50_000 + k * 1000 + s);
  });
}

test(`a junk trace behind the correct output is not slashable: nobody honest disputes it and the job finalizes (${SEEDS} seeds)`, async () => {
  for (let s = 0; s < SEEDS; s++) {
    const rng = new Rng(0x5f_000 + s);
    const trace = await model.trace(rng.int(model.images.count));
    const commitment = forgeCommitment("junk-trace", model.compiled, trace, rng);
    const label = `seed ${s} (junk at node ${commitment.faultNode})`;
    assert.equal(commitment.outputRoot, trace.outputRoot, `${label}: the output is the honest one`);
    assert.notDeepEqual(commitment.nodeRoots, trace.nodeRoots, `${label}: the trace is junk`);
    // What an honest watcher compares: the committed output with its own run. Equal: no challenge.
    const provider = table.provider.wallet.account.address;
    const before = await holdingsOf(table, provider);
    const stake = await stakeOf(table, provider);
    const { jobId } = await committedJob(table, model.modelId, trace.input, commitment);
    const job = await jobOf(table, jobId);
    assert.equal(job.outputRoot, trace.outputRoot, `${label}: the honest output is on-chain`);
    await mineAt(table, job.windowEnd);
    await send(table.requester, finalizeJob(table.addresses, jobId));
    assert.equal((await jobOf(table, jobId)).status, JobStatus.Finalized, `${label}: not finalized`);
    assert.equal(await holdingsOf(table, provider), before + job.fee, `${label}: the provider earned the fee`);
    assert.equal((await stakeOf(table, provider)).free, stake.free, `${label}: the collateral came back`);
  }
});
