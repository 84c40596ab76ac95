/**
 * Exact gas of whole disputes on the shipped model (gas is deterministic on a fresh
 * anvil with a fixed history, so it is asserted exactly, like a gas snapshot), and the
 * target of docs/PROTOCOL.md: at most 6 transactions and under 1.5 M gas per dispute.
 * When a contract change moves these figures, rerun `npm run gas` and update them here.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { openTable, type LocalTable } from "../../src/dispute/local.ts";
import { loadShipped, measureFullDisputes, TARGET, type MeasuredDispute } from "../../scripts/gas.ts";

/** Gas per move of each measured dispute, in order (commitChallenge … the settling move). */
const EXPECTED: Record<string, readonly number[]> = {
  "wrong-output": [73286, 244976, 95762, 198368, 92247, 220131],
  "flipped-element@node1": [73286, 244988, 95762, 210605, 114783, 384956],
  "flipped-element@node0": [73274, 244988, 95726, 199076, 126354, 234931],
};

let table: LocalTable;
let disputes: Record<string, MeasuredDispute>;

before(async () => {
  table = await openTable({ challengers: 2 });
  disputes = await measureFullDisputes(table, await loadShipped(table));
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
