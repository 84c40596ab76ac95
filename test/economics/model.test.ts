import { test } from "node:test";
import assert from "node:assert/strict";
import {
  DEFAULT_INPUTS,
  EconomicsInputError,
  analyze,
  breakEvenCheatRate,
  cheaterExpectedProfit,
  detectionProbability,
  equilibriumSamplingRate,
  lossWhenCaught,
  minimumCollateral,
  parseEconomicsInputs,
  watcherEconomics,
  winProbabilityPerCheatedJob,
  type EconomicsInputs,
} from "../../src/economics/model.ts";
import { simulate, type Estimate } from "../../src/economics/simulate.ts";

const inputs = (over: Partial<EconomicsInputs> = {}): EconomicsInputs => parseEconomicsInputs(over);

/** |simulated − analytic| ≤ 3σ (plus float slack for the deterministic cases, where σ = 0). */
function within3Sigma(what: string, e: Estimate | null, analytic: number): void {
  assert.ok(e !== null, `${what}: no estimate`);
  const slack = 1e-9 * Math.max(1, Math.abs(analytic));
  assert.ok(
    Math.abs(e.mean - analytic) <= 3 * e.standardError + slack,
    `${what}: simulated ${e.mean} ± ${e.standardError}, model ${analytic} (${((e.mean - analytic) / e.standardError).toFixed(2)}σ)`,
  );
}

const cases: { name: string; over: Partial<EconomicsInputs>; jobs: number }[] = [
  { name: "defaults with a high cheat rate", over: { cheatRate: 0.3 }, jobs: 40_000 },
  { name: "s = 0 (nobody watches)", over: { samplingRate: 0, cheatRate: 0.5 }, jobs: 10_000 },
  {
    name: "s = 1, w = 1 (one watcher checks everything)",
    over: { samplingRate: 1, watchers: 1, cheatRate: 0.2 },
    jobs: 20_000,
  },
  {
    name: "s = 1, w = 5 (five watchers race every catch)",
    over: { samplingRate: 1, watchers: 5, cheatRate: 0.2 },
    jobs: 20_000,
  },
  { name: "w = 1, s = 0.3", over: { samplingRate: 0.3, watchers: 1, cheatRate: 0.4 }, jobs: 30_000 },
  { name: "w = 5, s = 0.05", over: { samplingRate: 0.05, watchers: 5, cheatRate: 0.5 }, jobs: 50_000 },
  { name: "every job cheated, w = 2, s = 0.6", over: { samplingRate: 0.6, watchers: 2, cheatRate: 1 }, jobs: 20_000 },
  {
    name: "self-challenging cheater, w = 4",
    over: { samplingRate: 0.2, watchers: 4, cheatRate: 0.3, selfChallenge: true },
    jobs: 30_000,
  },
  {
    name: "other economics: big fee, small collateral, w = 3",
    over: { samplingRate: 0.25, fee: 3, providerCost: 2.2, collateral: 4, watcherCost: 1.5, challengerDisputeGas: 0.1 },
    jobs: 20_000,
  },
];

for (const [k, c] of cases.entries()) {
  test(`the model agrees with the simulation within 3σ: ${c.name}`, () => {
    const i = inputs({ ...c.over, jobs: c.jobs });
    const a = analyze(i);
    const sim = simulate(i, { seed: 1000 + k });
    assert.equal(sim.jobs, c.jobs);
    if (i.cheatRate > 0) {
      within3Sigma("detection probability", sim.detectionProbability, a.detectionProbability);
      within3Sigma("cheater's profit per cheated job", sim.cheaterProfitPerCheatedJob, a.cheaterExpectedProfit);
    }
    within3Sigma("watcher revenue per job", sim.watcherRevenuePerJob, a.watcher.expectedRevenuePerJob);
    within3Sigma("watcher cost per job", sim.watcherCostPerJob, a.watcher.expectedCostPerJob);
    within3Sigma("watcher profit per job", sim.watcherProfitPerJob, a.watcher.expectedProfitPerJob);
    assert.equal(sim.revenuePerJobByWatcher.length, i.watchers);
    for (const [n, e] of sim.revenuePerJobByWatcher.entries()) {
      within3Sigma(`watcher ${n}'s own revenue per job`, e, a.watcher.expectedRevenuePerJob);
    }
  });
}

