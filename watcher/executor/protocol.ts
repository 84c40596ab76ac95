/**
 * Messages between the watcher and its executor child process (over the IPC
 * channel, with Node's "advanced" serialization, so byte arrays travel as bytes).
 */
import type { Hex } from "viem";

/** What the registration binds that the executor checks the file against. */
export interface ExpectedModel {
  readonly fileHash: Hex;
  readonly graphRoot: Hex;
  readonly nodeCount: number;
  readonly profile: number;
  /** The numerics policy's hash the registration binds (zero for the exact integer profile). */
  readonly policyHash: Hex;
  readonly input: { readonly dtype: number; readonly layout: number; readonly shape: readonly number[] };
  readonly output: { readonly dtype: number; readonly layout: number; readonly shape: readonly number[] };
}

export interface ExecRequest {
  readonly id: number;
  readonly modelPath: string;
  readonly expected: ExpectedModel;
  /** Packed input bytes (docs/PROTOCOL.md §2), hex. */
  readonly input: Hex;
  readonly executionProvider: "cpu" | "cuda";
  readonly threads: number;
}

/**
 * Plain re-execution of many jobs of one model: only each job's output root, which
 * the watcher compares with the committed outputRoot (a job that differs is then
 * traced with an ExecRequest).
 */
export interface OutputsRequest {
  readonly kind: "outputs";
  readonly id: number;
  readonly modelPath: string;
  readonly expected: ExpectedModel;
  /**
   * The jobs' packed inputs (docs/PROTOCOL.md §2), concatenated in order: every
   * input of a model has the same length, so `count` of them fill the buffer
   * exactly. One buffer instead of one string per job keeps the channel's cost per
   * job small.
   */
  readonly inputs: Uint8Array;
  readonly count: number;
  readonly executionProvider: "cpu" | "cuda";
  readonly threads: number;
}

export type OutputsResult =
  | {
      readonly kind: "outputs";
      /** The provider onnxruntime actually used (after any CUDA fallback). */
      readonly provider: "cpu" | "cuda";
      /** Per job, in request order, the tensor root of its output. */
      readonly outputRoots: Hex[];
      /** Whether the jobs ran stacked in one call (src/trace/batchable.ts), or one call each. */
      readonly batched: boolean;
      readonly warnings: string[];
    }
  | Exclude<ExecResult, { readonly kind: "ok" }>;

export type ExecResult =
  | {
      readonly kind: "ok";
      /** The provider onnxruntime actually used (after any CUDA fallback). */
      readonly provider: "cpu" | "cuda";
      readonly nodeRoots: Hex[];
      readonly traceRoot: Hex;
      readonly outputRoot: Hex;
      /** Packed output of every node, hex. */
      readonly nodes: Hex[];
      readonly warnings: string[];
    }
  /** The file is not the registered model. */
  | { readonly kind: "mismatch"; readonly problems: string[] }
  /** The loader refused the file, or onnxruntime failed on it. */
  | { readonly kind: "invalid"; readonly code: string; readonly message: string }
  /** The child died, ran too long or grew too large (set by the parent). */
  | { readonly kind: "killed"; readonly why: "timeout" | "memory" | "crash"; readonly message: string };

/** What the parent sends: a trace request (no `kind`) or an outputs request. */
export type ChildRequest = (ExecRequest & { readonly kind?: undefined }) | OutputsRequest;

export type ChildMessage =
  | { readonly type: "ready" }
  | { readonly type: "result"; readonly id: number; readonly result: ExecResult | OutputsResult };
