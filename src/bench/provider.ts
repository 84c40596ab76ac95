/**
 * The provider's cost of committing, against plain inference of the same model on
 * the same image. For every image, in one process and alternating which goes first:
 *
 * - plain: `infer` (src/trace/infer.ts): the published model, output only;
 * - commit path: `infer` again, the output's packing and tensor root, then the calldata
 *   of `commitJob` (src/client/calls.ts) through viem's encodeFunctionData. Only the
 *   output is committed: the trace is computed only for a challenged job.
 *
 * The ratio is median(commit path) / median(plain). Parts are timed on the side: the
 * trace a challenge asks for (`traceModel`, src/trace/trace.ts: one onnxruntime run
 * fetching every node output, the copies, every node's tensor root, traceRoot), the
 * roots recomputed alone, the calldata alone, and the per-job calldata of a 16-job
 * `commitBatch`.
 */
import type { Address } from "viem";
import { commitBatch, commitJob, type CommitArgs } from "../client/calls.ts";
import type { ProtocolAddresses } from "../client/contracts.ts";
import { calldataOf } from "../client/send.ts";
import { traceRootOf } from "../graph/descriptor.ts";
import { at } from "../tensor/at.ts";
import { TensorCommitment, tensorRoot } from "../tensor/commitment.ts";
import { infer } from "../trace/infer.ts";
import { getSession } from "../trace/session.ts";
import { resolveExecutionConfig } from "../trace/sessionOptions.ts";
import { traceModel } from "../trace/trace.ts";
import type { Workload } from "./inputs.ts";
import { round, roundSummary, summarize, type Summary } from "./stats.ts";

export interface ProviderBench {
  readonly images: number;
  readonly warmupRuns: number;
  /** median(commit path) / median(plain inference). */
  readonly commitOverheadRatio: number;
  /** p95(commit path) / p95(plain inference). */
  readonly commitOverheadRatioP95: number;
  readonly plainInferenceMs: Summary;
  readonly commitPathMs: Summary;
  readonly parts: {
    /** traceModel alone, paid only when a job is challenged (every node output, copies, roots, traceRoot). */
    readonly traceMs: Summary;
    /** Of which: every node's tensor root and traceRoot, recomputed on their own. */
    readonly rootsMs: Summary;
    /** encodeFunctionData of commitJob. */
    readonly commitCalldataMs: Summary;
    /** encodeFunctionData of a 16-job commitBatch, divided by 16. */
    readonly commitBatch16CalldataPerJobMs: Summary;
  };
  readonly commitCalldataBytes: number;
  readonly traceElements: number;
  readonly nodes: number;
  readonly session: { readonly intraOpNumThreads: number; readonly graphOptimizationLevel: string; readonly ep: string };
  readonly sessionCreateMs: { readonly plain: number; readonly trace: number };
}

/** Addresses only feed the calldata's target; encodeFunctionData never reads them. */
const NO_ADDRESS: Address = "0x0000000000000000000000000000000000000001";
const ADDRESSES: ProtocolAddresses = {
  token: NO_ADDRESS,
  stakeManager: NO_ADDRESS,
  modelRegistry: NO_ADDRESS,
  jobManager: NO_ADDRESS,
  disputeGame: NO_ADDRESS,
  oneStepVerifier: NO_ADDRESS,
};

export async function benchProvider(w: Workload, opts: { readonly warmup: number }): Promise<ProviderBench> {
  const { compiled, inputs } = w;
  let t = performance.now();
  await getSession(compiled, "plain");
  const plainSession = performance.now() - t;
  t = performance.now();
  await getSession(compiled, "trace");
  const traceSession = performance.now() - t;

  const commitPath = async (i: number) => {
    const output = new TensorCommitment(await infer(compiled, at(inputs, i)));
    const args: CommitArgs = { jobId: BigInt(i + 1), outputRoot: output.root, output: output.packed };
    const afterRun = performance.now();
    const data = calldataOf(commitJob(ADDRESSES, args));
    return { args, data, afterRun };
  };

  for (let k = 0; k < opts.warmup; k++) {
    const i = k % inputs.length;
    await infer(compiled, at(inputs, i));
    await commitPath(i);
    await traceModel(compiled, at(inputs, i));
  }

  const plain: number[] = [];
  const full: number[] = [];
  const traceOnly: number[] = [];
  const calldata: number[] = [];
  const roots: number[] = [];
  const commits: CommitArgs[] = [];
  let calldataBytes = 0;
  let traceElements = 0;
  for (let i = 0; i < inputs.length; i++) {
    const runPlain = async () => {
      const t0 = performance.now();
      await infer(compiled, at(inputs, i));
      plain.push(performance.now() - t0);
    };
    const runCommit = async () => {
      const t0 = performance.now();
      const r = await commitPath(i);
      const t1 = performance.now();
      full.push(t1 - t0);
      calldata.push(t1 - r.afterRun);
      commits.push(r.args);
      calldataBytes = (r.data.length - 2) / 2;
      // The trace a challenge would ask for, outside the commit path.
      const t2 = performance.now();
      const trace = await traceModel(compiled, at(inputs, i));
      traceOnly.push(performance.now() - t2);
      traceElements = trace.nodeOutputs.reduce((a, x) => a + x.size, 0);
      // The hashing part on its own (not inside the timed trace).
      const h0 = performance.now();
      traceRootOf(trace.nodeOutputs.map(tensorRoot));
      roots.push(performance.now() - h0);
    };
    // Alternate the order so that neither always runs on a warmer cache.
    if (i % 2 === 0) {
      await runPlain();
      await runCommit();
    } else {
      await runCommit();
      await runPlain();
    }
  }

  const batchPerJob: number[] = [];
  const BATCH = 16;
  for (let start = 0; start + BATCH <= commits.length; start += BATCH) {
    const batch = commits.slice(start, start + BATCH);
    const t0 = performance.now();
    calldataOf(commitBatch(ADDRESSES, batch));
    batchPerJob.push((performance.now() - t0) / BATCH);
  }
  if (batchPerJob.length === 0) {
    const t0 = performance.now();
    calldataOf(commitBatch(ADDRESSES, commits));
    batchPerJob.push((performance.now() - t0) / Math.max(1, commits.length));
  }

  const plainS = summarize(plain);
  const fullS = summarize(full);
  const config = resolveExecutionConfig();
  return {
    images: inputs.length,
    warmupRuns: opts.warmup,
    commitOverheadRatio: round(fullS.median / plainS.median),
    commitOverheadRatioP95: round(fullS.p95 / plainS.p95),
    plainInferenceMs: roundSummary(plainS, 4),
    commitPathMs: roundSummary(fullS, 4),
    parts: {
      traceMs: roundSummary(summarize(traceOnly), 4),
      rootsMs: roundSummary(summarize(roots), 4),
      commitCalldataMs: roundSummary(summarize(calldata), 4),
      commitBatch16CalldataPerJobMs: roundSummary(summarize(batchPerJob), 4),
    },
    commitCalldataBytes: calldataBytes,
    traceElements,
    nodes: compiled.nodes.length,
    session: {
      intraOpNumThreads: config.intraOpNumThreads,
      graphOptimizationLevel: config.graphOptimizationLevel,
      ep: config.executionProvider,
    },
    sessionCreateMs: { plain: round(plainSession, 1), trace: round(traceSession, 1) },
  };
}
