import type { Hex } from "viem";
import { traceRootOf } from "../graph/descriptor.ts";
import { TensorCommitment } from "../tensor/commitment.ts";
import { pack } from "../tensor/packing.ts";
import type { Tensor } from "../tensor/tensor.ts";

/**
 * The commitments of a trace built from node outputs that were not produced by
 * onnxruntime: a trace rebuilt from revealed data, or one forged on purpose by
 * the provider's fault injection. Commitments are built lazily and kept.
 */
export class OutputsTrace {
  readonly nodeRoots: readonly Hex[];
  readonly traceRoot: Hex;
  private readonly commitments: (TensorCommitment | undefined)[];
  private inputCommit?: TensorCommitment;

  constructor(
    readonly input: Tensor,
    readonly nodeOutputs: readonly Tensor[],
  ) {
    this.commitments = nodeOutputs.map(() => undefined);
    this.nodeRoots = nodeOutputs.map((_, i) => this.commitment(i).root);
    this.traceRoot = traceRootOf(this.nodeRoots);
  }

  get output(): Tensor {
    return this.nodeOutputs[this.nodeOutputs.length - 1];
  }

  get outputRoot(): Hex {
    return this.nodeRoots[this.nodeRoots.length - 1];
  }

  get outputPacked(): Uint8Array {
    return pack(this.output);
  }

  get inputRoot(): Hex {
    return this.inputCommitment().root;
  }

  commitment(nodeIndex: number): TensorCommitment {
    return (this.commitments[nodeIndex] ??= new TensorCommitment(this.nodeOutputs[nodeIndex]));
  }

  inputCommitment(): TensorCommitment {
    return (this.inputCommit ??= new TensorCommitment(this.input));
  }
}
