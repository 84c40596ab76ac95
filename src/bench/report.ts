/** bench/results.json's shape, and bench/RESULTS.md with its SVG charts rendered from it. */
import { gasAt, type Json } from "./gas.ts";
import type { BacklogResult } from "./backlog.ts";
import type { LatencyResult, Percentiles } from "./latency.ts";
import type { MachineInfo } from "./machine.ts";
import type { ProviderBench } from "./provider.ts";
import type { Summary } from "./stats.ts";
import { barChart, cdfChart, fmt, PALETTE, stackedBar, type Bar } from "./svg.ts";

/** Batched verification at one batch size (watcher/bench.ts). */
export interface BatchedVerification {
  readonly batchSize: number;
  readonly jobs: number;
  /** Jobs whose output root the batched executor computed and compared, per second. */
  readonly verifiedJobsPerSec: number;
  /** verifiedJobsPerSec ÷ rawInferencesPerSec. */
  readonly ratio: number;
}

export interface WatcherThroughput {
  /**
   * Jobs per second the batched executor verifies (each job's output root computed in
   * the executor child, in batches of `batchSize` jobs, and compared with the
   * committed outputRoot) divided by raw single-call onnxruntime inferences per second.
   */
  readonly throughputRatio: number;
  /** The batched executor's verified jobs per second at `batchSize`. */
  readonly verifiedJobsPerSec: number;
  readonly batchSize: number;
  /** Whether the model ran stacked in every batch (src/trace/batchable.ts accepted it). */
  readonly batched: boolean;
  /** The same measurement at every batch size. */
  readonly batchSizes: readonly BatchedVerification[];
  /** Jobs traced per second by the executor (ExecutorPool.run): the cost of tracing a job whose output differs. */
  readonly reexecutionsPerSec: number;
  /** reexecutionsPerSec ÷ rawInferencesPerSec. */
  readonly reexecutionRatio: number;
  readonly rawInferencesPerSec: number;
  readonly jobs: number;
  readonly rounds: number;
  readonly reexecutionMs: Summary;
  readonly rawInferenceMs: Summary;
  /**
   * Where a re-execution's time goes, measured in this process: compiling the model
   * file (src/onnx/compile.ts: decode, validate, fileHash, graphRoot over every
   * constant's tensor root), which the executor child does on every request, and the
   * trace + compare alone on the already compiled model.
   */
  readonly breakdown: {
    readonly compileModelMs: Summary;
    readonly traceAndCompareMs: Summary;
    /** Trace + compare per second with the model compiled once (no child process, no IPC). */
    readonly compiledOncePerSec: number;
  };
  /** Every output root and every re-execution matched the honest commitment (a sanity check of the paths). */
  readonly allMatched: boolean;
  readonly executor: string;
  readonly threads: number;
  readonly ep: string;
}

export interface WatcherSection extends WatcherThroughput {
  /** The real `refute watch` daemon draining a backlog (backlog.ts): verified jobs per second. */
  readonly daemonJobsPerSecond: number | null;
  /** daemonJobsPerSecond ÷ rawInferencesPerSec of the same run. */
  readonly daemonThroughputRatio: number | null;
  /** Why the daemon figures are null. */
  readonly daemonMissing?: string;
  /** The whole backlog run (configuration, method, counts). */
  readonly backlog: BacklogResult | null;
  readonly latencyToChallengeMs: Percentiles | null;
  readonly latencyToSlashMs: Percentiles | null;
  /** Why the latencies are null. */
  readonly latencyMissing?: string;
  /** The whole latency run (configuration, method, counts, per fault, samples). */
  readonly latency: LatencyResult | null;
}

export interface FinalitySection {
  readonly jobs: number;
  readonly timeToFinalityMs: Percentiles | null;
  readonly commitLatencyMs: Percentiles | null;
  readonly challengeWindowSec: number;
  readonly windowOnChainSec: Percentiles | null;
  readonly finalizeTxLatencyMs: Percentiles | null;
}

