/**
 * Watcher verification throughput against raw onnxruntime, same model, same run.
 *
 * - Batched verification (the headline, `throughputRatio`): what the watcher does to
 *   decide jobs now that providers commit only their output root: batches of B jobs of
 *   one model through `ExecutorPool.runOutputs` (watcher/executor/pool.ts), i.e. one
 *   request over IPC to the executor CHILD PROCESS with the B packed inputs in one
 *   buffer; the child checks the file against the registration (the model compiled
 *   once per worker while its file is unchanged), runs the B jobs stacked in one
 *   onnxruntime call where src/trace/batchable.ts allows it (else one call each) and
 *   sends back each job's output root; then each root is compared with the committed
 *   outputRoot (honest roots computed beforehand, not timed). Verified jobs per
 *   second, for B = 1, 16, 64 and 256; the headline is B = 64.
 * - Trace re-execution (`reexecutionsPerSec`): the cost of tracing one job whose
 *   output differs, so that the watcher can dispute it: `ExecutorPool.run`, i.e. the
 *   child traces the job (`traceModel`) and sends back every node root, outputRoot and
 *   every node's packed output; then outputRoot is compared with the committed one.
 * - Raw: `InferenceSession.run` of onnxruntime-node on the plain model (the bytes
 *   src/trace/rewrite.ts hands onnxruntime, without extra outputs), one input per
 *   call, inputs built beforehand, the same session options and thread count.
 *
 * One worker, the watcher's defaults (`--concurrency 1`, `--executor-threads 1`,
 * CPU). All run back to back in alternating rounds (raw, batched at each B, trace,
 * raw, …) so that load from other processes on a shared box falls on all alike; the
 * rates are total jobs over total time. A batch larger than the workload takes its
 * inputs cyclically (the executor does not cache outputs, so repeats cost the same).
 */
import { readFileSync } from "node:fs";
import * as ort from "onnxruntime-node";
import { pino } from "pino";
import { bytesToHex, type Hex } from "viem";
import { compileModel } from "../src/onnx/compile.ts";
import { at } from "../src/tensor/at.ts";
import { pack } from "../src/tensor/packing.ts";
import type { Tensor } from "../src/tensor/tensor.ts";
import { toOrtTensor } from "../src/trace/ortTensor.ts";
import { ortModelBytes } from "../src/trace/rewrite.ts";
import { resolveExecutionConfig, sessionOptionsFor } from "../src/trace/sessionOptions.ts";
import { traceModel } from "../src/trace/trace.ts";
import { concatInputs } from "./executor/inputs.ts";
import { ExecutorPool } from "./executor/pool.ts";
import type { ExecRequest, OutputsRequest } from "./executor/protocol.ts";
import { fileBindingOf } from "../src/onnx/modelSpecFor.ts";
import type { Workload } from "../src/bench/inputs.ts";
import type { WatcherThroughput } from "../src/bench/report.ts";
import { round, roundSummary, summarize } from "../src/bench/stats.ts";

type Request = Omit<ExecRequest, "id">;
type Batch = { readonly request: Omit<OutputsRequest, "id" | "kind">; readonly committed: readonly Hex[] };

/** The batch sizes measured, and the one the headline ratio is taken at. */
export const BATCH_SIZES = [1, 16, 64, 256] as const;
export const HEADLINE_BATCH = 64;