test("the simulation is reproducible from its seed and changes with it", () => {
  const i = inputs({ cheatRate: 0.2, jobs: 10_000 });
  assert.deepEqual(simulate(i, { seed: 7 }), simulate(i, { seed: 7 }));
  assert.notDeepEqual(simulate(i, { seed: 7 }), simulate(i, { seed: 8 }));
  assert.throws(() => simulate(i, { jobs: 1 }), RangeError);
});

test("with q = 0 nothing is cheated: no detection estimate, no revenue, cost s·c_w", () => {
  const i = inputs({ cheatRate: 0, jobs: 10_000 });
  const sim = simulate(i, { seed: 3 });
  assert.equal(sim.cheatedJobs, 0);
  assert.equal(sim.detectionProbability, null);
  assert.equal(sim.cheaterProfitPerCheatedJob, null);
  assert.equal(sim.watcherRevenuePerJob.mean, 0);
  within3Sigma("watcher cost", sim.watcherCostPerJob, i.samplingRate * i.watcherCost);
});

test("P = 1 − (1 − s)^w: 0 at s = 0, 1 at s = 1, increasing in s and in w", () => {
  for (let w = 1; w <= 8; w++) {
    assert.equal(detectionProbability(0, w), 0);
    assert.equal(detectionProbability(1, w), 1);
    let prev = 0;
    for (let k = 1; k < 100; k++) {
      const p = detectionProbability(k / 100, w);
      assert.ok(p > prev, `P increases with s (w = ${w}, s = ${k / 100})`);
      assert.ok(p > detectionProbability(k / 100, w - 1) || w === 1, "P increases with w");
      assert.ok(p >= k / 100 - 1e-15 && p <= Math.min(1, (w * k) / 100) + 1e-15, "s ≤ P ≤ min(1, w·s)");
      prev = p;
    }
  }
  assert.equal(detectionProbability(0.1, 3), 1 - 0.9 ** 3);
});

test("a watcher's chance of winning a cheat is P/w: the race gives each of k catchers 1/k", () => {
  // Direct sum over the other catchers K ~ Binomial(w − 1, s): s · Σ P(K = k) / (k + 1).
  const choose = (n: number, k: number): number => (k === 0 ? 1 : (choose(n, k - 1) * (n - k + 1)) / k);
  for (const w of [1, 2, 3, 5, 9]) {
    for (const s of [0.01, 0.1, 0.37, 0.9, 1]) {
      let sum = 0;
      for (let k = 0; k < w; k++) sum += (choose(w - 1, k) * s ** k * (1 - s) ** (w - 1 - k)) / (k + 1);
      assert.ok(Math.abs(s * sum - winProbabilityPerCheatedJob(s, w)) < 1e-12, `w = ${w}, s = ${s}`);
    }
  }
});

test("C_min makes cheating unprofitable and anything less does not", () => {
  for (const selfChallenge of [false, true]) {
    for (const w of [1, 3, 5]) {
      for (const s of [0.01, 0.05, 0.1, 0.3, 0.7, 1]) {
        for (const [fee, cp] of [
          [1, 0.5],
          [1, 0.05],
          [0.2, 3],
          [0, 1],
        ] as const) {
          const P = detectionProbability(s, w);
          const beta = 0.5;
          const cMin = minimumCollateral(cp, P, fee, beta, selfChallenge);
          assert.ok(cMin !== null && cMin >= 0);
          const E = cheaterExpectedProfit(cp, P, lossWhenCaught(cMin, fee, beta, selfChallenge));
          assert.ok(E <= 1e-9, `E(C_min) = ${E} ≤ 0 (w ${w}, s ${s}, F ${fee}, c_p ${cp}, self ${selfChallenge})`);
          if (cMin > 0) {
            assert.ok(Math.abs(E) < 1e-9, "C_min is the least such collateral: E(C_min) = 0");
            const less = cheaterExpectedProfit(cp, P, lossWhenCaught(cMin * 0.99, fee, beta, selfChallenge));
            assert.ok(less > 0, "1 % less collateral makes cheating pay");
          }
        }
      }
    }
  }
  assert.equal(minimumCollateral(0.5, 0, 1, 0.5, false), null, "nobody watching: no collateral is enough");
  assert.equal(minimumCollateral(0, 0, 1, 0.5, false), 0, "nothing to save: no collateral needed");
  assert.equal(minimumCollateral(2, 1, 1, 1, true), null, "β = 1 and self-challenge: only the fee is at risk");
  // A self-challenging cheater recovers β·C: it needs 1/(1 − β) times the collateral.
  const P = detectionProbability(0.1, 3);
  assert.ok(Math.abs(minimumCollateral(0.5, P, 1, 0.5, true)! - 2 * minimumCollateral(0.5, P, 1, 0.5, false)!) < 1e-12);
});

