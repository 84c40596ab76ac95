import assert from "node:assert/strict";
import { test } from "node:test";
import { jobOutsidePolicy, modelOutsidePolicy, type OperatorPolicy } from "../../src/service/policy.ts";

const MODEL_A = `0x${"a".repeat(64)}` as const;
const MODEL_B = `0x${"b".repeat(64)}` as const;
const policy: OperatorPolicy = { minResponseWindow: 15, allowedModels: [] };

test("a response window below the minimum is refused, at the minimum it is served", () => {
  assert.match(
    modelOutsidePolicy(MODEL_A, { responseWindow: 14n }, policy) ?? "",
    /14 s is below the policy minimum 15 s/,
  );
  assert.equal(modelOutsidePolicy(MODEL_A, { responseWindow: 15n }, policy), undefined);
});

test("with an allow list, only the listed registrations are served (case-insensitive)", () => {
  const only = { ...policy, allowedModels: [MODEL_A] };
  assert.equal(modelOutsidePolicy(`0x${"A".repeat(64)}`, { responseWindow: 60n }, only), undefined);
  assert.match(modelOutsidePolicy(MODEL_B, { responseWindow: 60n }, only) ?? "", /not in the allowed models/);
});

test("collateral per fee: no limit by default; a fee of 0 exceeds any limit; the limit itself passes", () => {
  assert.equal(jobOutsidePolicy(0n, 100n, policy), undefined);
  const limited = { ...policy, maxCollateralPerFee: 1000 };
  assert.match(jobOutsidePolicy(0n, 100n, limited) ?? "", /more than 1000 × the fee 0/);
  assert.equal(jobOutsidePolicy(1n, 1000n, limited), undefined);
  assert.match(jobOutsidePolicy(1n, 1001n, limited) ?? "", /more than 1000/);
  assert.equal(jobOutsidePolicy(0n, 0n, limited), undefined, "nothing at risk, nothing to refuse");
  const fractional = { ...policy, maxCollateralPerFee: 2.5 };
  assert.equal(jobOutsidePolicy(2n, 5n, fractional), undefined);
  assert.match(jobOutsidePolicy(2n, 6n, fractional) ?? "", /more than 2.5/);
});
