/**
 * `npm run bench`: the performance figures of Refute, all measured in one run on
 * this machine, written to bench/results.json and bench/RESULTS.md (with SVG charts):
 *
 * - gas: copied from bench/gas.json (`npm run gas` is run first when it is absent);
 * - provider: commit path (trace + roots + traceRoot + packing + commit calldata) vs
 *   plain inference, per evaluation image (src/bench/provider.ts);
 * - watcher: re-executions per second through the watcher's child-process executor vs
 *   raw onnxruntime inferences per second (watcher/bench.ts);
 * - the real watcher daemon draining a backlog of committed jobs on anvil, its SQLite
 *   store included (src/bench/backlog.ts);
 * - latency to challenge / to slash and time to finality, on anvil with the daemons as
 *   real processes (src/bench/latency.ts).
 *
 *     npm run bench [-- --quick] [-- --out <dir>] [-- --regas] [-- --help]
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { anvilBinary } from "../src/chain/anvil.ts";
import { loadGas } from "../src/bench/gas.ts";
import { loadWorkload, REPO, type Workload } from "../src/bench/inputs.ts";
import { benchBacklog, type BacklogResult } from "../src/bench/backlog.ts";
import {
  renderFloatNoiseSection,
  withFloatNoiseSection,
  type FloatNoiseReport,
} from "../src/bench/floatNoiseReport.ts";
import { benchLatency, type LatencyResult } from "../src/bench/latency.ts";
import { describeMachine } from "../src/bench/machine.ts";
import { benchProvider } from "../src/bench/provider.ts";
import { renderCharts, renderMarkdown, type BenchResults, type FinalitySection } from "../src/bench/report.ts";
import { round } from "../src/bench/stats.ts";
import { benchWatcherThroughput } from "../watcher/bench.ts";
import { releaseSessions } from "../src/trace/session.ts";

/**
 * RESULTS.md from results.json, with the float-noise section (rendered from
 * float-noise.json, which `npm run bench:float-noise` writes) kept in place when that
 * file is there: the two benches write one page.
 */
function resultsMarkdown(
  results: Parameters<typeof renderMarkdown>[0],
  charts: Parameters<typeof renderMarkdown>[1],
): string {
  const md = renderMarkdown(results, charts);
  const noise = join(outDir, "float-noise.json");
  if (!existsSync(noise)) return md;
  const report = JSON.parse(readFileSync(noise, "utf8")) as FloatNoiseReport;
  return withFloatNoiseSection(md, renderFloatNoiseSection(report));
}

const HELP = `npm run bench -- [options]

  --quick                  tiny profile: few images, no backlog or latency run, npm run gas is not run
  --out <dir>              where results.json, RESULTS.md and the charts go (default bench/)
  --images <n>             evaluation images for the provider figures (default 1000; quick 12)
  --watcher-jobs <n>       re-executions for the watcher throughput (default 200; quick 4)
  --backlog-jobs <n>       committed jobs the watcher daemon drains (default 2000)
  --skip-backlog           do not run the backlog run (its keys are then null with the reason)
  --bad-jobs <n>           bad jobs in the latency run (default 50)
  --honest-jobs <n>        honest jobs in the latency run (default 20)
  --pace <ms>              time between two requests (default 2000)
  --block-time <s>         anvil block time (default 1)
  --challenge-window <s>   model's challenge window (default 60)
  --response-window <s>    model's response window (default 20)
  --poll-interval <ms>     the daemons' --poll-interval (default 250)
  --confirmations <n>      the daemons' --confirmations (default 1)
  --faults <kinds>         the cheater's --fault (default wrong-output,flipped-element,substituted-weights,skipped-layer,inconsistent-trace)
  --timeout <s>            give up waiting for resolutions after this long (default 900)
  --skip-latency           do not run the latency run (the keys are then null with the reason)
  --gas-file <file>        gas figures to copy (default bench/gas.json)
  --regas                  measure nothing: copy the gas file into the existing results.json
                           (after a contract change and npm run gas) and render RESULTS.md and
                           the charts again; every measured figure of that file is kept as it is
  -h, --help               this text
`;

const { values: a } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    out: { type: "string" },
    images: { type: "string" },
    "watcher-jobs": { type: "string" },
    "backlog-jobs": { type: "string", default: "2000" },
    "skip-backlog": { type: "boolean", default: false },
    "bad-jobs": { type: "string", default: "50" },
    "honest-jobs": { type: "string", default: "20" },
    pace: { type: "string", default: "2000" },
    "block-time": { type: "string", default: "1" },
    "challenge-window": { type: "string", default: "60" },
    "response-window": { type: "string", default: "20" },
    "poll-interval": { type: "string", default: "250" },
    confirmations: { type: "string", default: "1" },
    faults: {
      type: "string",
      default: "wrong-output,flipped-element,substituted-weights,skipped-layer,inconsistent-trace",
    },
    timeout: { type: "string", default: "900" },
    "skip-latency": { type: "boolean", default: false },
    "gas-file": { type: "string" },
    regas: { type: "boolean", default: false },
    help: { type: "boolean", short: "h", default: false },
  },
  strict: true,
});

