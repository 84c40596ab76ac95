import type { Hex } from "viem";
import { traceRootOf } from "../graph/descriptor.ts";
import type { CompiledModel } from "../onnx/compile.ts";
import { at } from "../tensor/at.ts";
import { tensorRoot, TensorCommitment } from "../tensor/commitment.ts";
import { pack } from "../tensor/packing.ts";
import type { Tensor } from "../tensor/tensor.ts";
import { ExecutionError } from "./errors.ts";
import { checkJobInput } from "./input.ts";
import { toOrtTensor, fromOrtTensor } from "./ortTensor.ts";
import { getSession, type SessionOptions } from "./session.ts";
import type { ExecutionProviderName, ResolvedExecutionConfig } from "./sessionOptions.ts";

/** One execution of a model on one input, committed as in docs/PROTOCOL.md §7. */
export interface Trace {
  readonly input: Tensor;
  readonly inputRoot: Hex;
  /** Node i's output, row-major, with the spec of its descriptor. */
  readonly nodeOutputs: readonly Tensor[];
  /** Tensor root of each node output. */
  readonly nodeRoots: readonly Hex[];
  /** keccak256(nodeRoots[0] ‖ … ‖ nodeRoots[N−1]). */
  readonly traceRoot: Hex;
  /** The last node's output. */
  readonly output: Tensor;
  /** = nodeRoots[N−1]. */
  readonly outputRoot: Hex;
  /** The output's canonical packed bytes (what a provider posts). */
  readonly outputPacked: Uint8Array;
  /** Merkle commitment of node i's output, built on first use and kept (for openings in a dispute). */
  commitment(nodeIndex: number): TensorCommitment;
  /** Merkle commitment of the job input, built on first use. */
  inputCommitment(): TensorCommitment;
  /** The provider that ran it and the settings used. */
  readonly provider: ExecutionProviderName;
  readonly config: ResolvedExecutionConfig;
}

export type TraceOptions = SessionOptions;

class ExecutionTrace implements Trace {
  readonly outputPacked: Uint8Array;
  private readonly commitments = new Map<number, TensorCommitment>();
  private roots?: readonly Hex[];
  private root?: Hex;
  private inputTree?: TensorCommitment;

  constructor(
    readonly input: Tensor,
    readonly nodeOutputs: readonly Tensor[],
    readonly provider: ExecutionProviderName,
    readonly config: ResolvedExecutionConfig,
  ) {
    this.outputPacked = pack(this.output);
  }

  /**
   * Computed on first use, from a node's tree when it is built (hashing its data once), else
   * as its root only: the trees are built on demand, so an undisputed job keeps none in memory.
   */
  get nodeRoots(): readonly Hex[] {
    this.roots ??= this.nodeOutputs.map((t, i) => this.commitments.get(i)?.root ?? tensorRoot(t));
    return this.roots;
  }

  get traceRoot(): Hex {
    this.root ??= traceRootOf(this.nodeRoots);
    return this.root;
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

  commitment(nodeIndex: number): TensorCommitment {
    const tensor = this.nodeOutputs[nodeIndex];
    if (tensor === undefined) throw new RangeError(`no node ${nodeIndex} (the trace has ${this.nodeOutputs.length})`);
    let c = this.commitments.get(nodeIndex);
    if (c === undefined) {
      c = new TensorCommitment(tensor);
      this.commitments.set(nodeIndex, c);
    }
    return c;
  }

  /** Computed on first use: the provider's and watcher's paths never need it (the chain holds it). */
  get inputRoot(): Hex {
    return this.inputCommitment().root;
  }

  inputCommitment(): TensorCommitment {
    this.inputTree ??= new TensorCommitment(this.input);
    return this.inputTree;
  }
}

/**
 * Runs `compiled` on `input` with onnxruntime, fetching every node's output
 * in one run (see rewrite.ts), and commits to the trace.
 */
export async function traceModel(compiled: CompiledModel, input: Tensor, options: TraceOptions = {}): Promise<Trace> {
  const jobInput = checkJobInput(compiled, input);
  const { session, provider, config } = await getSession(compiled, "trace", options);
  let results: Awaited<ReturnType<typeof session.run>>;
  try {
    results = await session.run({ [compiled.input.name]: toOrtTensor(jobInput) });
  } catch (cause) {
    throw new ExecutionError("RUN_FAILED", `onnxruntime failed to run the model: ${(cause as Error).message}`, {
      cause,
    });
  }
  const outputs = compiled.outputNames.map((name, i) => {
    const value = results[name];
    if (value === undefined) throw new ExecutionError("OUTPUT_MISMATCH", `onnxruntime returned no value for ${name}`);
    // outputNames, nodes and nodeNames hold one entry per node.
    return fromOrtTensor(value, at(compiled.nodes, i).output, `node ${i} (${compiled.nodeNames[i]})`);
  });
  return new ExecutionTrace(jobInput, outputs, provider, config);
}
