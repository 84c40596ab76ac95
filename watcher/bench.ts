/**
 * Watcher re-execution throughput against raw onnxruntime, same model, same run.
 *
 * - Re-execution: exactly what the watcher's verifier (watcher/verifier.ts) does
 *   per sampled job once it has the input: `ExecutorPool.run` (watcher/executor/
 *   pool.ts), i.e. a request over IPC to the executor CHILD PROCESS, which reads and
 *   compiles the model file, checks it against the registration, traces it
 *   (`traceModel`) and sends back every node root, traceRoot, outputRoot and every
 *   node's packed output; then the comparison of the outputRoot with the committed
 *   one (here: an honest commitment computed beforehand). One worker,
 *   the watcher's defaults (`--concurrency 1`, `--executor-threads 1`, CPU).
 * - Raw: `InferenceSession.run` of onnxruntime-node on the plain model (the bytes
 *   src/trace/rewrite.ts hands onnxruntime, without extra outputs), inputs built
 *   beforehand, the same session options and thread count.
 *
 * Both run back to back in alternating rounds (raw, executor, raw, executor, …) so
 * that load from other processes on a shared box falls on both alike; the rates are
 * total jobs over total time.
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
import { ExecutorPool } from "./executor/pool.ts";
import type { ExecRequest } from "./executor/protocol.ts";
import { fileBindingOf } from "../src/onnx/modelSpecFor.ts";
import type { Workload } from "../src/bench/inputs.ts";
import type { WatcherThroughput } from "../src/bench/report.ts";
import { round, roundSummary, summarize } from "../src/bench/stats.ts";

type Request = Omit<ExecRequest, "id">;

export async function benchWatcherThroughput(
  w: Workload,
  opts: { readonly warmup: number; readonly rounds: number; readonly compileSamples: number },
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
  try {
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
    return {
      throughputRatio: round(reexecutionsPerSec / rawInferencesPerSec, 5),
      reexecutionsPerSec: round(reexecutionsPerSec, 2),
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
        "watcher/executor/pool.ts ExecutorPool (1 child process, as `refute watch --concurrency 1`): registration check, the model compiled once per worker while its file is unchanged, traceModel, all node outputs over IPC, then the outputRoot compared",
      threads,
      ep: "cpu",
    };
  } finally {
    await pool.close();
    await raw.release();
  }
}
