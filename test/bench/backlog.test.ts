/**
 * The backlog benchmark (src/bench/backlog.ts) on a small backlog: the real provider
 * daemon commits every request, the real watcher daemon then verifies every one of
 * them from its fresh SQLite store, and the figures come from the watcher's own log.
 * No wall-clock assertion: only that the run is complete and its figures consistent.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { benchBacklog } from "../../src/bench/backlog.ts";
import { loadWorkload } from "../../src/bench/inputs.ts";

const JOBS = 16;

test("the watcher daemon drains a committed backlog and every job is verified", { timeout: 300_000 }, async () => {
  const workDir = mkdtempSync(join(tmpdir(), "refute-backlog-test-"));
  try {
    const r = await benchBacklog(loadWorkload(JOBS), {
      jobs: JOBS,
      blockTime: 1,
      pollIntervalMs: 100,
      confirmations: 1,
      concurrency: 1,
      timeoutSec: 240,
      workDir,
      log: () => {},
    });
    assert.equal(r.jobs, JOBS);
    assert.equal(r.verified, JOBS, "every honest job verified");
    assert.equal(r.notVerified, 0);
    assert.ok(r.drainSec > 0 && r.commitSec > 0);
    assert.ok(Math.abs(r.daemonJobsPerSecond - JOBS / r.drainSec) <= 0.01 * r.daemonJobsPerSecond + 0.01);
    assert.equal(r.config.watcherSamplingRate, 1);
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
});
