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
    const out = this.nodeOutputs.at(-1);
    if (out === undefined) throw new RangeError("a trace without nodes has no output");
    return out;
  }

  get outputRoot(): Hex {
    const root = this.nodeRoots.at(-1);
    if (root === undefined) throw new RangeError("a trace without nodes has no output");
    return root;
  }

  get outputPacked(): Uint8Array {
    return pack(this.output);
  }

  get inputRoot(): Hex {
    return this.inputCommitment().root;
  }

  commitment(nodeIndex: number): TensorCommitment {
    const tensor = this.nodeOutputs[nodeIndex];
    if (tensor === undefined) throw new RangeError(`no node ${nodeIndex} (the trace has ${this.nodeOutputs.length})`);
    return (this.commitments[nodeIndex] ??= new TensorCommitment(tensor));
  }

  inputCommitment(): TensorCommitment {
    return (this.inputCommit ??= new TensorCommitment(this.input));
  }
}
