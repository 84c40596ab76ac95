import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import type { InferenceSession } from "onnxruntime-node";

export type GraphOptimizationLevel = "disabled" | "basic" | "extended" | "all";
export type ExecutionProviderName = "cpu" | "cuda";

/** How a trace or an inference is executed. Any choice gives the same bits on an exact-integer model. */
export interface ExecutionConfig {
  /** Threads inside one operator. */
  readonly intraOpNumThreads?: number;
  readonly graphOptimizationLevel?: GraphOptimizationLevel;
  /** `cuda` falls back to `cpu`, with a logged reason, when the CUDA provider is not installed or fails. */
  readonly executionProvider?: ExecutionProviderName;
}

export type ResolvedExecutionConfig = Required<ExecutionConfig>;

/**
 * The pinned defaults, and why:
 * - intraOpNumThreads 1: integer results do not depend on the thread count
 *   (the determinism test checks 1 vs 2), but one thread makes a run's cost
 *   predictable and keeps a watcher's many concurrent jobs from
 *   oversubscribing the cores; raise it for large models.
 * - interOpNumThreads 1 and executionMode "sequential": nodes run one after
 *   another in graph order, so nothing about a run depends on scheduling.
 * - graphOptimizationLevel "basic": constant folding and redundant-node
 *   elimination only. Higher levels add fusions written for float models;
 *   they give the same integer results (tested at every level), but the less
 *   onnxruntime rewrites a verifier's graph, the less can go wrong in it.
 * - executionProviders ["cpu"]: always present. CUDA must be asked for.
 * - logSeverityLevel 3 (errors only): onnxruntime's warnings (e.g. about
 *   initializers listed as graph inputs) would otherwise go to stderr on
 *   every session.
 * - session.x64quantprecision "1": on x86 CPUs without VNNI (AVX2, AVX-512
 *   before Cascade Lake, e.g. AMD Zen 2/3) onnxruntime's uint8×int8
 *   MatMulInteger kernels sum product pairs in saturating 16-bit lanes
 *   (VPMADDUBSW), so the result depends on the host. The model onnxruntime
 *   runs has no int8 MatMulInteger weights left (rewrite.ts turns them into
 *   uint8, for every optimization level); this option, which makes
 *   onnxruntime do the same at "extended" and above, is kept as a second guard.
 * - session.intra_op.allow_spinning "0": idle pool threads sleep instead of
 *   spinning, so a daemon running many sessions does not burn cores.
 */
export const DEFAULT_EXECUTION_CONFIG: ResolvedExecutionConfig = {
  intraOpNumThreads: 1,
  graphOptimizationLevel: "basic",
  executionProvider: "cpu",
};

export function resolveExecutionConfig(config: ExecutionConfig = {}): ResolvedExecutionConfig {
  const threads = config.intraOpNumThreads ?? DEFAULT_EXECUTION_CONFIG.intraOpNumThreads;
  if (!Number.isInteger(threads) || threads < 1)
    throw new RangeError(`intraOpNumThreads must be a positive integer, got ${threads}`);
  return {
    intraOpNumThreads: threads,
    graphOptimizationLevel: config.graphOptimizationLevel ?? DEFAULT_EXECUTION_CONFIG.graphOptimizationLevel,
    executionProvider: config.executionProvider ?? DEFAULT_EXECUTION_CONFIG.executionProvider,
  };
}

/** A stable key per distinct session configuration (for the session cache). */
export function configKey(config: ResolvedExecutionConfig): string {
  return `${config.executionProvider}/${config.graphOptimizationLevel}/t${config.intraOpNumThreads}`;
}

export function sessionOptionsFor(config: ResolvedExecutionConfig): InferenceSession.SessionOptions {
  return {
    executionProviders: config.executionProvider === "cuda" ? ["cuda", "cpu"] : ["cpu"],
    intraOpNumThreads: config.intraOpNumThreads,
    interOpNumThreads: 1,
    executionMode: "sequential",
    graphOptimizationLevel: config.graphOptimizationLevel,
    logSeverityLevel: 3,
    extra: { session: { x64quantprecision: "1", intra_op: { allow_spinning: "0" } } },
  };
}

/**
 * The environment a CUDA session needs: `NVIDIA_TF32_OVERRIDE=0`. onnxruntime's CUDA
 * provider computes fp32 MatMul, Gemm and Conv in TF32 by default (`use_tf32`), with
 * operands rounded to 10-bit mantissas, which is outside the strict fp32 numerics policy
 * (docs/PROTOCOL.md §11.2) and could lose a dispute; the Node binding cannot set that
 * provider option, and this variable, read by the CUDA libraries when they initialize,
 * turns TF32 off for the whole process. Exact-integer graphs are unaffected.
 */
export const CUDA_ENVIRONMENT: Readonly<Record<string, string>> = { NVIDIA_TF32_OVERRIDE: "0" };

/** Sets CUDA_ENVIRONMENT in this process (before its first CUDA session, which is when it is read). */
export function applyCudaEnvironment(env: NodeJS.ProcessEnv = process.env): void {
  for (const [name, value] of Object.entries(CUDA_ENVIRONMENT)) env[name] = value;
}

/**
 * Why CUDA cannot be used here, or undefined when its provider library is
 * installed. onnxruntime-node ships the CUDA provider as a separate download
 * (its install script, which this repository does not run), and trying to
 * load a missing provider makes onnxruntime print an error, so look first.
 */
export function cudaUnavailableReason(): string | undefined {
  const require = createRequire(import.meta.url);
  let dir: string;
  try {
    dir = dirname(require.resolve("onnxruntime-node/package.json"));
  } catch {
    return "onnxruntime-node is not installed";
  }
  const lib = join(dir, "bin", "napi-v6", process.platform, process.arch, "libonnxruntime_providers_cuda.so");
  if (process.platform !== "linux" || process.arch !== "x64")
    return `no CUDA provider for ${process.platform}/${process.arch}`;
  if (!existsSync(lib)) return `the CUDA provider library is not installed (${lib})`;
  return undefined;
}