export async function benchWatcherThroughput(
  w: Workload,
  opts: {
    readonly warmup: number;
    readonly rounds: number;
    readonly compileSamples: number;
    /** Batch sizes to measure; the headline size is always among them. */
    readonly batchSizes?: readonly number[];
  },
): Promise<WatcherThroughput> {
  const { compiled, inputs } = w;
  const threads = 1;
  const expected = fileBindingOf(compiled);
  // Per input: what the job committed (honest roots, computed here beforehand, not timed) and its request.
  const jobs: { input: Tensor; committed: { outputRoot: Hex }; request: Request }[] = [];
  for (const input of inputs) {
    const t = await traceModel(compiled, input);
    jobs.push({
      input,
      committed: { outputRoot: t.outputRoot },
      request: {
        modelPath: w.modelFile,
        expected,
        input: bytesToHex(pack(input)),
        executionProvider: "cpu",
        threads,
      },
    });
  }

  // Per batch size, the batches of one round: at least every input once and at least
  // four batches, inputs taken cyclically.
  const sizes = [...new Set([...(opts.batchSizes ?? BATCH_SIZES), HEADLINE_BATCH])].sort((a, b) => a - b);
  const packed = inputs.map(pack);
  const batchesFor = (size: number): Batch[] => {
    const count = Math.ceil(Math.max(inputs.length, 4 * size) / size);
    const batches: Batch[] = [];
    for (let b = 0; b < count; b++) {
      const picks = Array.from({ length: size }, (_, k) => (b * size + k) % inputs.length);
      batches.push({
        request: {
          modelPath: w.modelFile,
          expected,
          inputs: concatInputs(picks.map((i) => at(packed, i))),
          count: size,
          executionProvider: "cpu",
          threads,
        },
        committed: picks.map((i) => at(jobs, i).committed.outputRoot),
      });
    }
    return batches;
  };
  const batchesBySize = new Map(sizes.map((size) => [size, batchesFor(size)]));

  const config = resolveExecutionConfig({ intraOpNumThreads: threads });
  const raw = await ort.InferenceSession.create(
    ortModelBytes(compiled, { allOutputs: false }),
    sessionOptionsFor(config),
  );
  const feeds = inputs.map((x) => ({ [compiled.input.name]: toOrtTensor(x) }));
  const pool = new ExecutorPool(1, { memoryMb: 2048, timeoutMs: 120_000 }, pino({ level: "silent" }));

  let allMatched = true;
  const reexecute = async (job: (typeof jobs)[number]): Promise<void> => {
    const r = await pool.run(job.request);
    if (r.kind !== "ok") throw new Error(`executor: ${r.kind}: ${JSON.stringify(r)}`);
    const c = job.committed;
    if (r.outputRoot.toLowerCase() !== c.outputRoot.toLowerCase()) allMatched = false;
  };
  let batchedEverywhere = true;
  /** Runs one batch and compares every root; returns the jobs verified. */
  const verifyBatch = async (batch: Batch): Promise<number> => {
    const r = await pool.runOutputs(batch.request);
    if (r.kind !== "outputs") throw new Error(`executor: ${r.kind}: ${JSON.stringify(r)}`);
    if (!r.batched) batchedEverywhere = false;
    r.outputRoots.forEach((root, i) => {
      if (root.toLowerCase() !== batch.committed[i]?.toLowerCase()) allMatched = false;
    });
    return r.outputRoots.length;
  };
  const batchedJobs = new Map(sizes.map((size) => [size, 0]));
  const batchedTotal = new Map(sizes.map((size) => [size, 0]));
  try {
    for (const batches of batchesBySize.values()) await verifyBatch(at(batches, 0));
    for (let k = 0; k < opts.warmup; k++) {
      // feeds and jobs hold one entry per input.
      await raw.run(at(feeds, k % feeds.length));
      await reexecute(at(jobs, k % jobs.length));
    }
    const rawMs: number[] = [];
    const execMs: number[] = [];
    let rawTotal = 0;
    let execTotal = 0;
    const rounds = Math.max(1, Math.min(opts.rounds, inputs.length));
    const per = Math.ceil(inputs.length / rounds);
    for (let r = 0; r < rounds; r++) {
      const from = r * per;
      const to = Math.min(inputs.length, from + per);
      let t0 = performance.now();
      for (const feed of feeds.slice(from, to)) {
        const s = performance.now();
        await raw.run(feed);
        rawMs.push(performance.now() - s);
      }
      rawTotal += performance.now() - t0;
      for (const [size, batches] of batchesBySize) {
        t0 = performance.now();
        let n = 0;
        for (const batch of batches) n += await verifyBatch(batch);
        batchedTotal.set(size, (batchedTotal.get(size) ?? 0) + performance.now() - t0);
        batchedJobs.set(size, (batchedJobs.get(size) ?? 0) + n);
      }
      t0 = performance.now();
      for (const job of jobs.slice(from, to)) {
        const s = performance.now();
        await reexecute(job);
        execMs.push(performance.now() - s);
      }
      execTotal += performance.now() - t0;
    }
    const compileMs: number[] = [];
    const bytes = new Uint8Array(readFileSync(w.modelFile));
    for (let k = 0; k < opts.compileSamples; k++) {
      const s = performance.now();
      compileModel(bytes);
      compileMs.push(performance.now() - s);
    }
    const traceMs: number[] = [];
    const t0 = performance.now();
    for (const { input, committed } of jobs) {
      const s = performance.now();
      const t = await traceModel(compiled, input, { intraOpNumThreads: threads });
      if (t.outputRoot !== committed.outputRoot) allMatched = false;
      traceMs.push(performance.now() - s);
    }
    const compiledOncePerSec = (inputs.length / (performance.now() - t0)) * 1000;
    const reexecutionsPerSec = (execMs.length / execTotal) * 1000;
    const rawInferencesPerSec = (rawMs.length / rawTotal) * 1000;
    const bySize = sizes.map((size) => {
      const jobsPerSec = ((batchedJobs.get(size) ?? 0) / (batchedTotal.get(size) ?? 1)) * 1000;
      return {
        batchSize: size,
        jobs: batchedJobs.get(size) ?? 0,
        verifiedJobsPerSec: round(jobsPerSec, 2),
        ratio: round(jobsPerSec / rawInferencesPerSec, 4),
      };
    });
    const headline = bySize.find((b) => b.batchSize === HEADLINE_BATCH);
    if (headline === undefined) throw new Error("the headline batch size is always measured");
    return {
      throughputRatio: headline.ratio,
      verifiedJobsPerSec: headline.verifiedJobsPerSec,
      batchSize: HEADLINE_BATCH,
      batched: batchedEverywhere,
      batchSizes: bySize,
      reexecutionsPerSec: round(reexecutionsPerSec, 2),
      reexecutionRatio: round(reexecutionsPerSec / rawInferencesPerSec, 5),
      rawInferencesPerSec: round(rawInferencesPerSec, 2),
      jobs: execMs.length,
      rounds,
      reexecutionMs: roundSummary(summarize(execMs), 4),
      rawInferenceMs: roundSummary(summarize(rawMs), 4),
      breakdown: {
        compileModelMs: roundSummary(summarize(compileMs), 2),
        traceAndCompareMs: roundSummary(summarize(traceMs), 4),
        compiledOncePerSec: round(compiledOncePerSec, 2),
      },
      allMatched,
      executor:
        "watcher/executor/pool.ts ExecutorPool (1 child process, as `refute watch --concurrency 1`): registration check, the model compiled once per worker while its file is unchanged; batched: runOutputs, the batch's packed inputs in one buffer, the jobs stacked in one onnxruntime call, one output root per job back, each compared with the committed outputRoot; trace: run, traceModel, all node outputs over IPC, then the outputRoot compared",
      threads,
      ep: "cpu",
    };
  } finally {
    await pool.close();
    await raw.release();
  }
}
