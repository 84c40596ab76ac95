/**
 * The bench's simulated executions (src/bench/floatExecutions.ts) and injected claims
 * (claimAtDistance): every order and rounding of an honest executor stays inside B on
 * adversarial operands, and claims placed at c·B are flagged exactly when c > 1.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { adversarialOperands, OPERAND_SETS } from "../../src/bench/floatAdversarial.ts";
import { EXECUTIONS, simulate, valuesOf } from "../../src/bench/floatExecutions.ts";
import { claimAtDistance } from "../../src/bench/floatNoise.ts";
import { ElementCheck } from "../../src/float/check/kernel.ts";
import { kernelFor } from "../../src/float/check/node.ts";
import { dotVerdict, exactDotVerdict } from "../../src/float/dot.ts";
import { toBits } from "../../src/float/f32.ts";
import { STRICT_FP32 } from "../../src/float/policy.ts";
import { Verdict } from "../../src/float/verdict.ts";
import { Rng } from "../../src/vectors/rng.ts";

const gemmOf = (a: readonly number[], b: readonly number[], bias: number) => {
  const f32 = (bits: readonly number[]) => new Float32Array(Uint32Array.from(bits).buffer);
  return kernelFor({
    opType: "Gemm",
    attributes: { alpha: 1, beta: 1 },
    inputs: [
      { dims: [1, a.length], data: f32(a) },
      { dims: [b.length, 1], data: f32(b) },
      { dims: [1], data: f32([bias]) },
    ],
    output: { dims: [1, 1], data: new Float32Array(1) },
  });
};

test("sequential fp32 accumulation matches plain fp32 arithmetic", () => {
  const rng = new Rng(3);
  const e = adversarialOperands(rng, "sameSign", 100);
  const v = valuesOf(e);
  let acc = 0;
  for (let i = 0; i < 100; i++) acc = Math.fround(acc + Math.fround(v.a[i]! * v.b[i]!));
  assert.equal(simulate(v, "sequential", rng), acc);
});

test("every simulated execution of every adversarial operand set is admissible, by the checker and by the exact rule", () => {
  const rng = new Rng(4);
  const out = new ElementCheck();
  for (const set of OPERAND_SETS) {
    const e = adversarialOperands(rng, set, 200);
    const bias = toBits(0.25);
    const kernel = gemmOf(e.a, e.b, bias);
    const v = valuesOf({ ...e, bias });
    for (const execution of EXECUTIONS) {
      const claimed = toBits(simulate(v, execution, rng));
      kernel.check(0, claimed, out);
      assert.equal(out.verdict, Verdict.ADMISSIBLE, `${set} ${execution}`);
      assert.equal(exactDotVerdict({ ...e, bias, claimed }, STRICT_FP32), Verdict.ADMISSIBLE, `${set} ${execution}`);
    }
  }
});

test("claims placed at c·B are admitted for c = 0.5 and flagged for c = 1.1, 2 and 10", () => {
  const rng = new Rng(5);
  const out = new ElementCheck();
  const e = adversarialOperands(rng, "sameSign", 64);
  const kernel = gemmOf(e.a, e.b, toBits(1));
  kernel.check(0, toBits(simulate(valuesOf({ ...e, bias: toBits(1) }), "sequential", rng)), out);
  const { estimate, bound } = out;
  for (const c of [0.5, 1.1, 2, 10]) {
    for (const sign of [1, -1] as const) {
      const claimed = claimAtDistance(estimate, bound, c, sign);
      assert.notEqual(claimed, undefined);
      kernel.check(0, claimed!, out);
      const expected = c < 1 ? Verdict.ADMISSIBLE : Verdict.VIOLATES;
      assert.equal(out.verdict, expected, `c = ${c}`);
      assert.equal(dotVerdict({ ...e, bias: toBits(1), claimed: claimed! }, STRICT_FP32), expected, `c = ${c}`);
    }
  }
});
