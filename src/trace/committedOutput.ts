/**
 * What a provider commits for a job: the plain model's output, its canonical packing
 * and its tensor root (docs/PROTOCOL.md §7). Nothing else runs on this path: no trace,
 * no Merkle tree kept — each word is hashed once — so committing costs about what
 * inference costs. The trace is computed only if the job is challenged.
 */
import type { Hex } from "viem";
import type { CompiledModel } from "../onnx/compile.ts";
import { packedTensorRoot } from "../tensor/commitment.ts";
import { pack } from "../tensor/packing.ts";
import type { Tensor } from "../tensor/tensor.ts";
import { infer } from "./infer.ts";
import type { SessionOptions } from "./session.ts";

export interface CommittedOutput {
  readonly output: Tensor;
  /** The output's canonical packed bytes, posted with the commit. */
  readonly outputPacked: Uint8Array;
  readonly outputRoot: Hex;
}

export async function committedOutput(
  compiled: CompiledModel,
  input: Tensor,
  options: SessionOptions = {},
): Promise<CommittedOutput> {
  const output = await infer(compiled, input, options);
  const outputPacked = pack(output);
  return { output, outputPacked, outputRoot: packedTensorRoot(output.spec, outputPacked) };
}