export interface BenchResults {
  readonly schema: 1;
  readonly generated: string;
  readonly command: string;
  readonly profile: "full" | "quick";
  readonly machine: MachineInfo;
  /** 1-minute load average when the run ended (the machine is shared). */
  readonly loadAverage1mAtEnd: number;
  readonly durationSec: number;
  readonly gas: { readonly [k: string]: Json } | null;
  readonly gasSource: string;
  /** mtime of the copied gas file. */
  readonly gasFileModified?: string;
  /** Whether this run ran `npm run gas` first (the file was absent). */
  readonly gasScriptRun?: boolean;
  readonly gasMissing?: string;
  readonly provider: ProviderBench;
  readonly watcher: WatcherSection;
  readonly finality: FinalitySection | null;
  readonly finalityMissing?: string;
}

export interface Chart {
  readonly file: string;
  readonly svg: string;
  readonly caption: string;
}

const ms = (x: number) => `${fmt(x)} ms`;
const pctRow = (name: string, p: Percentiles | null, unit = "ms") =>
  p === null
    ? `| ${name} | — | — | — |`
    : `| ${name} | ${fmt(p.p50)} ${unit} | ${fmt(p.p95)} ${unit} | ${p.n} |`;
const sumRow = (name: string, s: Summary) => `| ${name} | ${ms(s.median)} | ${ms(s.p95)} | ${ms(s.mean)} | ${s.n} |`;

