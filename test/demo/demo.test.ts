import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { REPO } from "../../src/demo/daemonProcess.ts";
import type { DemoReport } from "../../src/demo/report.ts";

describe("npm run demo", { timeout: 600_000 }, () => {
  const out = mkdtempSync(join(tmpdir(), "refute-demo-"));
  after(() => rmSync(out, { recursive: true, force: true }));

  test("a small demo (--jobs 6) runs end to end with real daemons and the story holds", async () => {
    const child = spawn(
      process.execPath,
      ["--import", "tsx", join(REPO, "scripts", "demo.ts"), "--jobs", "6", "--cheat-rate", "0.5", "--out", out],
      {
        cwd: REPO,
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let output = "";
    child.stdout.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr.on("data", (d: Buffer) => (output += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
    assert.equal(code, 0, output);

    const file = join(out, "demo-report.json");
    assert.ok(existsSync(file));
    const r = JSON.parse(readFileSync(file, "utf8")) as DemoReport;
    for (const k of [
      "jobs",
      "finalized",
      "badJobs",
      "badJobsSlashed",
      "honestJobsChallenged",
      "bountiesPaid",
      "accuracy",
    ]) {
      assert.ok(k in r, `report.${k}`);
    }
    assert.equal(r.jobs, 6);
    assert.equal(r.badJobs, 3, "half the jobs go to the cheater, which cheats on each");
    assert.equal(r.badJobsSlashed, 3);
    assert.equal(r.finalized, 3);
    assert.equal(r.honestJobsChallenged, 0);
    assert.equal(r.bountiesPaid, 150, "50 % of 100 collateral per slashed job");
    assert.ok(r.accuracy !== null && r.accuracy >= 0 && r.accuracy <= 1);
    assert.equal(r.storyHeld, true);
    assert.equal(r.replayAgreement, "6/6");
    assert.match(output, /STORY HELD/);
    assert.match(output, /jobs 6 \| committed \d+ \| finalized \d+ \| challenged \d+ \| slashed \d+/);
    assert.ok(existsSync(join(out, "demo", "logs", "watcher.log")));
  });
});
