import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { DEFAULT_INPUTS, analyze, parseEconomicsInputs } from "../../src/economics/model.ts";
import { runEconomics, type EconomicsOptions, type EconomicsReport } from "../../src/cli/economics.ts";

const refute = fileURLToPath(new URL("../../bin/refute.js", import.meta.url));

/** Runs `refute economics ...args` as a real process (bin/refute.js → src/cli/main.ts). */
function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [refute, "economics", ...args], { encoding: "utf8" });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Runs the command in process with captured output. */
function inProcess(opts: EconomicsOptions) {
  let stdout = "";
  let stderr = "";
  const code = runEconomics(opts, { out: (t) => (stdout += t), err: (t) => (stderr += t) });
  return { code, stdout, stderr };
}

test("refute economics --json prints the analysis of the defaults", () => {
  const r = cli("--json");
  assert.equal(r.code, 0, r.stderr);
  const report = JSON.parse(r.stdout) as EconomicsReport;
  assert.deepEqual(report, JSON.parse(JSON.stringify(analyze(DEFAULT_INPUTS))));
  for (const key of [
    "inputs",
    "detectionProbability",
    "cheaterExpectedProfit",
    "minimumCollateral",
    "watcher",
    "equilibriumSamplingRate",
  ]) {
    assert.ok(key in report, key);
  }
  for (const key of ["expectedRevenuePerJob", "expectedCostPerJob", "breakEvenCheatRate", "subsidyPerJob"]) {
    assert.ok(key in report.watcher, key);
  }
  assert.equal(report.simulation, undefined);
});

test("every flag reaches its input", () => {
  const r = inProcess({
    json: true,
    samplingRate: "0.2",
    watchers: "5",
    fee: "2",
    providerCost: "1.5",
    collateral: "30",
    bond: "3",
    bountyShare: "0.4",
    watcherCost: "0.7",
    cheatRate: "0.05",
    jobs: "500",
    disputeGas: "0.25",
    providerDisputeGas: "0.75",
    selfChallenge: true,
  });
  assert.equal(r.code, 0, r.stderr);
  const report = JSON.parse(r.stdout) as EconomicsReport;
  assert.deepEqual(report.inputs, {
    samplingRate: 0.2,
    watchers: 5,
    fee: 2,
    providerCost: 1.5,
    collateral: 30,
    bond: 3,
    bountyShare: 0.4,
    watcherCost: 0.7,
    cheatRate: 0.05,
    jobs: 500,
    challengerDisputeGas: 0.25,
    providerDisputeGas: 0.75,
    selfChallenge: true,
  });
  assert.deepEqual(report, JSON.parse(JSON.stringify(analyze(parseEconomicsInputs(report.inputs)))));
});

test("--simulate adds a seeded simulation over --jobs jobs", () => {
  const a = inProcess({ json: true, simulate: true, jobs: "12000", seed: "5", cheatRate: "0.2" });
  const b = inProcess({ json: true, simulate: true, jobs: "12000", seed: "5", cheatRate: "0.2" });
  assert.equal(a.code, 0, a.stderr);
  assert.equal(a.stdout, b.stdout);
  const report = JSON.parse(a.stdout) as EconomicsReport;
  assert.ok(report.simulation !== undefined);
  assert.equal(report.simulation.jobs, 12000);
  assert.equal(report.simulation.seed, 5);
  const det = report.simulation.detectionProbability;
  assert.ok(det !== null && Math.abs(det.mean - report.detectionProbability) <= 3 * det.standardError);
});

test("the table shows the formulas and the values", () => {
  const r = cli("--simulate", "--cheat-rate", "0.1");
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /detection probability\s+P = 1 − \(1 − s\)\^w\s+0\.271\n/);
  assert.match(r.stdout, /minimum collateral\s+C_min = max\(0, c_p\/P − F\)\s+8\.45018\n/);
  assert.match(r.stdout, /subsidy per job, all watchers, q = 0\s+w·s·c_w\s+1\.5\n/);
  assert.match(r.stdout, /simulation \(10000 jobs, seed 1, \d+ cheated, \d+ caught\)/);
  assert.match(r.stdout, /tokens/);
});

test("a bad flag value prints one line naming the flag and exits with 2", () => {
  const cases: [string[], RegExp][] = [
    [["--sampling-rate", "1.5"], /--sampling-rate must be between 0 and 1 \(got 1\.5\)/],
    [["--watchers", "2.5"], /--watchers must be a whole number \(got "2\.5"\)/],
    [["--watchers", "0"], /--watchers must be ≥ 1/],
    [["--fee", "abc"], /--fee must be a decimal number \(got "abc"\)/],
    [["--fee", "0x10"], /--fee must be a decimal number/],
    [["--collateral", "-1"], /--collateral must be ≥ 0 \(got -1\)/],
    [["--collateral", "1e999"], /--collateral is out of range/],
    [["--cheat-rate", ""], /--cheat-rate must be a decimal number/],
    [["--bounty-share", "2"], /--bounty-share must be between 0 and 1/],
    [["--dispute-gas", "-0.1"], /--dispute-gas must be ≥ 0/],
    [["--jobs", "1", "--simulate"], /--jobs must be ≥ 2 with --simulate/],
    [["--seed", "-4"], /--seed must be a whole number/],
  ];
  // The first two as real processes (the exit code), the rest in process with the same options.
  const toOptions = (args: string[]): EconomicsOptions => {
    const opts: Record<string, string | boolean> = {};
    const rest = [...args];
    for (let flag = rest.shift(); flag !== undefined; flag = rest.shift()) {
      const name = flag.slice(2).replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
      if (name === "simulate") opts[name] = true;
      else {
        const value = rest.shift();
        assert.ok(value !== undefined, `${flag} takes a value`);
        opts[name] = value;
      }
    }
    return opts;
  };
  for (const [n, [args, re]] of cases.entries()) {
    const r = n < 2 ? cli(...args) : inProcess(toOptions(args));
    assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
    assert.equal(r.stdout, "");
    assert.match(r.stderr, re);
    assert.equal(r.stderr.trimEnd().split("\n").length, 1, r.stderr);
    assert.ok(r.stderr.startsWith("refute: BAD_FLAG: "), r.stderr);
  }
});
