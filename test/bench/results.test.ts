/**
 * `npm run bench -- --quick` into a temporary directory: every key of results.json is
 * present and numeric (or null with its reason where the quick profile skips it), the
 * gas figures are bench/gas.json's own, and RESULTS.md links charts that exist. No
 * wall-clock assertion: the figures themselves depend on the machine and its load.
 * The rendering of a full profile (latency and finality present) is checked on
 * synthetic figures.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { promisify } from "node:util";
import { renderCharts, renderMarkdown, type BenchResults } from "../../src/bench/report.ts";
import { median, percentile, round, summarize } from "../../src/bench/stats.ts";

const ROOT = join(import.meta.dirname, "..", "..");

type Obj = Readonly<Record<string, unknown>>;

function at(o: unknown, path: string): unknown {
  let v: unknown = o;
  for (const k of path.split(".")) {
    assert.ok(v !== null && typeof v === "object", `${path}: ${k} is under a non-object`);
    assert.ok(k in (v as Obj), `${path}: key ${k} is missing`);
    v = (v as Obj)[k];
  }
  return v;
}

function numeric(o: unknown, path: string, min = 0): number {
  const v = at(o, path);
  assert.equal(typeof v, "number", `${path} is ${JSON.stringify(v)}, not a number`);
  assert.ok(Number.isFinite(v as number) && (v as number) >= min, `${path} = ${String(v)}`);
  return v as number;
}

function summaryAt(o: unknown, path: string): void {
  for (const k of ["n", "median", "p95", "mean", "min", "max"]) numeric(o, `${path}.${k}`);
  assert.ok(numeric(o, `${path}.p95`) >= numeric(o, `${path}.median`) || numeric(o, `${path}.n`) === 1);
}

test("percentiles are nearest-rank and the median averages the middle pair", () => {
  const xs = [5, 1, 4, 2, 3, 6, 7, 8, 9, 10];
  assert.equal(median(xs), 5.5);
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(percentile(xs, 50), 5);
  assert.equal(percentile(xs, 95), 10);
  assert.equal(percentile(xs, 100), 10);
  assert.equal(percentile([7], 95), 7);
  assert.throws(() => percentile([], 50), RangeError);
  const s = summarize(xs);
  assert.deepEqual([s.n, s.min, s.max, s.mean], [10, 1, 10, 5.5]);
});

test("npm run bench -- --quick writes every key, numeric, and RESULTS.md with its charts", async () => {
  const out = mkdtempSync(join(tmpdir(), "refute-bench-test-"));
  try {
    await promisify(execFile)(
      process.execPath,
      ["--import", "tsx", join(ROOT, "scripts", "bench.ts"), "--quick", "--out", out],
      { cwd: ROOT, timeout: 600_000, maxBuffer: 16 * 1024 * 1024 },
    );
    const r = JSON.parse(readFileSync(join(out, "results.json"), "utf8")) as Obj;
    assert.equal(r.profile, "quick");
    assert.match(String(r.command), /^npm run bench -- --quick/);

    for (const k of ["cpuModel", "os", "node", "onnxruntimeNode", "date"]) {
      const v = at(r, `machine.${k}`);
      assert.ok(typeof v === "string" && v.length > 0, `machine.${k}`);
    }
    assert.ok(!Number.isNaN(Date.parse(String(at(r, "machine.date")))));
    numeric(r, "machine.logicalCores", 1);
    numeric(r, "machine.memoryGiB");
    numeric(r, "machine.loadAverage1m");
    numeric(r, "durationSec");

    // Provider.
    assert.ok(numeric(r, "provider.commitOverheadRatio") > 0);
    numeric(r, "provider.commitOverheadRatioP95");
    assert.ok(numeric(r, "provider.singleCommitOverheadRatio") > 0);
    numeric(r, "provider.batch", 1);
    numeric(r, "provider.images", 1);
    summaryAt(r, "provider.plainInferenceMs");
    summaryAt(r, "provider.commitPathMs");
    summaryAt(r, "provider.singleCommitPathMs");
    for (const part of ["committedOutputMs", "traceMs", "rootsMs", "commitCalldataMs", "commitBatch16CalldataPerJobMs"])
      summaryAt(r, `provider.parts.${part}`);
    numeric(r, "provider.commitCalldataBytes", 1);

    // Watcher throughput.
    assert.ok(numeric(r, "watcher.throughputRatio") > 0);
    assert.ok(numeric(r, "watcher.verifiedJobsPerSec") > 0);
    assert.equal(numeric(r, "watcher.batchSize"), 64);
    assert.equal(at(r, "watcher.batched"), true, "the shipped model runs stacked");
    const sizes = at(r, "watcher.batchSizes") as { batchSize: number; verifiedJobsPerSec: number; ratio: number }[];
    assert.deepEqual(
      sizes.map((b) => b.batchSize),
      [1, 16, 64, 256],
    );
    const headline = sizes.find((b) => b.batchSize === 64);
    assert.equal(headline?.ratio, numeric(r, "watcher.throughputRatio"), "the headline is the 64-job batch");
    assert.equal(headline?.verifiedJobsPerSec, numeric(r, "watcher.verifiedJobsPerSec"));
    for (const b of sizes) assert.ok(b.verifiedJobsPerSec > 0 && b.ratio > 0, JSON.stringify(b));
    assert.ok(numeric(r, "watcher.reexecutionsPerSec") > 0);
    assert.ok(numeric(r, "watcher.reexecutionRatio") > 0);
    assert.ok(numeric(r, "watcher.rawInferencesPerSec") > 0);
    summaryAt(r, "watcher.reexecutionMs");
    summaryAt(r, "watcher.rawInferenceMs");
    summaryAt(r, "watcher.breakdown.compileModelMs");
    numeric(r, "watcher.breakdown.compiledOncePerSec");
    assert.equal(at(r, "watcher.allMatched"), true, "the executor's roots are the honest trace's");
    assert.match(String(at(r, "watcher.executor")), /ExecutorPool/);

    // The daemon's backlog run: present, null in --quick, with the reason.
    assert.equal(at(r, "watcher.daemonJobsPerSecond"), null);
    assert.equal(at(r, "watcher.daemonThroughputRatio"), null);
    assert.equal(at(r, "watcher.backlog"), null);
    assert.match(String(at(r, "watcher.daemonMissing")), /--quick/);

    // Latency and finality: present, null in --quick, with the reason.
    assert.equal(at(r, "watcher.latencyToChallengeMs"), null);
    assert.equal(at(r, "watcher.latencyToSlashMs"), null);
    assert.match(String(at(r, "watcher.latencyMissing")), /--quick/);
    assert.equal(at(r, "finality"), null);
    assert.match(String(at(r, "finalityMissing")), /--quick/);

    // Gas: bench/gas.json's own figures, or null with the reason — never invented.
    const gasFile = join(ROOT, "bench", "gas.json");
    if (existsSync(gasFile)) {
      assert.deepEqual(at(r, "gas"), JSON.parse(readFileSync(gasFile, "utf8")));
      numeric(r, "gas.jobs.commit", 1);
    } else {
      assert.equal(at(r, "gas"), null);
      assert.ok(String(at(r, "gasMissing")).length > 0);
    }

    const md = readFileSync(join(out, "RESULTS.md"), "utf8");
    // The pattern has one group, which matches whenever the whole does.
    const links = [...md.matchAll(/!\[[^\]]*\]\(([^)]+\.svg)\)/g)].map((m) => m[1] ?? "");
    assert.ok(links.includes("bench-provider.svg") && links.includes("bench-watcher.svg"), links.join(", "));
    for (const link of links) {
      const svg = readFileSync(join(out, link), "utf8");
      assert.ok(svg.startsWith("<svg") && svg.trimEnd().endsWith("</svg>"), link);
      assert.ok(!/NaN|Infinity|undefined/.test(svg), `${link} has a non-finite value`);
    }
    assert.match(md, /commitOverheadRatio = /);
    assert.match(md, /throughputRatio = /);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test("a full profile renders the latency and finality sections and charts", () => {
  const s = (median: number) => ({ n: 3, median, p95: median * 2, mean: median, min: median / 2, max: median * 2 });
  const p = (p50: number) => ({ p50, p95: p50 * 1.5, n: 50, min: p50 / 2, max: p50 * 2 });
  const latency = {
    latencyToChallengeMs: p(3000),
    latencyToSlashMs: p(9000),
    latencyToChallengeChainSec: p(3),
    latencyToSlashChainSec: p(9),
    byFault: { "wrong-output": { jobs: 25, challengeP50Ms: 2900, slashP50Ms: 8800 } },
    badJobs: { requested: 50, committed: 50, challenged: 50, slashed: 50 },
    honestJobs: { requested: 20, committed: 20, finalized: 20, challenged: 0 },
    finality: {
      timeToFinalityMs: p(63000),
      commitLatencyMs: p(2000),
      challengeWindowSec: 60,
      windowOnChainSec: p(60),
      finalizeTxLatencyMs: p(1000),
    },
    config: {
      blockTimeSec: 1,
      challengeWindowSec: 60,
      responseWindowSec: 20,
      daemonPollIntervalMs: 250,
      confirmations: 1,
      watcherSamplingRate: 1,
      watcherConcurrency: 1,
      providerMaxBatch: 16,
      providerBatchWaitMs: 500,
      paceMs: 2000,
      faults: ["wrong-output"],
      observerIntervalMs: 20,
    },
    samples: {
      challengeMs: [2000, 3000, 4000],
      slashMs: [8000, 9000, 12000],
      finalityMs: [62000, 63000, 64000],
    },
    method: "synthetic",
    warmup: { jobs: 2, coldExecutorMs: 5000 },
    wallSec: 300,
    observerErrors: 0,
    unresolved: [],
  };
  const r: BenchResults = {
    schema: 1,
    generated: "test",
    command: "npm run bench",
    profile: "full",
    machine: {
      cpuModel: "cpu",
      logicalCores: 2,
      availableParallelism: 2,
      memoryGiB: 8,
      freeMemoryGiB: 4,
      loadAverage1m: 1,
      os: "linux",
      node: "v22",
      onnxruntimeNode: "1.30.0",
      viem: "2",
      anvil: null,
      gitCommit: null,
      date: new Date(0).toISOString(),
    },
    loadAverage1mAtEnd: 1,
    durationSec: 400,
    gas: { jobs: { commit: 150000, commitBatchPerJob: { "16": 110000 } }, oneStep: { "MatMulInteger.K64": 98000 } },
    gasSource: "bench/gas.json",
    provider: {
      images: 3,
      warmupRuns: 1,
      commitOverheadRatio: 20,
      commitOverheadRatioP95: 10,
      singleCommitOverheadRatio: 21,
      plainInferenceMs: s(0.5),
      commitPathMs: s(10),
      singleCommitPathMs: s(10.5),
      batch: 16,
      parts: { committedOutputMs: s(9.9), traceMs: s(9), rootsMs: s(4), commitCalldataMs: s(0.1), commitBatch16CalldataPerJobMs: s(0.02) },
      commitCalldataBytes: 196,
      traceElements: 1573,
      nodes: 10,
      session: { intraOpNumThreads: 1, graphOptimizationLevel: "basic", ep: "cpu" },
      sessionCreateMs: { plain: 100, trace: 20 },
    },
    watcher: {
      throughputRatio: 2.5,
      verifiedJobsPerSec: 7500,
      batchSize: 64,
      batched: true,
      batchSizes: [
        { batchSize: 1, jobs: 4, verifiedJobsPerSec: 600, ratio: 0.2 },
        { batchSize: 64, jobs: 256, verifiedJobsPerSec: 7500, ratio: 2.5 },
      ],
      reexecutionsPerSec: 3,
      reexecutionRatio: 0.001,
      rawInferencesPerSec: 3000,
      jobs: 3,
      rounds: 1,
      reexecutionMs: s(300),
      rawInferenceMs: s(0.3),
      breakdown: { compileModelMs: s(250), traceAndCompareMs: s(8), compiledOncePerSec: 100 },
      allMatched: true,
      executor: "ExecutorPool",
      threads: 1,
      ep: "cpu",
      daemonJobsPerSecond: 40,
      daemonThroughputRatio: round(40 / 3000, 3),
      backlog: {
        jobs: 2000,
        verified: 2000,
        notVerified: 0,
        drainSec: 50,
        daemonJobsPerSecond: 40,
        commitSec: 90,
        config: {
          blockTimeSec: 1,
          challengeWindowSec: 2400,
          pollIntervalMs: 250,
          confirmations: 1,
          watcherSamplingRate: 1,
          watcherConcurrency: 1,
        },
        method: "the watcher daemon over a backlog",
      },
      latencyToChallengeMs: latency.latencyToChallengeMs,
      latencyToSlashMs: latency.latencyToSlashMs,
      latency,
    },
    finality: { jobs: 20, ...latency.finality },
  };
  const charts = renderCharts(r);
  assert.deepEqual(charts.map((c) => c.file).sort(), [
    "bench-finality.svg",
    "bench-gas.svg",
    "bench-latency.svg",
    "bench-provider.svg",
    "bench-watcher.svg",
  ]);
  for (const c of charts) assert.ok(!/NaN|Infinity|undefined/.test(c.svg), c.file);
  const md = renderMarkdown(r, charts);
  for (const c of charts) assert.ok(md.includes(`](${c.file})`), c.file);
  assert.match(md, /latency to challenge, p50 \/ p95 \| \*\*3,000 ms \/ 4,500 ms\*\*/);
  assert.match(md, /time to finality, p50 \/ p95/);
  assert.match(
    md,
    /watcher throughput \(batched executor verified jobs\/s ÷ raw onnxruntime inferences\/s, 64 a batch\) \| \*\*2\.5\*\* \(7,500\/s vs 3,000\/s\)/,
  );
  assert.match(md, /\| batched executor, 1 a batch \(4 jobs, output roots compared\) \| 600 \| 0\.2 \|/);
  assert.match(md, /\| trace re-execution \(executor child process\) \| 3 \| 0\.001 \|/);
  assert.match(md, /watcher daemon draining a backlog \(verified jobs\/s ÷ raw inferences\/s\) \| \*\*0\.013\*\* \(40\/s\)/);
  assert.match(md, /\*\*daemonThroughputRatio\*\* \| \*\*0\.013\*\*/);
  assert.ok(!md.includes("not measured"));
});
