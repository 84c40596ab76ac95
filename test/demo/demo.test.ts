import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { formatUnits } from "viem";
import { DEMO_PARTIES } from "../../src/demo/claims.ts";
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

    // The claims section: each party's payouts in the DisputeGame, then its withdraw.
    const c = r.claims ?? assert.fail("report.claims");
    assert.deepEqual(
      c.parties.map((x) => x.party),
      DEMO_PARTIES.map((x) => x.party),
    );
    assert.equal(c.slashes.length, r.slashed, "one JobSlashed per slashed job");
    const party = (name: string) => {
      const x = c.parties.find((y) => y.party === name);
      assert.ok(x !== undefined, name);
      return x;
    };
    const credit = (name: string, reason: string) => BigInt(party(name).credited[reason] ?? "0");
    const bps = { bounty: BigInt(c.shares.bountyBps), requester: BigInt(c.shares.requesterBps) };
    const sum = (f: (s: (typeof c.slashes)[number]) => bigint) => c.slashes.reduce((a, s) => a + f(s), 0n);
    const bounty = (s: (typeof c.slashes)[number]) => (BigInt(s.collateral) * bps.bounty) / 10_000n;
    const share = (s: (typeof c.slashes)[number]) => (BigInt(s.collateral) * bps.requester) / 10_000n;
    // The cheated requester is made whole: each slashed job's fee back, plus its share of the collateral.
    const cheated = "requester of the cheated jobs";
    assert.equal(
      credit(cheated, "FeeRefund"),
      sum((s) => BigInt(s.fee)),
    );
    assert.equal(credit(cheated, "RequesterShare"), sum(share));
    assert.equal(
      BigInt(party(cheated).creditedTotal),
      sum((s) => BigInt(s.fee) + share(s)),
    );
    assert.ok(BigInt(party(cheated).creditedTotal) > 0n);
    // The watcher won every slashed job's bounty (the DisputeSettled total of the report).
    assert.equal(credit("watcher", "Bounty"), sum(bounty));
    assert.equal(credit("watcher", "Bounty").toString(), r.bountiesPaidBaseUnits);
    assert.equal(
      credit("treasury", "TreasuryShare"),
      sum((s) => BigInt(s.collateral) - bounty(s) - share(s)),
    );
    // No honest job was slashed: its requester was credited nothing.
    assert.equal(party("requester of the honest jobs").creditedTotal, "0");
    for (const x of c.parties) {
      const [credited, earlier, claimable, withdrawn] = [
        x.creditedTotal,
        x.withdrawnEarlier,
        x.claimable,
        x.withdrawn,
      ].map(BigInt) as [bigint, bigint, bigint, bigint];
      assert.equal(earlier + claimable, credited, `${x.party}: what was credited is withdrawn or claimable`);
      assert.equal(withdrawn, claimable, `${x.party}: the demo withdrew all of it`);
      assert.equal(BigInt(x.balanceAfter), BigInt(x.balanceBefore) + withdrawn, `${x.party}: the tokens arrived`);
      assert.equal(x.claimableAfter, "0");
      const t = (v: string) => `${formatUnits(BigInt(v), 18)} tokens`.replaceAll(".", "\\.");
      assert.match(
        output,
        new RegExp(
          `^  ${x.party} +credited ${t(x.creditedTotal)}.*, withdrawn earlier ${t(x.withdrawnEarlier)}, claimable ${t(x.claimable)}$`,
          "m",
        ),
      );
      assert.match(
        output,
        new RegExp(
          `^  ${x.party} +withdrew ${t(x.withdrawn)}: token balance ${t(x.balanceBefore)} -> ${t(x.balanceAfter)}, claimable now 0 tokens$`,
          "m",
        ),
      );
    }
    // Every bond, collateral and fee the game took in went out to a party.
    assert.equal(c.gameBalanceAfter, "0");
    assert.match(output, /^left in the DisputeGame: 0 tokens$/m);
  });
});