test("C_min falls as s or w grows", () => {
  for (const w of [1, 3, 5]) {
    let prev = Infinity;
    for (let k = 1; k <= 20; k++) {
      const c = minimumCollateral(0.5, detectionProbability(k / 100, w), 1, 0.5, false)!;
      assert.ok(c < prev || c === 0);
      assert.ok(c <= minimumCollateral(0.5, detectionProbability(k / 100, Math.max(1, w - 1)), 1, 0.5, false)!);
      prev = c;
    }
  }
});

test("s* makes the provider indifferent; more sampling deters, less does not", () => {
  for (const selfChallenge of [false, true]) {
    for (const w of [1, 3, 5]) {
      for (const [C, F, cp] of [
        [10, 1, 0.5],
        [2, 1, 0.9],
        [0, 1, 0.3],
        [5, 0, 4],
      ] as const) {
        const L = lossWhenCaught(C, F, 0.5, selfChallenge);
        const s = equilibriumSamplingRate(cp, L, w);
        if (cp > L) {
          assert.equal(s, null);
          continue;
        }
        assert.ok(s !== null && s >= 0 && s <= 1);
        assert.ok(Math.abs(cheaterExpectedProfit(cp, detectionProbability(s, w), L)) < 1e-9);
        assert.ok(cheaterExpectedProfit(cp, detectionProbability(Math.min(1, s * 1.01), w), L) < 0 || s === 1);
        assert.ok(cheaterExpectedProfit(cp, detectionProbability(s * 0.99, w), L) > 0);
      }
    }
  }
  assert.equal(equilibriumSamplingRate(0, 11, 3), 0);
  assert.equal(equilibriumSamplingRate(12, 11, 3), null);
});

test("the break-even cheat rate zeroes the watcher's profit", () => {
  for (const w of [1, 3, 5]) {
    for (const s of [0.02, 0.1, 0.5, 1]) {
      const i = inputs({ watchers: w, samplingRate: s });
      const q = breakEvenCheatRate(i);
      assert.ok(q !== null && q > 0 && q <= 1, `q* for w ${w}, s ${s}`);
      assert.ok(Math.abs(watcherEconomics(i, q).profit) < 1e-12);
      assert.ok(watcherEconomics(i, q * 0.9).profit < 0);
      assert.ok(watcherEconomics(i, Math.min(1, q * 1.1)).profit > 0 || q * 1.1 > 1);
    }
  }
  assert.equal(breakEvenCheatRate(inputs({ samplingRate: 0 })), 0, "not watching costs nothing");
  assert.equal(breakEvenCheatRate(inputs({ selfChallenge: true })), null, "no bounty: never breaks even");
  assert.equal(breakEvenCheatRate(inputs({ collateral: 3 })), null, "expected bounty below the dispute gas");
  assert.equal(breakEvenCheatRate(inputs({ collateral: 6 })), null, "q* > 1");
  assert.ok(breakEvenCheatRate(inputs({ collateral: 20 }))! > 0.5, "small bounty: watchers need many cheats");
});

