/**
 * Gas of whole disputes on the shipped model and of the job calls, held exactly to the
 * committed snapshot bench/gas.json (`fullDispute`, `target`, `floatOneStep`, and `jobs` at the 64-job
 * batch this test runs): gas is deterministic on a fresh anvil with a fixed history, and
 * the legacy code generator gives a contract the same code on any build, fresh or
 * incremental (hardhat.config.ts). When a contract change moves a figure, run
 * `npm run gas` (scripts/gas.ts, the same measuring code) and commit bench/gas.json.
 * Also the target of docs/PROTOCOL.md: at most 6 transactions and under 1.5 M gas per
 * dispute. Writes nothing.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { openTable, type LocalTable } from "../harness/localTable.ts";
import {
  fullDisputeRecord,
  GAS_FILE,
  loadShipped,
  measureFloatDisputes,
  measureFullDisputes,
  measureJobs,
  TARGET,
  targetRecord,
  type MeasuredDispute,
} from "../../scripts/gas.ts";
import { assertSnapshot, readSnapshot } from "../gasSnapshot.ts";
import { measureFloatStepGas } from "../../src/bench/floatStepGas.ts";

const snapshot = readSnapshot(GAS_FILE);

let table: LocalTable;
let disputes: Record<string, MeasuredDispute>;
let floatDisputes: Record<string, MeasuredDispute>;
let jobs: Awaited<ReturnType<typeof measureJobs>>;

before(async () => {
  table = await openTable({ challengers: 2 });
  const shipped = await loadShipped(table);
  disputes = await measureFullDisputes(table, shipped);
  floatDisputes = await measureFloatDisputes(table);
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

test("a whole dispute on the float32 CNN takes 5 transactions at any node: the challenger opens the element's word itself", () => {
  for (const [name, d] of Object.entries(floatDisputes)) {
    assert.deepEqual(
      d.moves.map((m) => m.kind),
      ["commitChallenge", "revealChallenge", "postRoots", "selectElement", "proveStep"],
      name,
    );
  }
});

test("the gas of each dispute move on a fixed seed is exactly bench/gas.json's", () => {
  assertSnapshot(
    fullDisputeRecord({ ...disputes, ...floatDisputes }),
    snapshot.json["fullDispute"],
    "fullDispute",
    snapshot.name,
  );
  assertSnapshot(targetRecord(disputes), snapshot.json["target"], "target", snapshot.name);
});

test("the gas of request, commit, a 64-job batch commit and finalize is exactly bench/gas.json's", () => {
  // The job calls after the disputes above, on the same chain; this test runs the 64-job batch only.
  const committed = snapshot.json["jobs"] as { commitBatchPerJob: Record<string, number> };
  assertSnapshot(
    jobs,
    { ...committed, commitBatchPerJob: { "64": committed.commitBatchPerJob["64"] } },
    "jobs",
    snapshot.name,
  );
});

test("one float32 element through FloatStepVerifier costs exactly bench/gas.json's floatOneStep, a MatMul element at K = 784 at most 750,000", async () => {
  const measured = await measureFloatStepGas(
    table.public,
    table.deployment.floatStepVerifier,
    table.requester.wallet.account.address,
  );
  assertSnapshot(measured, snapshot.json["floatOneStep"], "floatOneStep", snapshot.name);
  assert.ok((measured["matMul.784"] ?? Infinity) <= 750_000, `matMul.784: ${measured["matMul.784"]}`);
});

test("a job in a 64-job batch commit costs under a third of a single commit", () => {
  // The batch writes its jobs' data once, as contract code (docs/PROTOCOL.md §7), so a
  // job adds only its entry bytes and one rewritten storage word.
  const perJob = jobs.commitBatchPerJob["64"];
  assert.ok(perJob !== undefined, "the 64-job batch was measured");
  const ratio = perJob / jobs.commit;
  assert.ok(ratio < 1 / 3, `per job ${perJob} against ${jobs.commit}: ${ratio.toFixed(3)}`);
});
