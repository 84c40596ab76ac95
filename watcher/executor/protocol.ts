/** Messages between the watcher and its executor child process (JSON over the IPC channel). */
import type { Hex } from "viem";

/** What the registration binds that the executor checks the file against. */
export interface ExpectedModel {
  readonly fileHash: Hex;
  readonly graphRoot: Hex;
  readonly nodeCount: number;
  readonly profile: number;
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

export type ChildMessage =
  { readonly type: "ready" } | { readonly type: "result"; readonly id: number; readonly result: ExecResult };