export function renderCharts(r: BenchResults): Chart[] {
  const charts: Chart[] = [];
  const p = r.provider;
  charts.push({
    file: "bench-provider.svg",
    caption: "Provider: plain inference vs. the commit path, per image (median; p95 after the value)",
    svg: barChart({
      title: "Provider cost per job: plain inference vs. the commit path (output + calldata)",
      subtitle: `models/fmnist-mlp.onnx, ${p.images} evaluation images, median per image; ratio ${fmt(p.commitOverheadRatio)}×`,
      unit: "milliseconds per job",
      bars: [
        { label: "plain inference (infer)", value: p.plainInferenceMs.median, note: `p95 ${fmt(p.plainInferenceMs.p95)}` },
        { label: "commit path (total)", value: p.commitPathMs.median, note: `p95 ${fmt(p.commitPathMs.p95)}` },
        { label: "traceModel (challenged jobs only)", value: p.parts.traceMs.median, note: `p95 ${fmt(p.parts.traceMs.p95)}` },
        { label: "· · of which roots + traceRoot", value: p.parts.rootsMs.median, note: `p95 ${fmt(p.parts.rootsMs.p95)}` },
        { label: "single commit calldata", value: p.parts.commitCalldataMs.median, note: `p95 ${fmt(p.parts.commitCalldataMs.p95)}` },
        { label: "commitBatch(16) calldata / job", value: p.parts.commitBatch16CalldataPerJobMs.median },
      ],
    }),
  });
  const w = r.watcher;
  charts.push({
    file: "bench-watcher.svg",
    caption: "Watcher: verified jobs and re-executions per second against raw onnxruntime inferences per second",
    svg: barChart({
      title: "Watcher throughput (jobs per second, one worker, one thread)",
      subtitle: `ratio batched verification (${w.batchSize} jobs a batch) / raw inferences = ${w.throughputRatio}`,
      unit: "jobs per second",
      log: true,
      bars: [
        { label: "raw onnxruntime session.run", value: w.rawInferencesPerSec },
        ...w.batchSizes.map((b) => ({
          label: `batched executor, ${b.batchSize} a batch (output roots)`,
          value: b.verifiedJobsPerSec,
        })),
        { label: "in-process trace + compare (compiled once)", value: w.breakdown.compiledOncePerSec },
        { label: "trace executor (child process)", value: w.reexecutionsPerSec },
      ],
    }),
  });
  const lat = w.latency;
  if (lat !== null && lat.samples.challengeMs.length + lat.samples.slashMs.length > 0) {
    charts.push({
      file: "bench-latency.svg",
      caption: "Bad jobs: time from the bad commit's block to the watcher's challenge and to the slash",
      svg: cdfChart({
        title: "Latency to challenge and to slash (bad jobs)",
        subtitle: `${lat.badJobs.committed} bad commits, ${lat.config.blockTimeSec} s blocks, daemons poll ${lat.config.daemonPollIntervalMs} ms, ${lat.config.confirmations} confirmation(s)`,
        unit: "milliseconds after the bad commit's block was seen",
        series: [
          { label: "challenge committed", values: lat.samples.challengeMs },
          { label: "slashed", values: lat.samples.slashMs },
        ],
      }),
    });
  }
  const fin = r.finality;
  if (fin !== null && fin.commitLatencyMs !== null && fin.finalizeTxLatencyMs !== null) {
    const windowMs = fin.challengeWindowSec * 1000;
    const segments: Bar[] = [
      { label: "commit latency (request → commit, p50)", value: fin.commitLatencyMs.p50 },
      { label: "challenge window (configured)", value: windowMs },
      { label: "finalize latency (window end → finalized, p50)", value: fin.finalizeTxLatencyMs.p50 },
    ];
    charts.push({
      file: "bench-finality.svg",
      caption: "Honest jobs: time to finality and its parts",
      svg: stackedBar({
        title: "Time to finality of an honest job",
        subtitle:
          fin.timeToFinalityMs !== null
            ? `measured p50 ${fmt(fin.timeToFinalityMs.p50)} ms, p95 ${fmt(fin.timeToFinalityMs.p95)} ms over ${fin.timeToFinalityMs.n} jobs`
            : undefined,
        unit: "ms",
        segments,
      }),
    });
  }
  const g = r.gas;
  if (g !== null) {
    const bars: Bar[] = [];
    let color = PALETTE[0];
    const add = (label: string, ...path: string[]) => {
      const v = gasAt(g, ...path);
      if (v !== undefined) bars.push({ label, value: v, color });
    };
    add("request", "jobs", "request");
    add("commit (single)", "jobs", "commit");
    for (const n of ["16", "64", "256"]) add(`commitBatch per job (${n})`, "jobs", "commitBatchPerJob", n);
    add("finalize", "jobs", "finalize");
    color = PALETTE[1];
    for (const kind of ["wrong-output", "flipped-element@node1", "flipped-element@node0"])
      add(`whole dispute: ${kind}`, "fullDispute", kind, "gas");
    add("whole dispute: bisection (376 words)", "bisectionDispute376Words", "gas");
    color = PALETTE[2];
    for (const k of ["MatMulInteger.K64", "MatMulInteger.K784", "MatMulInteger.K4096"])
      add(`one-step ${k}`, "oneStep", k);
    if (bars.length > 0) {
      charts.push({
        file: "bench-gas.svg",
        caption: `Gas (from ${r.gasSource})`,
        svg: barChart({
          title: "Gas per transaction, per job and per dispute",
          subtitle: `exact gasUsed from receipts (${r.gasSource})`,
          unit: "gas",
          bars,
        }),
      });
    }
  }
  return charts;
}

