import assert from "node:assert/strict";
import { test } from "node:test";
import { parseDemoOptions, DEFAULT_DEMO_OPTIONS } from "../../src/demo/options.ts";
import { allResolved, progressLine, progressOf } from "../../src/demo/monitor.ts";
import { planWorkload } from "../../src/demo/workload.ts";

test("planWorkload routes round(jobs · cheatRate) distinct images to the cheater, the same for the same seed", () => {
  const a = planWorkload(24, 0.3, 7);
  assert.equal(a.length, 24);
  assert.equal(a.filter((j) => j.route === "cheater").length, 7);
  assert.equal(new Set(a.map((j) => j.image)).size, 24);
  assert.ok(a.every((j) => j.label >= 0 && j.label <= 9));
  assert.deepEqual(planWorkload(24, 0.3, 7), a);
  assert.notDeepEqual(planWorkload(24, 0.3, 8), a);
  assert.equal(planWorkload(5, 0, 1).filter((j) => j.route === "cheater").length, 0);
  assert.equal(planWorkload(5, 1, 1).filter((j) => j.route === "cheater").length, 5);
});

test("parseDemoOptions takes the defaults and refuses out-of-range values", () => {
  assert.deepEqual(parseDemoOptions([]), DEFAULT_DEMO_OPTIONS);
  const o = parseDemoOptions([
    "--jobs",
    "6",
    "--cheat-rate",
    "0.5",
    "--sampling-rate",
    "0.25",
    "--faults",
    "silent,withhold",
  ]);
  assert.equal(o.jobs, 6);
  assert.equal(o.cheatRate, 0.5);
  assert.equal(o.samplingRate, 0.25);
  assert.deepEqual(o.faults, ["silent", "withhold"]);
  assert.throws(() => parseDemoOptions(["--cheat-rate", "1.5"]));
  assert.throws(() => parseDemoOptions(["--jobs", "0"]));
  assert.throws(() => parseDemoOptions(["--faults", "lying"]));
});

test("the progress line counts each state and resolution waits for every job", () => {
  const s = {
    status: new Map<bigint, "Committed" | "Finalized" | "Slashed">([
      [1n, "Finalized"],
      [2n, "Slashed"],
      [3n, "Committed"],
    ]),
    frozen: new Set([3n]),
    challenged: new Set([2n, 3n]),
  };
  assert.equal(
    progressLine(progressOf(s), 12),
    "[  12 s] jobs 3 | committed 3 | finalized 1 | challenged 2 | slashed 1 | disputes open 1",
  );
  assert.equal(allResolved(s), false);
});