if (a.help === true) {
  process.stdout.write(HELP);
  process.exit(0);
}

function int(name: string, v: string | undefined, fallback: number, min: number): number {
  const n = v === undefined ? fallback : Number(v);
  if (!Number.isInteger(n) || n < min) {
    process.stderr.write(`bench: --${name} must be an integer ≥ ${min} (got ${JSON.stringify(v)})\n`);
    process.exit(2);
  }
  return n;
}

const quick = a.quick === true;
const outDir = resolve(a.out ?? join(REPO, "bench"));
const images = int("images", a.images, quick ? 12 : 1000, quick ? 1 : 200);
const watcherJobs = int("watcher-jobs", a["watcher-jobs"], quick ? 4 : 200, 1);
const badJobs = int("bad-jobs", a["bad-jobs"], 50, 1);
const honestJobs = int("honest-jobs", a["honest-jobs"], 20, 1);
const skipLatency = quick || a["skip-latency"] === true;
const log = (line: string) => process.stdout.write(`bench: ${line}\n`);
const started = Date.now();

if (a.regas === true) {
  const file = join(outDir, "results.json");
  if (!existsSync(file)) {
    process.stderr.write(`bench: --regas needs an existing ${file}; run npm run bench first\n`);
    process.exit(2);
  }
  const previous = JSON.parse(readFileSync(file, "utf8")) as BenchResults;
  // A file written before the watcher's batched figures existed cannot be rendered.
  if (!Array.isArray((previous.watcher as Partial<BenchResults["watcher"]>).batchSizes)) {
    process.stderr.write(`bench: --regas: ${file} has no watcher.batchSizes; run the bench again first\n`);
    process.exit(2);
  }
  const g = loadGas({ file: a["gas-file"], runScriptIfMissing: false, log });
  if (g.gas === null) {
    process.stderr.write(`bench: --regas: ${g.missing ?? "no gas figures"}\n`);
    process.exit(2);
  }
  const { gasMissing: _dropped, ...kept } = previous;
  const results: BenchResults = {
    ...kept,
    gas: g.gas,
    gasSource: g.source,
    ...(g.modified !== undefined ? { gasFileModified: g.modified } : {}),
    gasScriptRun: false,
  };
  const charts = renderCharts(results);
  for (const c of charts) writeFileSync(join(outDir, c.file), c.svg);
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(join(outDir, "RESULTS.md"), resultsMarkdown(results, charts));
  log(`copied ${g.source} into ${file}; RESULTS.md and ${charts.length} charts rendered again`);
  process.exit(0);
}
const command = ["npm run bench", ...(process.argv.length > 2 ? ["--", ...process.argv.slice(2)] : [])].join(" ");

let anvil: string | undefined;
try {
  anvil = anvilBinary();
} catch {
  anvil = undefined;
}
const machine = describeMachine(anvil);
log(`${machine.cpuModel}, ${machine.logicalCores} cores, ${machine.memoryGiB} GiB, load ${machine.loadAverage1m}`);

const gas = loadGas({ file: a["gas-file"], runScriptIfMissing: !quick, log });
log(gas.gas !== null ? `gas: copied from ${gas.source}` : `gas: missing (${gas.missing})`);

const all = loadWorkload(Math.max(images, watcherJobs));
const view = (n: number): Workload => ({ ...all, inputs: all.inputs.slice(0, n) });

log(`provider: commit path vs plain inference over ${images} images`);
const provider = await benchProvider(view(images), { warmup: quick ? 3 : 30 });
log(
  `  commitOverheadRatio ${provider.commitOverheadRatio} (median ${provider.commitPathMs.median} ms vs ${provider.plainInferenceMs.median} ms)`,
);
await releaseSessions();

log(`watcher: batched verification and trace re-executions vs raw onnxruntime over ${watcherJobs} jobs`);
const throughput = await benchWatcherThroughput(view(watcherJobs), {
  warmup: quick ? 1 : 5,
  rounds: quick ? 2 : 4,
  compileSamples: quick ? 2 : 10,
});
log(
  `  throughputRatio ${throughput.throughputRatio} (batched, ${throughput.batchSize} a batch: ${throughput.verifiedJobsPerSec}/s vs raw ${throughput.rawInferencesPerSec}/s; ` +
    throughput.batchSizes.map((b) => `${b.batchSize}: ${b.verifiedJobsPerSec}/s`).join(", ") +
    `; trace re-execution ${throughput.reexecutionsPerSec}/s)`,
);
await releaseSessions();