function gasSection(r: BenchResults): string[] {
  const g = r.gas;
  if (g === null) return [`Gas figures are missing: ${r.gasMissing ?? "unknown reason"}.`];
  const out: string[] = [
    `Copied from \`${r.gasSource}\`${r.gasFileModified !== undefined ? ` (written ${r.gasFileModified}${r.gasScriptRun === true ? " by this run" : ""})` : ""}:`,
    "exact `gasUsed` from receipts on anvil, `npm run gas` (scripts/gas.ts).",
    "",
  ];
  const row = (name: string, ...path: string[]) => {
    const v = gasAt(g, ...path);
    return v === undefined ? undefined : `| ${name} | ${v.toLocaleString("en-US")} |`;
  };
  const rows = [
    row("request", "jobs", "request"),
    row("commit (single)", "jobs", "commit"),
    row("commitBatch, per job, 16 jobs", "jobs", "commitBatchPerJob", "16"),
    row("commitBatch, per job, 64 jobs", "jobs", "commitBatchPerJob", "64"),
    row("commitBatch, per job, 256 jobs", "jobs", "commitBatchPerJob", "256"),
    row("finalize", "jobs", "finalize"),
  ].filter((x): x is string => x !== undefined);
  if (rows.length) out.push("| per job | gas |", "| --- | ---: |", ...rows, "");
  const moves = g.disputeMoves;
  if (moves !== null && typeof moves === "object" && !Array.isArray(moves)) {
    out.push("| dispute move | gas |", "| --- | ---: |");
    for (const [k, v] of Object.entries(moves as { readonly [k: string]: Json })) {
      if (typeof v === "number") out.push(`| ${k} | ${v.toLocaleString("en-US")} |`);
      else if (Array.isArray(v)) out.push(`| ${k} (per round) | ${v.map((x) => String(x)).join(", ")} |`);
      else if (v !== null && typeof v === "object")
        for (const [k2, v2] of Object.entries(v as { readonly [k: string]: Json }))
          if (typeof v2 === "number") out.push(`| ${k} (${k2}) | ${v2.toLocaleString("en-US")} |`);
    }
    out.push("");
  }
  const full = g.fullDispute;
  if (full !== null && typeof full === "object" && !Array.isArray(full)) {
    out.push("| whole dispute | transactions | gas |", "| --- | ---: | ---: |");
    for (const k of Object.keys(full as { readonly [k: string]: Json })) {
      const tx = gasAt(g, "fullDispute", k, "transactions");
      const gas = gasAt(g, "fullDispute", k, "gas");
      if (gas !== undefined) out.push(`| ${k} | ${tx ?? "—"} | ${gas.toLocaleString("en-US")} |`);
    }
    const btx = gasAt(g, "bisectionDispute376Words", "transactions");
    const bgas = gasAt(g, "bisectionDispute376Words", "gas");
    if (bgas !== undefined) out.push(`| bisection, 376-word node | ${btx ?? "—"} | ${bgas.toLocaleString("en-US")} |`);
    out.push("");
  }
  const one = g.oneStep;
  if (one !== null && typeof one === "object" && !Array.isArray(one)) {
    const entries = Object.entries(one as { readonly [k: string]: Json }).filter(
      (e): e is [string, number] => typeof e[1] === "number",
    );
    const perOp = entries.filter(([k]) => !k.includes(".K"));
    const perK = entries.filter(([k]) => k.includes(".K"));
    if (perOp.length) {
      out.push("| one-step proof, per operator | gas |", "| --- | ---: |");
      for (const [k, v] of perOp) out.push(`| ${k} | ${v.toLocaleString("en-US")} |`);
      out.push("");
    }
    if (perK.length) {
      out.push("| one-step MatMulInteger vs K | gas |", "| --- | ---: |");
      for (const [k, v] of perK) out.push(`| ${k.replace("MatMulInteger.", "")} | ${v.toLocaleString("en-US")} |`);
      out.push("");
    }
  }
  return out;
}

