/**
 * Gas of `OneStepVerifier.execute` (eth_estimateGas on anvil: the whole call as
 * a transaction, 21,000 intrinsic and calldata included) for one representative
 * node per opcode and for MatMulInteger at K = 64, 784 and 4096, measured by
 * src/bench/oneStepGas.ts — the code `npm run gas` runs. Holds every figure exactly
 * to the committed snapshot (bench/gas.json `oneStep`, bench/gas-onestep-k4096-parts.json;
 * when a contract change moves them, run `npm run gas` and commit the files) and under a
 * ceiling far below a block, so the one-step check can never become unprovable by gas.
 * Writes nothing.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { measureOneStepGas, openOneStepChain, type OneStepChain, type OneStepGas } from "../../src/bench/oneStepGas.ts";
import { IntegerOpcode as Opcode } from "../../src/graph/opcode.ts";
import { GAS_FILE, ONE_STEP_PARTS_FILE } from "../../scripts/gas.ts";
import { assertSnapshot, readSnapshot } from "../gasSnapshot.ts";

/**
 * Gas ceilings, about 1.4× the measured figures: a regression guard (the snapshot shows
 * the exact change), and a proof that every one-step check stays far below a 30M-gas block.
 */
const CEILING = 150_000;
const CEILINGS: Record<string, number> = {
  "MatMulInteger.K784": 300_000,
  "MatMulInteger.K4096": 800_000,
};

let chain: OneStepChain;
let measured: OneStepGas;

before(async () => {
  chain = await openOneStepChain();
  measured = await measureOneStepGas(chain);
});

after(async () => {
  await chain?.stop();
});

test("execute gas per opcode and per MatMulInteger K stays under its ceiling and is exactly bench/gas.json's oneStep", (t) => {
  for (const v of measured.values) assert.equal(v.onChain, v.reference, `${v.key}: on-chain value`);
  const gas = measured.gas;
  for (const [key, used] of Object.entries(gas)) t.diagnostic(`${key}: ${used} gas`);
  for (const [key, used] of Object.entries(gas)) {
    const ceiling = CEILINGS[key] ?? CEILING;
    assert.ok(used < ceiling, `${key}: ${used} gas, ceiling ${ceiling}`);
  }
  for (const op of Object.keys(Opcode)) assert.ok(gas[op] !== undefined, `no gas figure for ${op}`);
  const snapshot = readSnapshot(GAS_FILE);
  assertSnapshot(gas, snapshot.json["oneStep"], "oneStep", snapshot.name);
});

test("MatMulInteger K = 4096: where the gas goes, packed dot product against extracted int256 arrays", (t) => {
  const { packed: packedValue, extracted: extractedValue, reference } = measured.k4096Values;
  assert.equal(packedValue, reference);
  assert.equal(extractedValue, reference);
  const parts = measured.k4096Parts;
  t.diagnostic(JSON.stringify(parts));
  // The packed kernel is why the one-step check is cheap: keep it an order of magnitude ahead.
  const packed = parts["dot.packed"];
  const extracted = parts["dot.extractedInt256Arrays"];
  assert.ok(packed * 10 < extracted, `packed ${packed} vs extracted ${extracted}`);
  const snapshot = readSnapshot(ONE_STEP_PARTS_FILE);
  assertSnapshot(parts, snapshot.json, "K = 4096 parts", snapshot.name);
});