test("the verifier's dilemma: with q = 0 a watcher only pays, and the subsidy is w·s·c_w", () => {
  for (const [w, s] of [
    [1, 0.1],
    [3, 0.1],
    [5, 0.02],
  ] as const) {
    const i = inputs({ watchers: w, samplingRate: s, cheatRate: 0 });
    const a = analyze(i);
    assert.equal(a.watcher.expectedRevenuePerJob, 0);
    assert.ok(Math.abs(a.watcher.expectedCostPerJob - s * i.watcherCost) < 1e-15);
    assert.ok(Math.abs(a.watcher.subsidyPerJob - w * s * i.watcherCost) < 1e-15);
    assert.ok(Math.abs(a.watcher.subsidyPerJobAtCheatRate - a.watcher.subsidyPerJob) < 1e-15);
    assert.ok(Math.abs(a.totals.subsidy - i.jobs * a.watcher.subsidyPerJob) < 1e-9);
  }
  // Above q* no subsidy is needed at that cheat rate.
  const i = inputs();
  const q = breakEvenCheatRate(i)!;
  assert.equal(analyze({ ...i, cheatRate: Math.min(1, q * 1.5) }).watcher.subsidyPerJobAtCheatRate, 0);
});

test("a self-challenging cheater leaves watchers nothing and loses only (1 − β)·C + F", () => {
  const a = analyze(inputs({ selfChallenge: true, cheatRate: 0.5 }));
  assert.equal(a.watcher.expectedRevenuePerJob, 0);
  assert.equal(a.watcher.breakEvenCheatRate, null);
  assert.equal(a.equilibriumCheatRate, null);
  const P = a.detectionProbability;
  assert.ok(Math.abs(a.cheaterExpectedProfit - (5 - P * (0.5 * 100 + 10))) < 1e-12);
});

test("the defaults: P = 0.271, E < 0, C_min < C, griefing costs the griefer", () => {
  const a = analyze(DEFAULT_INPUTS);
  assert.ok(Math.abs(a.detectionProbability - 0.271) < 1e-12);
  assert.ok(a.cheaterExpectedProfit < 0);
  assert.ok(a.minimumCollateral !== null && a.minimumCollateral < DEFAULT_INPUTS.collateral);
  const self = analyze({ ...DEFAULT_INPUTS, selfChallenge: true });
  assert.ok(self.minimumCollateral !== null && self.minimumCollateral < DEFAULT_INPUTS.collateral);
  assert.ok(self.cheaterExpectedProfit < 0);
  // One surviving watcher still deters both kinds of cheater.
  assert.ok(analyze({ ...DEFAULT_INPUTS, watchers: 1, selfChallenge: true }).cheaterExpectedProfit < 0);
  assert.equal(a.griefing.bondCoversProviderGas, true);
  assert.ok(a.griefing.providerNetCostPerChallenge <= 0);
});

test("bad inputs are rejected with the field, the constraint and the value", () => {
  const bad: [Partial<Record<keyof EconomicsInputs, unknown>>, string, RegExp][] = [
    [{ samplingRate: 1.5 }, "samplingRate", /between 0 and 1 \(got 1\.5\)/],
    [{ samplingRate: -0.1 }, "samplingRate", /between 0 and 1/],
    [{ watchers: 0 }, "watchers", /≥ 1/],
    [{ watchers: 2.5 }, "watchers", /whole number/],
    [{ fee: -1 }, "fee", /≥ 0 \(got -1\)/],
    [{ collateral: Number.NaN }, "collateral", /got NaN/],
    [{ collateral: Infinity }, "collateral", /Infinity/],
    [{ cheatRate: "0.1" }, "cheatRate", /must be a number \(got "0\.1"\)/],
    [{ jobs: 0 }, "jobs", /≥ 1/],
    [{ selfChallenge: "yes" }, "selfChallenge", /true or false/],
  ];
  for (const [raw, field, re] of bad) {
    assert.throws(
      () => parseEconomicsInputs(raw),
      (e: unknown) => {
        assert.ok(e instanceof EconomicsInputError);
        assert.equal(e.issues.length, 1, JSON.stringify(e.issues));
        assert.equal(e.issues[0]?.field, field);
        assert.match(e.message, re);
        assert.ok(e.message.startsWith(field));
        return true;
      },
    );
  }
  assert.throws(
    () => parseEconomicsInputs({ bogus: 1 } as Partial<Record<keyof EconomicsInputs, unknown>>),
    /unknown keys bogus/,
  );
  assert.deepEqual(parseEconomicsInputs(), DEFAULT_INPUTS);
  assert.equal(parseEconomicsInputs({ fee: undefined }).fee, DEFAULT_INPUTS.fee);
});