export function renderMarkdown(r: BenchResults, charts: readonly Chart[]): string {
  const m = r.machine;
  const p = r.provider;
  const w = r.watcher;
  const lat = w.latency;
  const fin = r.finality;
  const img = (file: string) => {
    const c = charts.find((x) => x.file === file);
    return c === undefined ? [] : [`![${c.caption}](${c.file})`, ""];
  };
  const compileShare = w.breakdown.compileModelMs.median / w.reexecutionMs.median;
  const lines: string[] = [
    "# Refute benchmarks",
    "",
    `Generated by \`${r.command}\` (scripts/bench.ts, profile **${r.profile}**) on ${m.date}, in ${fmt(r.durationSec)} s.`,
    "Every figure below was measured in that one run on the machine described here; nothing is copied from",
    "elsewhere except the gas table, which is `bench/gas.json` (exact receipts, `npm run gas`). The raw figures are",
    "in [results.json](results.json).",
    "",
    "## Machine",
    "",
    "| | |",
    "| --- | --- |",
    `| CPU | ${m.cpuModel} |`,
    `| cores | ${m.logicalCores} logical (${m.availableParallelism} available to Node) |`,
    `| memory | ${m.memoryGiB} GiB (${m.freeMemoryGiB} GiB free at start) |`,
    `| load average (1 min) | ${m.loadAverage1m} at start, ${r.loadAverage1mAtEnd} at end — a shared box: absolute times are noisy, ratios are taken within one run |`,
    `| OS | ${m.os} |`,
    `| Node | ${m.node} |`,
    `| onnxruntime-node | ${m.onnxruntimeNode} (CPU execution provider) |`,
    `| viem | ${m.viem} |`,
    `| anvil | ${m.anvil ?? "—"} |`,
    `| git | ${m.gitCommit ?? "—"} |`,
    "",
    "## Headline",
    "",
    "| figure | value |",
    "| --- | --- |",
    `| provider commit overhead (median commit path / median plain inference) | **${fmt(p.commitOverheadRatio)}×** (${ms(p.commitPathMs.median)} vs ${ms(p.plainInferenceMs.median)}) |`,
    `| watcher throughput (batched executor verified jobs/s ÷ raw onnxruntime inferences/s, ${w.batchSize} a batch) | **${w.throughputRatio}** (${fmt(w.verifiedJobsPerSec)}/s vs ${fmt(w.rawInferencesPerSec)}/s) |`,
    `| watcher trace re-execution (traced jobs/s ÷ raw inferences/s) | ${w.reexecutionRatio} (${fmt(w.reexecutionsPerSec)}/s) |`,
    w.daemonJobsPerSecond !== null && w.daemonThroughputRatio !== null
      ? `| watcher daemon draining a backlog (verified jobs/s ÷ raw inferences/s) | **${w.daemonThroughputRatio}** (${fmt(w.daemonJobsPerSecond)}/s) |`
      : `| watcher daemon draining a backlog | not measured: ${w.daemonMissing ?? "—"} |`,
    w.latencyToChallengeMs !== null
      ? `| latency to challenge, p50 / p95 | **${ms(w.latencyToChallengeMs.p50)} / ${ms(w.latencyToChallengeMs.p95)}** (${w.latencyToChallengeMs.n} bad jobs) |`
      : `| latency to challenge | not measured: ${w.latencyMissing ?? "—"} |`,
    w.latencyToSlashMs !== null
      ? `| latency to slash, p50 / p95 | **${ms(w.latencyToSlashMs.p50)} / ${ms(w.latencyToSlashMs.p95)}** (${w.latencyToSlashMs.n} bad jobs) |`
      : `| latency to slash | not measured: ${w.latencyMissing ?? "—"} |`,
    fin !== null && fin.timeToFinalityMs !== null
      ? `| time to finality, p50 / p95 | **${ms(fin.timeToFinalityMs.p50)} / ${ms(fin.timeToFinalityMs.p95)}** with a ${fin.challengeWindowSec} s challenge window (${fin.timeToFinalityMs.n} honest jobs) |`
      : `| time to finality | not measured: ${r.finalityMissing ?? "—"} |`,
    ...(r.gas !== null
      ? [
          `| gas per job: single commit / commitBatch of 256 | ${gasAt(r.gas, "jobs", "commit")?.toLocaleString("en-US") ?? "—"} / ${gasAt(r.gas, "jobs", "commitBatchPerJob", "256")?.toLocaleString("en-US") ?? "—"} |`,
        ]
      : []),
    "",
    "## Provider: the cost of committing",
    "",
    `Over the first ${p.images} images of \`models/fmnist-mlp.eval-images.idx\` (after ${p.warmupRuns} warm-up runs), each image is`,
    "run both ways in one process, alternating which goes first:",
    "",
    "- **plain**: `infer` (src/trace/infer.ts) — the published model, output only;",
    "- **commit path**: what the provider daemon runs per job, `committedOutput` (src/trace/committedOutput.ts: `infer`",
    `  again, the output's packing and tensor root, each word hashed once), plus the job's share of the calldata of the`,
    `  \`commitBatch\` of ${p.batch} jobs it goes out in, as the daemon sends them under load (src/client/commitCalldata.ts,`,
    "  the ABI encoding written out). Only the output is committed;",
    "- **trace** (timed apart, paid only for a challenged job): `traceModel` (src/trace/trace.ts: one onnxruntime",
    "  run that fetches every node's output, the copies, every node's tensor root, `traceRoot`).",
    "",
    `Sessions: CPU, ${p.session.intraOpNumThreads} intra-op thread, optimization "${p.session.graphOptimizationLevel}" (the pinned defaults); session creation, not in the figures:`,
    `plain ${ms(p.sessionCreateMs.plain)}, trace ${ms(p.sessionCreateMs.trace)}. The trace holds ${p.traceElements} elements over ${p.nodes} nodes;`,
    `the commit calldata is ${p.commitCalldataBytes} bytes.`,
    "",
    "| per image | median | p95 | mean | n |",
    "| --- | ---: | ---: | ---: | ---: |",
    sumRow("plain inference", p.plainInferenceMs),
    sumRow("**commit path**", p.commitPathMs),
    sumRow("— of which committedOutput (infer, packing, output root)", p.parts.committedOutputMs),
    sumRow("commit path with a single `commit` per job", p.singleCommitPathMs),
    sumRow("traceModel (challenged jobs only, not in the commit path)", p.parts.traceMs),
    sumRow("— of which roots + traceRoot (timed apart)", p.parts.rootsMs),
    sumRow("single commit calldata", p.parts.commitCalldataMs),
    sumRow("commitBatch(16) calldata, per job", p.parts.commitBatch16CalldataPerJobMs),
    "",
    `**commitOverheadRatio = ${fmt(p.commitOverheadRatio)}** (median / median); at p95 the ratio is ${fmt(p.commitOverheadRatioP95)}. With a single`,
    `\`commit\` per job (what the daemon sends when one job is ready) it is ${fmt(p.singleCommitOverheadRatio)}.`,
    `A challenged job's trace costs ${fmt(p.parts.traceMs.median / p.plainInferenceMs.median)}× plain inference (median); its roots and traceRoot (keccak over`,
    `every node's packed output) are ${fmt((100 * p.parts.rootsMs.median) / p.parts.traceMs.median)} % of it. The calldata is negligible.`,
    "",
    ...img("bench-provider.svg"),
    "## Watcher: verification throughput",
    "",
    `Executor measured: ${w.executor}.`,
    `Raw baseline: onnxruntime-node \`InferenceSession.run\` on the plain model with the same session options and ${w.threads} thread, one input per call, inputs built beforehand.`,
    `All ran over the same ${w.jobs} images in ${w.rounds} alternating rounds; rates are jobs over total time.`,
    `The model ${w.batched ? "ran stacked, one onnxruntime call per batch" : "was refused by the batch check and ran one call per job"}.`,
    "",
    "| | jobs/s | ÷ raw | per job median | p95 |",
    "| --- | ---: | ---: | ---: | ---: |",
    `| raw onnxruntime inference | ${fmt(w.rawInferencesPerSec)} | 1 | ${ms(w.rawInferenceMs.median)} | ${ms(w.rawInferenceMs.p95)} |`,
    ...w.batchSizes.map(
      (b) =>
        `| ${b.batchSize === w.batchSize ? "**" : ""}batched executor, ${b.batchSize} a batch${b.batchSize === w.batchSize ? "**" : ""} (${b.jobs} jobs, output roots compared) | ${fmt(b.verifiedJobsPerSec)} | ${b.ratio} | — | — |`,
    ),
    `| trace re-execution (executor child process) | ${fmt(w.reexecutionsPerSec)} | ${w.reexecutionRatio} | ${ms(w.reexecutionMs.median)} | ${ms(w.reexecutionMs.p95)} |`,
    `| in-process trace + compare, model compiled once | ${fmt(w.breakdown.compiledOncePerSec)} | — | ${ms(w.breakdown.traceAndCompareMs.median)} | ${ms(w.breakdown.traceAndCompareMs.p95)} |`,
    `| compileModel of the file alone (in-process) | — | — | ${ms(w.breakdown.compileModelMs.median)} | ${ms(w.breakdown.compileModelMs.p95)} |`,
    "",
    `**throughputRatio = ${w.throughputRatio}** (batched verification at ${w.batchSize} a batch ÷ raw). Every output root and every re-execution ${w.allMatched ? "matched" : "did NOT match"} the honest commitment.`,
    `A job whose output root differs is then traced (the trace re-execution row) so that it can be disputed. The executor child`,
    `compiles a model file once while the file is unchanged; compiling alone is ${fmt(100 * compileShare)} % of a trace re-execution's median here,`,
    "paid on a worker's first job of a model.",
    "",
    ...img("bench-watcher.svg"),
    "## Watcher: the daemon draining a backlog",
    "",
    ...backlogSection(w),
    "## Watcher: latency to challenge and to slash",
    "",
  ];
  if (lat === null) {
    lines.push(`Not measured in this run: ${w.latencyMissing ?? "—"}`, "");
  } else {
    const c = lat.config;
    lines.push(
      `A local anvil (${c.blockTimeSec} s blocks) with the protocol deployed and the shipped model registered with a ${c.challengeWindowSec} s challenge`,
      `window and ${c.responseWindowSec} s response window; three real processes: an honest provider and a cheating provider`,
      `(\`node bin/refute.js provide\`, the cheater with \`--fault ${c.faults.join(",")} --fault-rate 1\`, in turn), each serving its own`,
      `requester, \`--max-batch ${c.providerMaxBatch} --batch-wait ${c.providerBatchWaitMs}\`, and a watcher (\`node bin/refute.js watch --sampling-rate ${c.watcherSamplingRate} --concurrency ${c.watcherConcurrency}\`);`,
      `all with \`--poll-interval ${c.daemonPollIntervalMs} --confirmations ${c.confirmations}\`. After ${lat.warmup.jobs} warm-up jobs (not counted; the watcher's first`,
      `re-execution, child process start included, took ${lat.warmup.coldExecutorMs === null ? "—" : ms(lat.warmup.coldExecutorMs)}), ${lat.badJobs.requested} bad and ${lat.honestJobs.requested} honest jobs were requested ${c.paceMs} ms apart, interleaved.`,
      "",
      `Method: ${lat.method}`,
      "",
      "| | p50 | p95 | n |",
      "| --- | ---: | ---: | ---: |",
      pctRow("**bad commit → challenge committed**", lat.latencyToChallengeMs),
      pctRow("**bad commit → slashed**", lat.latencyToSlashMs),
      pctRow("bad commit → challenge (block timestamps)", lat.latencyToChallengeChainSec, "s"),
      pctRow("bad commit → slashed (block timestamps)", lat.latencyToSlashChainSec, "s"),
      "",
      `Blocks come every ${c.blockTimeSec} s, so every latency is a whole number of blocks plus the observer's jitter:`,
      `the median challenge lands ${lat.latencyToChallengeMs === null ? "—" : fmt(lat.latencyToChallengeMs.p50 / (1000 * c.blockTimeSec))} blocks after the bad commit (the watcher's poll, ${c.confirmations} confirmation(s), the`,
      `re-execution, then its commitChallenge in the next block), the median slash ${lat.latencyToSlashMs === null ? "—" : fmt(lat.latencyToSlashMs.p50 / (1000 * c.blockTimeSec))} blocks after it (revealChallenge`,
      "at least one block after the commit, then postRoots, selectNode, the provider's reveal(s) and proveStep, each in a later",
      "block).",
      "",
      `Bad jobs: ${lat.badJobs.requested} requested, ${lat.badJobs.committed} committed, ${lat.badJobs.challenged} challenged, ${lat.badJobs.slashed} slashed.`,
      `Honest jobs: ${lat.honestJobs.requested} requested, ${lat.honestJobs.committed} committed, ${lat.honestJobs.finalized} finalized, ${lat.honestJobs.challenged} challenged.`,
      "",
      "| fault | jobs | challenge p50 | slash p50 |",
      "| --- | ---: | ---: | ---: |",
      ...Object.entries(lat.byFault).map(
        ([k, v]) =>
          `| ${k} | ${v.jobs} | ${v.challengeP50Ms === null ? "—" : ms(v.challengeP50Ms)} | ${v.slashP50Ms === null ? "—" : ms(v.slashP50Ms)} |`,
      ),
      "",
    );
    if (lat.unresolved.length > 0) {
      lines.push("Unresolved at the end of the run:", "", ...lat.unresolved.map((u) => `- ${u}`), "");
    }
    lines.push(...img("bench-latency.svg"));
  }
  lines.push("## Finality of honest jobs", "");
  if (fin === null) {
    lines.push(`Not measured in this run: ${r.finalityMissing ?? "—"}`, "");
  } else {
    lines.push(
      "Same run, the honest provider's jobs: request's block → JobCommitted's block (commit latency: the provider's poll,",
      "trace, batch wait and one block), the challenge window as configured, then the first block at or after `windowEnd`",
      "→ JobFinalized's block (finalize latency: the provider's `finalizeBatch`).",
      "",
      "| | p50 | p95 | n |",
      "| --- | ---: | ---: | ---: |",
      pctRow("**time to finality** (request → finalized)", fin.timeToFinalityMs),
      pctRow("commit latency (request → commit)", fin.commitLatencyMs),
      `| challenge window (configured) | ${fin.challengeWindowSec} s | ${fin.challengeWindowSec} s | — |`,
      pctRow("window on chain (windowEnd − commit block time)", fin.windowOnChainSec, "s"),
      pctRow("finalize latency (window end → finalized)", fin.finalizeTxLatencyMs),
      "",
      ...img("bench-finality.svg"),
    );
  }
  lines.push("## Gas", "", ...gasSection(r), ...img("bench-gas.svg"));
  lines.push(
    "## Reproduce",
    "",
    "```sh",
    "npm run bench                 # full profile: writes bench/results.json, bench/RESULTS.md, bench/bench-*.svg",
    "npm run bench -- --quick --out /tmp/b   # few images, no latency run (what test/bench/results.test.ts runs)",
    "npm run bench -- --help       # every option",
    "```",
    "",
  );
  return lines.join("\n");
}

/** The real watcher daemon's rate over a committed backlog, or why it was not measured. */
function backlogSection(w: WatcherSection): string[] {
  const b = w.backlog;
  if (b === null) return [`Not measured: ${w.daemonMissing ?? "—"}.`, ""];
  const c = b.config;
  return [
    `Method: ${b.method}.`,
    `${b.jobs} honest jobs committed by the provider daemon in ${fmt(b.commitSec)} s (then stopped); anvil with ${c.blockTimeSec} s blocks,`,
    `the watcher with --concurrency ${c.watcherConcurrency}, --poll-interval ${c.pollIntervalMs} ms, --confirmations ${c.confirmations}.`,
    "",
    "| | value |",
    "| --- | ---: |",
    `| jobs verified | ${b.verified} of ${b.jobs} (${b.notVerified} other verdicts) |`,
    `| drain time (start line → last verified) | ${fmt(b.drainSec)} s |`,
    `| **daemon verified jobs/s** | **${fmt(b.daemonJobsPerSecond)}** |`,
    `| raw onnxruntime inferences/s (same run) | ${fmt(w.rawInferencesPerSec)} |`,
    `| **daemonThroughputRatio** | **${w.daemonThroughputRatio ?? "—"}** |`,
    "",
  ];
}
