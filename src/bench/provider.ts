/**
 * The provider's cost of committing, against plain inference of the same model on
 * the same image. For every image, in one process and alternating which goes first:
 *
 * - plain: `infer` (src/trace/infer.ts): the published model, output only;
 * - commit path: what the provider daemon runs for a job, `committedOutput`
 *   (src/trace/committedOutput.ts: `infer` again, the output's packing and tensor root),
 *   then the calldata of a single `commit` (src/client/calls.ts, encoded by
 *   src/client/commitCalldata.ts as `calldataOf` does for every commit the provider
 *   sends). Only the output is committed: the trace is computed only for a challenged job.
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
import { tensorRoot } from "../tensor/commitment.ts";
import { committedOutput } from "../trace/committedOutput.ts";
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
  /** The same with a single `commit` per job (what the daemon sends when one job is ready). */
  readonly singleCommitOverheadRatio: number;
  readonly plainInferenceMs: Summary;
  /** committedOutput + the job's share of its commitBatch calldata. */
  readonly commitPathMs: Summary;
  /** committedOutput + a single commit's calldata. */
  readonly singleCommitPathMs: Summary;
  /** Jobs per commitBatch in the commit path (the provider's default --batch). */
  readonly batch: number;
  readonly parts: {
    /** committedOutput: infer, packing, output root. */
    readonly committedOutputMs: Summary;
    /** traceModel alone, paid only when a job is challenged (every node output, copies, roots, traceRoot). */
    readonly traceMs: Summary;
    /** Of which: every node's tensor root and traceRoot, recomputed on their own. */
    readonly rootsMs: Summary;
    /** calldataOf(commitJob): the direct encoder. */
    readonly commitCalldataMs: Summary;
    /** calldataOf of a 16-job commitBatch, divided by 16. */
    readonly commitBatch16CalldataPerJobMs: Summary;
  };
  readonly commitCalldataBytes: number;
  readonly traceElements: number;
  readonly nodes: number;
  readonly session: { readonly intraOpNumThreads: number; readonly graphOptimizationLevel: string; readonly ep: string };
  readonly sessionCreateMs: { readonly plain: number; readonly trace: number };
}

/** Jobs per commitBatch: the provider daemon's default --max-batch (provider/config.ts), what it sends under load. */
const BATCH = 16;

/** Addresses only feed the calldata's target; the encoder never reads them. */
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

  /** What the daemon runs for a job before it is ready to commit. */
  const outputPath = async (i: number): Promise<CommitArgs> => {
    const { outputRoot, outputPacked } = await committedOutput(compiled, at(inputs, i));
    return { jobId: BigInt(i + 1), outputRoot, output: outputPacked };
  };

  for (let k = 0; k < opts.warmup; k++) {
    const i = k % inputs.length;
    await infer(compiled, at(inputs, i));
    calldataOf(commitJob(ADDRESSES, await outputPath(i)));
    await traceModel(compiled, at(inputs, i));
  }

  const plain: number[] = [];
  /** committedOutput per image. */
  const outputs: number[] = [];
  /** The calldata of a single commit per image. */
  const calldata: number[] = [];
  /** Per image: its share of the commitBatch calldata of its group of BATCH. */
  const batchShare: number[] = [];
  const batchPerJob: number[] = [];
  const traceOnly: number[] = [];
  const roots: number[] = [];
  const pending: CommitArgs[] = [];
  let calldataBytes = 0;
  let traceElements = 0;
  /** Encodes the pending group's commitBatch, as the daemon sends it, and charges each job its share. */
  const flushBatch = () => {
    if (pending.length === 0) return;
    const t0 = performance.now();
    calldataOf(commitBatch(ADDRESSES, pending));
    const share = (performance.now() - t0) / pending.length;
    batchPerJob.push(share);
    for (let k = 0; k < pending.length; k++) batchShare.push(share);
    pending.length = 0;
  };
  for (let i = 0; i < inputs.length; i++) {
    const runPlain = async () => {
      const t0 = performance.now();
      await infer(compiled, at(inputs, i));
      plain.push(performance.now() - t0);
    };
    const runCommit = async () => {
      const t0 = performance.now();
      const args = await outputPath(i);
      const t1 = performance.now();
      const data = calldataOf(commitJob(ADDRESSES, args));
      const t2 = performance.now();
      outputs.push(t1 - t0);
      calldata.push(t2 - t1);
      calldataBytes = (data.length - 2) / 2;
      pending.push(args);
      if (pending.length === BATCH) flushBatch();
      // The trace a challenge would ask for, outside the commit path.
      const t3 = performance.now();
      const trace = await traceModel(compiled, at(inputs, i));
      traceOnly.push(performance.now() - t3);
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
  flushBatch();
  const full = outputs.map((o, k) => o + (batchShare[k] ?? 0));
  const single = outputs.map((o, k) => o + (calldata[k] ?? 0));

  const plainS = summarize(plain);
  const fullS = summarize(full);
  const singleS = summarize(single);
  const config = resolveExecutionConfig();
  return {
    images: inputs.length,
    warmupRuns: opts.warmup,
    commitOverheadRatio: round(fullS.median / plainS.median),
    commitOverheadRatioP95: round(fullS.p95 / plainS.p95),
    singleCommitOverheadRatio: round(singleS.median / plainS.median),
    plainInferenceMs: roundSummary(plainS, 4),
    commitPathMs: roundSummary(fullS, 4),
    singleCommitPathMs: roundSummary(singleS, 4),
    batch: BATCH,
    parts: {
      committedOutputMs: roundSummary(summarize(outputs), 4),
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
