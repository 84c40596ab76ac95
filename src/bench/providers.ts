/**
 * One model traced under two execution settings (CPU and CUDA, for `npm run
 * check:gpu`): are the traceRoots bit for bit the same, and how fast is each?
 *
 * A watcher that re-executes on a GPU must reach the very traceRoot a CPU
 * provider committed, or it would challenge honest work. On an exact-integer
 * model that holds by construction; this measures it on the real kernels.
 */
import { performance } from "node:perf_hooks";
import type { CompiledModel } from "../onnx/compile.ts";
import { at } from "../tensor/at.ts";
import type { Tensor } from "../tensor/tensor.ts";
import { infer } from "../trace/infer.ts";
import { traceModel, type Trace } from "../trace/trace.ts";
import type { ExecutionConfig, ExecutionProviderName } from "../trace/sessionOptions.ts";
import { median, round } from "./stats.ts";

export interface SideFigures {
  /** The provider onnxruntime actually ran (a CUDA request may have fallen back). */
  readonly provider: ExecutionProviderName;
  readonly config: ExecutionConfig;
  /** Median over the timed passes of full traces (every node output fetched) per second. */
  readonly tracesPerSec: number;
  /** Median over the timed passes of plain inferences (output only) per second. */
  readonly inferencesPerSec: number;
  /** Per-pass traces per second, in order (the median's samples). */
  readonly tracePasses: readonly number[];
}

export interface Divergence {
  readonly image: number;
  readonly node: number;
  readonly nodeName: string;
  /** First differing element (row-major index) of that node's output. */
  readonly element: number;
  readonly reference: string;
  readonly candidate: string;
}

export interface ProviderComparison {
  readonly images: number;
  readonly passes: number;
  readonly reference: SideFigures;
  readonly candidate: SideFigures;
  /** Images whose traceRoot differs between the two sides. */
  readonly mismatchedImages: number;
  /** The first divergence of up to 5 mismatched images. */
  readonly divergences: readonly Divergence[];
  /** candidate traces/s ÷ reference traces/s, measured in this run. */
  readonly traceSpeedup: number;
}

async function timePass<T>(inputs: readonly Tensor[], run: (x: Tensor) => Promise<T>): Promise<[number, T[]]> {
  const out: T[] = [];
  const t0 = performance.now();
  for (const x of inputs) out.push(await run(x));
  return [(inputs.length * 1000) / (performance.now() - t0), out];
}

async function measure(
  compiled: CompiledModel,
  inputs: readonly Tensor[],
  config: ExecutionConfig,
  passes: number,
  onWarning: (m: string) => void,
): Promise<{ figures: SideFigures; traces: Trace[] }> {
  const options = { ...config, onWarning };
  const [warmUpInput] = inputs;
  if (warmUpInput === undefined) throw new RangeError("no inputs to measure on");
  // Warm-up: session creation, kernel selection and (on CUDA) memory arenas are not what is measured.
  const first = await traceModel(compiled, warmUpInput, options);
  await infer(compiled, warmUpInput, options);
  const tracePasses: number[] = [];
  const inferencePasses: number[] = [];
  let traces: Trace[] = [];
  for (let p = 0; p < passes; p++) {
    const [rate, out] = await timePass(inputs, (x) => traceModel(compiled, x, options));
    tracePasses.push(rate);
    traces = out;
    inferencePasses.push((await timePass(inputs, (x) => infer(compiled, x, options)))[0]);
  }
  return {
    figures: {
      provider: first.provider,
      config,
      tracesPerSec: round(median(tracePasses), 1),
      inferencesPerSec: round(median(inferencePasses), 1),
      tracePasses: tracePasses.map((r) => round(r, 1)),
    },
    traces,
  };
}

function firstDivergence(compiled: CompiledModel, image: number, a: Trace, b: Trace): Divergence {
  for (const [node, out] of a.nodeOutputs.entries()) {
    if (a.nodeRoots[node] === b.nodeRoots[node]) continue;
    const other = b.nodeOutputs[node];
    if (other === undefined) throw new Error(`image ${image}: the candidate trace has no node ${node}`);
    const x = out.data;
    const y = other.data;
    let element = 0;
    while (element < x.length && x[element] === y[element]) element++;
    return {
      image,
      node,
      nodeName: at(compiled.nodeNames, node), // one name per node
      element,
      reference: String(x[element]),
      candidate: String(y[element]),
    };
  }
  // Equal node roots with different traceRoots cannot happen (the traceRoot hashes the node roots).
  throw new Error(`image ${image}: traceRoots differ but every node root is equal`);
}

/**
 * Traces every input under `reference` and `candidate`, `passes` timed passes
 * each, and compares the traceRoots of the last pass image by image.
 */
export async function compareProviders(
  compiled: CompiledModel,
  inputs: readonly Tensor[],
  reference: ExecutionConfig,
  candidate: ExecutionConfig,
  passes: number,
  onWarning: (m: string) => void = () => undefined,
): Promise<ProviderComparison> {
  if (inputs.length === 0) throw new RangeError("no inputs to compare on");
  if (!Number.isInteger(passes) || passes < 1) throw new RangeError(`passes must be a positive integer, got ${passes}`);
  const ref = await measure(compiled, inputs, reference, passes, onWarning);
  const cand = await measure(compiled, inputs, candidate, passes, onWarning);
  return {
    images: inputs.length,
    passes,
    reference: ref.figures,
    candidate: cand.figures,
    ...compareTraces(compiled, ref.traces, cand.traces),
    traceSpeedup: round(cand.figures.tracesPerSec / ref.figures.tracesPerSec, 3),
  };
}

/** Image-by-image traceRoot comparison, with the first divergence of up to 5 mismatched images. */
export function compareTraces(
  compiled: CompiledModel,
  reference: readonly Trace[],
  candidate: readonly Trace[],
): { mismatchedImages: number; divergences: Divergence[] } {
  if (reference.length !== candidate.length)
    throw new RangeError(`${reference.length} reference traces against ${candidate.length} candidate traces`);
  const pairs = reference.map((ref, i) => ({ image: i, ref, cand: at(candidate, i) })); // same length, checked above
  const mismatched = pairs.filter((p) => p.ref.traceRoot !== p.cand.traceRoot);
  return {
    mismatchedImages: mismatched.length,
    divergences: mismatched.slice(0, 5).map((p) => firstDivergence(compiled, p.image, p.ref, p.cand)),
  };
}
