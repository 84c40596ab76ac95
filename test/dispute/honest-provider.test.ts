/**
 * An honest provider never loses a dispute, against any challenger strategy
 * (DESIGN.md invariants): random nodes and elements, forged operand openings,
 * operands from the wrong node, forged claims, elements that match, moves exactly
 * at the deadline (accepted) or one second after (refused), silence. Each game is
 * one job of the shipped model, challenged by one to three challengers; the
 * provider plays the reference solver from its honest trace.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { finalizeJob } from "../../src/client/calls.ts";
import { send } from "../../src/client/send.ts";
import { readJobResult } from "../../src/chain/read/jobs.ts";
import {
  holdingsOf,
  challengeOf,
  disputeOf,
  jobOf,
  mineAt,
  now,
  openTable,
  playOut,
  type ChallengerSeat,
  type LocalTable,
  type Timing,
} from "../harness/localTable.ts";
import { Outcome, Phase, Reason, reasonName } from "../../src/dispute/state.ts";
import type { ChallengerStrategy } from "../../src/dispute/strategy.ts";
import { honestStrategy } from "../../src/dispute/strategy.ts";
import { honestCommitment } from "../../src/dispute/faults.ts";
import { at } from "../../src/tensor/at.ts";
import { Rng } from "../../src/vectors/rng.ts";
import { DEPTH, challengeJob, committedJob, shippedModel, type ShippedModel } from "./fixture.ts";
import {
  forgedClaimStrategy,
  forgedOperandsStrategy,
  matchingElementStrategy,
  randomStrategy,
  silentStrategy,
  wrongNodeOperandsStrategy,
} from "./strategies.ts";

const GAMES = 200 * DEPTH;

let table: LocalTable;
let model: ShippedModel;

before(async () => {
  table = await openTable({ challengers: 3 });
  model = await shippedModel(table);
});

after(async () => {
  await table?.stop();
});

const STRATEGIES: readonly ((rng: Rng) => ChallengerStrategy)[] = [
  randomStrategy,
  matchingElementStrategy,
  forgedOperandsStrategy,
  wrongNodeOperandsStrategy,
  forgedClaimStrategy,
  () => silentStrategy,
  () => honestStrategy,
];
const TIMINGS: readonly Timing[] = ["prompt", "prompt", "at-deadline", "late"];

interface Tally {
  games: number;
  challenges: number;
  byStrategy: Map<string, number>;
  byReason: Map<string, number>;
  refusedLate: number;
  acceptedAtDeadline: number;
}

async function playGame(seed: number, tally: Tally): Promise<void> {
  const rng = new Rng(seed);
  const trace = await model.trace(rng.int(model.images.count));
  const commitment = honestCommitment(trace);
  const { jobId } = await committedJob(table, model.modelId, trace.input, commitment);
  const providerBefore = await holdingsOf(table, table.provider.wallet.account.address);

  // One challenger most of the time (timing games need the clock to themselves), sometimes up to three.
  const count = rng.float() < 0.8 ? 1 : 2 + rng.int(2);
  const seats: ChallengerSeat[] = [];
  for (let s = 0; s < count; s++) {
    const { id } = await challengeJob(table, s, jobId, rng);
    const strategy = at(STRATEGIES, rng.int(STRATEGIES.length))(rng);
    const timing = count === 1 ? at(TIMINGS, rng.int(TIMINGS.length)) : "prompt";
    seats.push({ client: table.challenger(s), id, honest: trace, strategy, timing });
    tally.byStrategy.set(`${strategy.name}/${timing}`, (tally.byStrategy.get(`${strategy.name}/${timing}`) ?? 0) + 1);
  }
  const providerTiming: Timing = count === 1 && rng.float() < 0.25 ? "at-deadline" : "prompt";

  const record = await playOut(table, {
    jobId,
    compiled: model.compiled,
    provider: commitment,
    providerTiming,
    challengers: seats,
  });

  let bonds = 0n;
  for (const seat of seats) {
    const c = await challengeOf(table, seat.id);
    const label = `seed ${seed}, challenge ${seat.id} (${seat.strategy?.name}/${seat.timing})`;
    assert.equal(c.phase, Phase.Resolved, `${label}: not resolved`);
    assert.equal(c.outcome, Outcome.Lost, `${label}: the honest provider lost (${reasonName(c.reason)})`);
    assert.ok(
      c.reason === Reason.ElementMatches || c.reason === Reason.ChallengerTimeout,
      `${label}: ${reasonName(c.reason)}`,
    );
    tally.byReason.set(reasonName(c.reason), (tally.byReason.get(reasonName(c.reason)) ?? 0) + 1);
    bonds += c.bond;
  }
  for (const step of record.steps) {
    if (step.who === "provider") continue;
    const seat = at(seats, step.who);
    if (seat.timing === "late")
      tally.refusedLate += step.result.refused.filter(
        (r) => r.error.errorName === "DeadlinePassed" || !r.error.errorName,
      ).length;
    if (seat.timing === "at-deadline")
      tally.acceptedAtDeadline += step.result.sent.filter((s) => s.move.kind !== "timeout").length;
    // A move sent one second late is never accepted.
    if (seat.timing === "late")
      assert.equal(
        step.result.sent.filter((s) => s.move.kind !== "timeout").length,
        0,
        `seed ${seed}: a late move was accepted`,
      );
  }

  const dispute = await disputeOf(table, jobId);
  assert.equal(dispute.fraud, false, `seed ${seed}: fraud recorded against an honest provider`);
  assert.equal(
    await holdingsOf(table, table.provider.wallet.account.address),
    providerBefore + bonds,
    `seed ${seed}: the provider was not paid every lost bond`,
  );

  // Released after the grace period; finalizes once its window is over, and the result is readable.
  const job = await jobOf(table, jobId);
  assert.equal(job.frozen, false, `seed ${seed}: still frozen`);
  if ((await now(table)) < job.windowEnd) await mineAt(table, job.windowEnd);
  await send(table.requester, finalizeJob(table.addresses, jobId));
  const [status, output] = await readJobResult(table.public, { address: table.addresses.jobManager, jobId });
  assert.equal(status, 3, `seed ${seed}: not Finalized`);
  assert.equal(output, `0x${Buffer.from(commitment.outputPacked).toString("hex")}`);
  tally.games += 1;
  tally.challenges += seats.length;
}

test(`an honest provider never loses, over ${GAMES} games against every challenger strategy`, async () => {
  const tally: Tally = {
    games: 0,
    challenges: 0,
    byStrategy: new Map(),
    byReason: new Map(),
    refusedLate: 0,
    acceptedAtDeadline: 0,
  };
  for (let g = 0; g < GAMES; g++) {
    const seed = 0x40_000 + g;
    try {
      await playGame(seed, tally);
    } catch (err) {
      // The reporter prints the message, not the cause: carry the cause's text in it, so that
      // a failure in a long deep run can be read without running it again.
      const why = err instanceof Error ? (err.stack ?? err.message) : String(err);
      throw new Error(`game with seed ${seed} failed: ${why}`, { cause: err });
    }
  }
  assert.equal(tally.games, GAMES);
  // Every strategy and both deadline edges were exercised.
  for (const make of STRATEGIES)
    assert.ok([...tally.byStrategy.keys()].some((k) => k.startsWith(make(new Rng(0)).name)));
  assert.ok(tally.acceptedAtDeadline > 0, "no move was played exactly at its deadline");
  assert.ok(tally.refusedLate > 0, "no move was refused one second after its deadline");
  assert.ok((tally.byReason.get("ElementMatches") ?? 0) > 0);
  assert.ok((tally.byReason.get("ChallengerTimeout") ?? 0) > 0);
});
