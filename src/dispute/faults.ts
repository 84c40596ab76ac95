import type { Hex } from "viem";
import type { NodeOutputData } from "./solver.ts";
import type { CompiledModel } from "../onnx/compile.ts";
import { Source } from "../graph/descriptor.ts";
import { evaluateNode } from "../reference/evaluate.ts";
import { at } from "../tensor/at.ts";
import { dtypeInfo } from "../tensor/dtype.ts";
import { TensorCommitment, tensorRootOf } from "../tensor/commitment.ts";
import { MerkleTree } from "../tensor/merkle.ts";
import { pack } from "../tensor/packing.ts";
import { Tensor, allocate, setElement } from "../tensor/tensor.ts";
import { OutputsTrace } from "../trace/fromOutputs.ts";
import type { Rng } from "../vectors/rng.ts";

/**
 * Fault injection for the reference provider (tests and demos): every way a
 * provider can be wrong that the dispute game must catch (docs/PROTOCOL.md §9), and
 * one it need not: `junk-trace` commits the correct output over a junk trace. Only the
 * output is committed, so that is no fraud: an honest watcher, comparing outputs, never
 * challenges it, and the job finalizes (the junk would lose only if someone challenged).
 */
export const FAULT_KINDS = [
  "wrong-output",
  "flipped-element",
  "substituted-weights",
  "skipped-layer",
  "inconsistent-trace",
  "withhold",
  "silent",
  "non-canonical",
  "junk-trace",
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export function isFaultKind(s: string): s is FaultKind {
  return (FAULT_KINDS as readonly string[]).includes(s);
}

/** One node's output as a provider committed it: the solver's view plus its words. */
export interface NodeData extends NodeOutputData {
  word(index: number): Hex;
}

/** What a (possibly dishonest) provider commits to (its output) and how it behaves in a dispute. */
export interface Commitment {
  readonly outputRoot: Hex;
  readonly outputPacked: Uint8Array;
  /** The roots it posts when challenged: they must end in `outputRoot`, else they are refused. */
  readonly nodeRoots: readonly Hex[];
  /** The node data it reveals from (its own, possibly forged, outputs). */
  commitment(nodeIndex: number): NodeData;
  readonly postsRoots: boolean;
  readonly reveals: boolean;
  readonly fault?: FaultKind;
  /** The node the fault first touches (for test assertions and logs). */
  readonly faultNode?: number;
}

interface HonestSource {
  readonly input: Tensor;
  readonly nodeOutputs: readonly Tensor[];
}

/** The honest commitment of a trace. */
export function honestCommitment(trace: HonestSource): Commitment {
  const t = new OutputsTrace(trace.input, trace.nodeOutputs);
  return {
    outputRoot: t.outputRoot,
    outputPacked: t.outputPacked,
    nodeRoots: t.nodeRoots,
    commitment: (i) => t.commitment(i),
    postsRoots: true,
    reveals: true,
  };
}

/** A wrong commitment of the given kind, derived from the honest trace. */
export function forgeCommitment(kind: FaultKind, compiled: CompiledModel, honest: HonestSource, rng: Rng): Commitment {
  const n = compiled.nodes.length;
  switch (kind) {
    case "wrong-output": {
      const outputs = [...honest.nodeOutputs];
      outputs[n - 1] = perturbElement(at(outputs, n - 1), rng);
      return fromOutputs(kind, honest.input, outputs, n - 1);
    }
    case "flipped-element":
      return flippedElementAt(compiled, honest, rng.int(n), rng);
    case "substituted-weights": {
      const isWeights = (o: { source: number; spec: { shape: readonly number[] } }) =>
        o.source === Source.CONSTANT && o.spec.shape.length >= 2;
      const node = compiled.nodes.findIndex((d) => d.inputs.some(isWeights));
      const desc = compiled.nodes[node];
      // A model without weight matrices has none to substitute: flip an element instead.
      if (desc === undefined) return { ...forgeCommitment("flipped-element", compiled, honest, rng), fault: kind };
      const k = desc.inputs.findIndex(isWeights);
      // A changed weight only shows where its activation is not the zero point (most pixels of an
      // image are background): retry until the node's output really differs from the honest one.
      for (let attempt = 0; attempt < 16; attempt++) {
        const operands = operandTensors(compiled, honest.input, honest.nodeOutputs, node);
        let weights = operands[k];
        if (weights === undefined) throw new Error(`node ${node} operand ${k} has no constant tensor`);
        for (let j = 0; j < 8; j++) weights = perturbElement(weights, rng);
        operands[k] = weights;
        const output = evaluateNode(desc, operands);
        if (sameData(output, at(honest.nodeOutputs, node))) continue;
        return fromOutputs(kind, honest.input, propagate(compiled, honest, node, output, rng), node);
      }
      return { ...forgeCommitment("flipped-element", compiled, honest, rng), fault: kind };
    }
    case "skipped-layer": {
      // Only nodes that are not the identity on this input: skipping one of those is a real fault.
      const candidates = compiled.nodes.flatMap((d, node) => {
        const first = d.inputs[0];
        if (first?.source !== Source.NODE_OUTPUT || !sameSpec(first.spec, d.output)) return [];
        const skipped = at(honest.nodeOutputs, first.index);
        return sameData(skipped, at(honest.nodeOutputs, node)) ? [] : [{ node, output: d.output, skipped }];
      });
      if (candidates.length === 0) return { ...forgeCommitment("flipped-element", compiled, honest, rng), fault: kind };
      const { node, output, skipped } = at(candidates, rng.int(candidates.length));
      const outputs = propagate(compiled, honest, node, new Tensor(output, skipped.data), rng);
      return fromOutputs(kind, honest.input, outputs, node);
    }
    case "inconsistent-trace": {
      // A wrong output over the honest trace: the roots it would post end in the honest
      // output, so postRoots refuses them and the provider misses the roots deadline.
      const t = honestCommitment(honest);
      const wrong = perturbElement(at(honest.nodeOutputs, n - 1), rng);
      const c = new TensorCommitment(wrong);
      return { ...t, outputRoot: c.root, outputPacked: pack(wrong), fault: kind, faultNode: n - 1 };
    }
    case "junk-trace": {
      // The correct output; one intermediate node's data flipped, nothing recomputed after it.
      const node = rng.int(Math.max(1, n - 1));
      const forged = perturbElement(at(honest.nodeOutputs, node), rng);
      const base = { ...honestCommitment(honest), fault: kind, faultNode: node };
      return n === 1 ? base : withNodeData(base, node, nodeDataOf(new TensorCommitment(forged)));
    }
    case "withhold":
      return { ...forgeCommitment("flipped-element", compiled, honest, rng), reveals: false, fault: kind };
    case "silent":
      return {
        ...forgeCommitment("wrong-output", compiled, honest, rng),
        postsRoots: false,
        reveals: false,
        fault: kind,
      };
    case "non-canonical": {
      // Correct values with junk in the padding of one intermediate node, and a wrong final
      // output: without the game's canonical-padding rule this fraud could not be proven
      // (the node has no wrong element, and later nodes' openings fail against its root).
      const candidates = compiled.nodes
        .map((_, i) => i)
        .filter((i) => i < n - 1 && hasPadding(at(honest.nodeOutputs, i)));
      if (candidates.length === 0) return { ...forgeCommitment("wrong-output", compiled, honest, rng), fault: kind };
      const node = at(candidates, rng.int(candidates.length));
      const outputs = [...honest.nodeOutputs];
      outputs[n - 1] = perturbElement(at(outputs, n - 1), rng);
      return withNodeData(
        fromOutputs(kind, honest.input, outputs, node),
        node,
        junkPadding(new TensorCommitment(at(outputs, node)), rng),
      );
    }
  }
}

/** Where junk can hide in a tensor's padded tree: the tail of its last word, or a padding leaf. */
export type PaddingSpot = "tail" | "leaf";

/** Whether a tensor's canonical tree has padding at all (a partial last word or padding leaves). */
export function hasPadding(t: Tensor): boolean {
  const c = new TensorCommitment(t);
  return c.packed.length % 32 !== 0 || 1 << c.tree.depth > c.wordCount;
}

/**
 * The same tensor's data with one non-zero byte where the canonical encoding has
 * zero padding (docs/PROTOCOL.md §2): at `spot` when given, else the tail of the last
 * word when it has one, else a padding leaf.
 */
export function junkPadding(c: TensorCommitment, rng: Rng, spot?: PaddingSpot): NodeData {
  const bytes = c.packed.length;
  const leaves = 1 << c.tree.depth;
  const buf = new Uint8Array(leaves * 32);
  buf.set(c.packed);
  const where = spot ?? (bytes % 32 !== 0 ? "tail" : "leaf");
  if (where === "tail") {
    if (bytes % 32 === 0) throw new RangeError("the tensor's last word has no padding");
    buf[bytes + rng.int(32 - (bytes % 32))] = 1 + rng.int(255);
  } else {
    if (leaves === c.wordCount) throw new RangeError("the tensor's tree has no padding leaves");
    buf[(c.wordCount + rng.int(leaves - c.wordCount)) * 32 + rng.int(32)] = 1 + rng.int(255);
  }
  const tree = new MerkleTree(buf);
  return {
    spec: c.spec,
    tree,
    dataRoot: tree.root,
    root: tensorRootOf(c.spec, tree.root),
    wordCount: c.wordCount,
    word: (index) => tree.leaf(index),
  };
}

/** A commitment whose node `node` is committed (and revealed) from `data` instead. */
export function withNodeData(base: Commitment, node: number, data: NodeData): Commitment {
  const nodeRoots = base.nodeRoots.map((r, i) => (i === node ? data.root : r));
  return {
    ...base,
    nodeRoots,
    commitment: (i) => (i === node ? data : base.commitment(i)),
  };
}

/** A tensor's canonical data as a provider's node data. */
function nodeDataOf(c: TensorCommitment): NodeData {
  return {
    spec: c.spec,
    tree: c.tree,
    dataRoot: c.tree.root,
    root: c.root,
    wordCount: c.wordCount,
    word: (index) => c.tree.leaf(index),
  };
}

/** One random element of node `node`'s output changed, every later node recomputed from it. */
export function flippedElementAt(compiled: CompiledModel, honest: HonestSource, node: number, rng: Rng): Commitment {
  const outputs = propagate(compiled, honest, node, perturbElement(at(honest.nodeOutputs, node), rng), rng);
  return fromOutputs("flipped-element", honest.input, outputs, node);
}

/** Inputs of node `i` as tensors, from the job input, earlier outputs and constants. */
export function operandTensors(
  compiled: CompiledModel,
  input: Tensor,
  outputs: readonly Tensor[],
  i: number,
): (Tensor | undefined)[] {
  return at(compiled.nodes, i).inputs.map((o, k) => {
    switch (o.source) {
      case Source.JOB_INPUT:
        return input;
      case Source.NODE_OUTPUT:
        return outputs[o.index];
      case Source.CONSTANT: {
        // compileModel commits every constant operand: `operandTensors[i][k]` is set for each.
        const constant = compiled.operandTensors[i]?.[k];
        if (constant == null) throw new Error(`node ${i} operand ${k} is a constant the compiled model lacks`);
        return constant.tensor;
      }
      default:
        return undefined;
    }
  });
}

/**
 * Replaces node `from`'s output and recomputes every later node with the reference evaluator.
 * When the change does not reach the output (an ArgMax absorbs most), the output is changed
 * too: only the output is committed, and a fault that leaves it right is no fraud (see
 * `junk-trace`). The first node that differs from the honest trace is still `from`.
 */
function propagate(compiled: CompiledModel, honest: HonestSource, from: number, replaced: Tensor, rng: Rng): Tensor[] {
  const outputs = [...honest.nodeOutputs];
  outputs[from] = replaced;
  const last = compiled.nodes.length - 1;
  for (let i = from + 1; i <= last; i++) {
    outputs[i] = evaluateNode(at(compiled.nodes, i), operandTensors(compiled, honest.input, outputs, i));
  }
  if (sameData(at(outputs, last), at(honest.nodeOutputs, last))) outputs[last] = perturbElement(at(outputs, last), rng);
  return outputs;
}

function fromOutputs(kind: FaultKind, input: Tensor, outputs: Tensor[], node: number): Commitment {
  return { ...honestCommitment({ input, nodeOutputs: outputs }), fault: kind, faultNode: node };
}

/** One element changed to another value of the same dtype. */
function perturbElement(t: Tensor, rng: Rng): Tensor {
  const data = allocate(t.spec.dtype, t.size);
  data.set(t.data as never);
  const i = rng.int(t.size);
  const { min, max } = dtypeInfo(t.spec.dtype);
  const v = t.at(i);
  setElement(data, i, v < max ? v + 1n : min);
  return new Tensor(t.spec, data);
}

function sameSpec(
  a: { dtype: number; shape: readonly number[] },
  b: { dtype: number; shape: readonly number[] },
): boolean {
  return a.dtype === b.dtype && a.shape.length === b.shape.length && a.shape.every((d, i) => d === b.shape[i]);
}

function sameData(a: Tensor, b: Tensor): boolean {
  for (let i = 0; i < a.size; i++) if (a.data[i] !== b.data[i]) return false;
  return true;
}
