/**
 * Exact gas of whole disputes on the shipped model (gas is deterministic on a fresh
 * anvil with a fixed history, and the legacy code generator gives a contract the same
 * code on any build, fresh or incremental, hardhat.config.ts; so it is asserted exactly,
 * like a gas snapshot), and the
 * target of docs/PROTOCOL.md: at most 6 transactions and under 1.5 M gas per dispute.
 * When a contract change moves these figures, rerun `npm run gas` and update them here
 * (the job figures are this test's own run: one batch size, after the disputes).
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { openTable, type LocalTable } from "../../src/dispute/local.ts";
import { loadShipped, measureFullDisputes, measureJobs, TARGET, type MeasuredDispute } from "../../scripts/gas.ts";

/** Gas per move of each measured dispute, in order (commitChallenge … the settling move). */
const EXPECTED: Record<string, readonly number[]> = {
  "wrong-output": [73199, 259180, 103447, 207702, 80763, 259443],
  "flipped-element@node1": [73199, 259192, 103447, 220344, 103353, 431065],
  "flipped-element@node0": [73187, 259192, 103411, 208361, 115781, 277014],
};

let table: LocalTable;
let disputes: Record<string, MeasuredDispute>;
let jobs: Awaited<ReturnType<typeof measureJobs>>;

before(async () => {
  table = await openTable({ challengers: 2 });
  const shipped = await loadShipped(table);
  disputes = await measureFullDisputes(table, shipped);
  jobs = await measureJobs(table, shipped, [64]);
});

after(async () => {
  await table?.stop();
});

test("a whole dispute on the shipped model takes at most 6 transactions and under 1.5 M gas", () => {
  for (const [name, d] of Object.entries(disputes)) {
    assert.ok(d.transactions <= TARGET.maxTransactions, `${name}: ${d.transactions} transactions`);
    assert.ok(d.gas < TARGET.maxGas, `${name}: ${d.gas} gas`);
    assert.deepEqual(
      d.moves.map((m) => m.kind),
      ["commitChallenge", "revealChallenge", "postRoots", "selectNode", "revealWhole", "proveStep"],
      name,
    );
  }
});

test("the gas of each dispute move on a fixed seed is exactly the snapshot", () => {
  for (const [name, expected] of Object.entries(EXPECTED)) {
    const moves = disputes[name].moves;
    assert.deepEqual(
      moves.map((m) => m.gas),
      expected,
      `${name}: ${moves.map((m) => `${m.kind} ${m.gas}`).join(", ")}`,
    );
  }
});

/** The job calls after the disputes above, on the same chain (one 64-job batch). */
const EXPECTED_JOBS = { request: 207146, commit: 128132, commitBatchPerJob: { "64": 33069 }, finalize: 81546 };

test("the gas of request, commit, a 64-job batch commit and finalize is exactly the snapshot", () => {
  assert.deepEqual(jobs, EXPECTED_JOBS);
});

test("a job in a 64-job batch commit costs under a third of a single commit", () => {
  // The batch writes its jobs' data once, as contract code (docs/PROTOCOL.md §7), so a
  // job adds only its entry bytes and one rewritten storage word.
  const ratio = jobs.commitBatchPerJob["64"] / jobs.commit;
  assert.ok(ratio < 1 / 3, `per job ${jobs.commitBatchPerJob["64"]} against ${jobs.commit}: ${ratio.toFixed(3)}`);
});