let backlog: BacklogResult | null = null;
let backlogMissing: string | undefined;
if (quick || a["skip-backlog"] === true) {
  backlogMissing = quick ? "skipped by --quick" : "skipped by --skip-backlog";
} else {
  const jobs = int("backlog-jobs", a["backlog-jobs"], 2000, 1);
  const workDir = mkdtempSync(join(tmpdir(), "refute-backlog-"));
  log(`backlog: the watcher daemon drains ${jobs} committed jobs (work dir ${workDir})`);
  try {
    backlog = await benchBacklog(all, {
      jobs,
      blockTime: int("block-time", a["block-time"], 1, 1),
      pollIntervalMs: int("poll-interval", a["poll-interval"], 250, 10),
      confirmations: int("confirmations", a.confirmations, 1, 0),
      concurrency: 1,
      timeoutSec: int("timeout", a.timeout, 900, 10),
      workDir,
      log: (l) => log(`  ${l}`),
    });
    rmSync(workDir, { recursive: true, force: true });
    log(`  ${backlog.daemonJobsPerSecond} verified jobs/s`);
  } catch (e) {
    backlogMissing = `the backlog run failed: ${(e as Error).message.split("\n").slice(0, 6).join(" | ")} (daemon logs kept in ${workDir}/logs)`;
    log(`  ${backlogMissing}`);
  }
}

let latency: LatencyResult | null = null;
let latencyMissing: string | undefined;
if (skipLatency) {
  latencyMissing = quick ? "skipped by --quick" : "skipped by --skip-latency";
} else {
  const workDir = mkdtempSync(join(tmpdir(), "refute-bench-"));
  log(`latency: anvil + daemons, ${badJobs} bad and ${honestJobs} honest jobs (work dir ${workDir})`);
  try {
    latency = await benchLatency(all, {
      badJobs,
      honestJobs,
      paceMs: int("pace", a.pace, 2000, 0),
      blockTime: int("block-time", a["block-time"], 1, 1),
      challengeWindow: int("challenge-window", a["challenge-window"], 60, 1),
      responseWindow: int("response-window", a["response-window"], 20, 1),
      pollIntervalMs: int("poll-interval", a["poll-interval"], 250, 10),
      confirmations: int("confirmations", a.confirmations, 1, 0),
      faults: (a.faults ?? "").split(",").filter(Boolean),
      timeoutSec: int("timeout", a.timeout, 900, 10),
      observeIntervalMs: 20,
      workDir,
      log: (l) => log(`  ${l}`),
    });
    rmSync(workDir, { recursive: true, force: true });
    log(
      `  challenge p50 ${latency.latencyToChallengeMs?.p50 ?? "—"} ms, slash p50 ${latency.latencyToSlashMs?.p50 ?? "—"} ms, finality p50 ${latency.finality.timeToFinalityMs?.p50 ?? "—"} ms`,
    );
  } catch (e) {
    latencyMissing = `the latency run failed: ${(e as Error).message.split("\n").slice(0, 6).join(" | ")} (daemon logs kept in ${workDir}/logs)`;
    log(`  ${latencyMissing}`);
  }
}

const finality: FinalitySection | null =
  latency === null
    ? null
    : {
        jobs: latency.honestJobs.finalized,
        ...latency.finality,
      };

const results: BenchResults = {
  schema: 1,
  generated:
    "npm run bench (scripts/bench.ts): every figure measured in this run on this machine; gas copied from bench/gas.json",
  command,
  profile: quick ? "quick" : "full",
  machine,
  loadAverage1mAtEnd: round(loadavg()[0] ?? 0, 1), // [0, 0, 0] where the OS has no load average
  durationSec: round((Date.now() - started) / 1000, 1),
  gas: gas.gas,
  gasSource: gas.source,
  ...(gas.modified !== undefined ? { gasFileModified: gas.modified } : {}),
  gasScriptRun: gas.ranGasScript,
  ...(gas.missing !== undefined ? { gasMissing: gas.missing } : {}),
  provider,
  watcher: {
    ...throughput,
    daemonJobsPerSecond: backlog?.daemonJobsPerSecond ?? null,
    daemonThroughputRatio:
      backlog === null ? null : round(backlog.daemonJobsPerSecond / throughput.rawInferencesPerSec, 3),
    ...(backlog === null ? { daemonMissing: backlogMissing ?? "not run" } : {}),
    backlog,
    latencyToChallengeMs: latency?.latencyToChallengeMs ?? null,
    latencyToSlashMs: latency?.latencyToSlashMs ?? null,
    ...(latency === null || latency.latencyToChallengeMs === null || latency.latencyToSlashMs === null
      ? { latencyMissing: latencyMissing ?? "no bad job was challenged and slashed during the run" }
      : {}),
    latency,
  },
  finality,
  ...(finality === null || finality.timeToFinalityMs === null
    ? { finalityMissing: latencyMissing ?? "no honest job finalized during the run" }
    : {}),
};

mkdirSync(outDir, { recursive: true });
const charts = renderCharts(results);
for (const c of charts) writeFileSync(join(outDir, c.file), c.svg);
writeFileSync(join(outDir, "results.json"), `${JSON.stringify(results, null, 2)}\n`);
writeFileSync(join(outDir, "RESULTS.md"), resultsMarkdown(results, charts));
log(
  `wrote ${join(outDir, "results.json")}, ${join(outDir, "RESULTS.md")} and ${charts.length} charts in ${results.durationSec} s`,
);
