import type { Hex } from "viem";
import type { CompiledModel } from "../onnx/compile.ts";
import type { Tensor } from "../tensor/tensor.ts";
import type { ExecutionConfig, GraphOptimizationLevel, ResolvedExecutionConfig } from "./sessionOptions.ts";
import { traceModel } from "./trace.ts";

const LEVELS: readonly GraphOptimizationLevel[] = ["disabled", "basic", "extended", "all"];

/** Every optimization level with one and with two intra-op threads. */
export const DETERMINISM_MATRIX: readonly ExecutionConfig[] = LEVELS.flatMap((graphOptimizationLevel) =>
  [1, 2].map((intraOpNumThreads) => ({ graphOptimizationLevel, intraOpNumThreads })),
);

export interface DeterminismRun {
  readonly config: ResolvedExecutionConfig;
  readonly repeat: number;
  readonly traceRoot: Hex;
  readonly nodeRoots: readonly Hex[];
}

export interface DeterminismReport {
  readonly runs: readonly DeterminismRun[];
  /** Distinct traceRoots seen; exactly one for a deterministic model. */
  readonly traceRoots: readonly Hex[];
  readonly deterministic: boolean;
  /** Per node, whether every run gave the same root (points at the first diverging node if not). */
  readonly firstDivergentNode: number | undefined;
}

export interface DeterminismOptions {
  readonly configs?: readonly ExecutionConfig[];
  /** Runs per configuration (the session is reused, as a daemon would). */
  readonly repeats?: number;
}

/** Traces `input` under every configuration, `repeats` times each, and compares the roots. */
export async function checkDeterminism(
  compiled: CompiledModel,
  input: Tensor,
  options: DeterminismOptions = {},
): Promise<DeterminismReport> {
  const { configs = DETERMINISM_MATRIX, repeats = 2 } = options;
  const runs: DeterminismRun[] = [];
  for (const config of configs) {
    for (let repeat = 0; repeat < repeats; repeat++) {
      const trace = await traceModel(compiled, input, config);
      runs.push({ config: trace.config, repeat, traceRoot: trace.traceRoot, nodeRoots: trace.nodeRoots });
    }
  }
  const traceRoots = [...new Set(runs.map((r) => r.traceRoot))];
  let firstDivergentNode: number | undefined;
  for (let i = 0; i < compiled.nodes.length && firstDivergentNode === undefined; i++) {
    if (new Set(runs.map((r) => r.nodeRoots[i])).size > 1) firstDivergentNode = i;
  }
  return { runs, traceRoots, deterministic: traceRoots.length === 1, firstDivergentNode };
}
