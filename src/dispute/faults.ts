import type { Hex } from "viem";
import type { NodeOutputData } from "./solver.ts";
import type { CompiledModel } from "../onnx/compile.ts";
import { Source } from "../graph/descriptor.ts";
import { ElementCheck, type ElementKernel } from "../float/check/kernel.ts";
import { checkNode, familyOf, kernelFor } from "../float/check/node.ts";
import { floatNodeOfTrace } from "../float/check/traceNode.ts";
import { valueOfBits } from "../float/check/tensor.ts";
import { Verdict } from "../float/verdict.ts";
import { Profile } from "../model/modelSpec.ts";
import { evaluateNode } from "../reference/evaluate.ts";
import { at } from "../tensor/at.ts";
import { dtypeInfo } from "../tensor/dtype.ts";
import { TensorCommitment, tensorRootOf } from "../tensor/commitment.ts";
import { MerkleTree } from "../tensor/merkle.ts";
import { pack } from "../tensor/packing.ts";
import { Tensor, allocate, float32Bits, setElement } from "../tensor/tensor.ts";
import { OutputsTrace } from "../trace/fromOutputs.ts";
import type { Rng } from "../vectors/rng.ts";

/**
 * Fault injection for the reference provider (tests and demos): every way a
 * provider can be wrong that the dispute game must catch (docs/PROTOCOL.md §9), and
 * one it need not: `junk-trace` commits the correct output over a junk trace. Only the
 * output is committed, so that is no fraud: an honest watcher, comparing outputs, never
 * challenges it, and the job finalizes (the junk would lose only if someone challenged).
 * `float-bias` is the float32 profile's fault (docs/PROTOCOL.md §11.3): one element of one
 * node moved c·B from its honest value, B its bound; see `faultKindProblem` for which kinds
 * apply to which profile.
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
  "float-bias",
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/**
 * Why a kind cannot forge jobs of a float32 model. A float32 element is wrong only when it
 * lies more than its bound B from the exact value (§11.3): the integer kinds that recompute
 * later nodes use the exact integer evaluator, which float32 nodes do not have, and a change
 * of one unit in the last place (`perturbElement` on a bit pattern) is admissible, so it
 * forges no fraud. `withhold` and `silent` forge with `float-bias` there.
 */
const NOT_FOR_FLOAT: Partial<Record<FaultKind, string>> = {
  "wrong-output": "its wrong output is one unit in the last place off, which a float32 bound admits",
  "flipped-element": "it recomputes later nodes with the exact integer evaluator",
  "substituted-weights": "it recomputes nodes with the exact integer evaluator",
  "skipped-layer": "it recomputes later nodes with the exact integer evaluator",
  "non-canonical": "its wrong output is one unit in the last place off, which a float32 bound admits",
};

/** The kinds that forge jobs of an exact integer model. */
export const INTEGER_FAULT_KINDS: readonly FaultKind[] = FAULT_KINDS.filter((k) => k !== "float-bias");
/** The kinds that forge jobs of a float32 model. */
export const FLOAT_FAULT_KINDS: readonly FaultKind[] = FAULT_KINDS.filter((k) => NOT_FOR_FLOAT[k] === undefined);

/** How `float-bias` forges (the provider's `--fault-float-scale` and `--fault-float-node`). */
export interface FloatFaultOptions {
  /** c: the forged element is moved c·B; above 1, else it may stay admissible. */
  readonly scale: number;
  /** The node forged (by `float-bias`, and by `withhold` and `silent` on a float32 model). */
  readonly node: number;
}

/** Node 0 (the first Conv of the shipped CNN), moved 2·B. */
export const DEFAULT_FLOAT_FAULT: FloatFaultOptions = { scale: 2, node: 0 };

/**
 * Why `kind` cannot forge jobs of `compiled` with these options, or undefined when it can:
 * checked when a provider starts, so a fault plan that cannot forge its models is refused
 * before any job is taken.
 */
export function faultKindProblem(
  kind: FaultKind,
  compiled: CompiledModel,
  float: FloatFaultOptions = DEFAULT_FLOAT_FAULT,
): string | undefined {
  if (compiled.profile !== Profile.FLOAT32) {
    return kind === "float-bias" ? "float-bias forges float32 models only (an integer model has no bound)" : undefined;
  }
  const why = NOT_FOR_FLOAT[kind];
  if (why !== undefined)
    return `${kind} cannot forge a float32 model: ${why} (float32 kinds: ${FLOAT_FAULT_KINDS.join(", ")})`;
  if (kind !== "float-bias" && kind !== "withhold" && kind !== "silent") return undefined;
  if (!(float.scale > 1))
    return `the float fault scale ${float.scale} must exceed 1: a shift of at most B is admissible`;
  const n = compiled.nodes.length;
  if (!Number.isInteger(float.node) || float.node < 0 || float.node >= n)
    return `the float fault node ${float.node} is not a node of the model (0 … ${n - 1})`;
  const op = compiled.onnxOpTypes[float.node] ?? "";
  const family = familyOf(op);
  if (family === undefined || family === "exact")
    return `node ${float.node} (${op}) is exact: its bound is 0, float-bias needs a rounding node (MatMul, Gemm, Conv, the averages, Add, Sub, Mul, Div, Sqrt)`;
  return undefined;
}

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
  /** The element of `faultNode` it forged, where one element is (`float-bias`). */
  readonly faultElement?: number;
}

interface HonestSource {
  readonly input: Tensor;
  readonly nodeOutputs: readonly Tensor[];
}

/** A trace that commits its own nodes (src/trace/trace.ts): its trees are reused, not built again. */
interface CommittingSource extends HonestSource {
  commitment(nodeIndex: number): TensorCommitment;
  readonly nodeRoots: readonly Hex[];
  readonly outputRoot: Hex;
  readonly outputPacked: Uint8Array;
}

/** The honest commitment of a trace. */
export function honestCommitment(trace: HonestSource | CommittingSource): Commitment {
  let t: CommittingSource;
  if ("commitment" in trace) {
    // Every tree first, so that roots computed on first use come from them (each node hashed once).
    for (let i = 0; i < trace.nodeOutputs.length; i++) trace.commitment(i);
    t = trace;
  } else {
    t = new OutputsTrace(trace.input, trace.nodeOutputs);
  }
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
export function forgeCommitment(
  kind: FaultKind,
  compiled: CompiledModel,
  honest: HonestSource,
  rng: Rng,
  float: FloatFaultOptions = DEFAULT_FLOAT_FAULT,
): Commitment {
  const n = compiled.nodes.length;
  const problem = faultKindProblem(kind, compiled, float);
  if (problem !== undefined) throw new Error(problem);
  if (compiled.profile === Profile.FLOAT32) {
    const forged = floatBias(compiled, honest, rng, float);
    switch (kind) {
      case "withhold":
        return { ...forged, reveals: false, fault: kind };
      case "silent":
        return { ...forged, postsRoots: false, reveals: false, fault: kind };
      case "float-bias":
        return forged;
      default:
        // inconsistent-trace and junk-trace forge without evaluating any node: below.
        break;
    }
  }
  switch (kind) {
    case "float-bias":
      // faultKindProblem refuses float-bias for any other profile.
      throw new Error("float-bias forges float32 models only");
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

/**
 * `float-bias`: one element of node `float.node`, drawn by `rng`, moved `float.scale`·B above
 * its honest value, B the element's bound by the float checker (src/float/check/); the later
 * nodes are left as the honest run computed them, so the posted roots hold exactly one
 * inadmissible element — fraud under §11.3 even where the output is right. When the node is
 * the last one, the committed output is the forged one. An element is drawn again when the
 * checker leaves it unchecked, when its shifted value is not finite or not a violation, or
 * when a node reading it would become inadmissible too (a Relu after a Conv passes a positive
 * change on exactly, so there only elements that stay negative keep the fault to one node).
 */
function floatBias(compiled: CompiledModel, honest: HonestSource, rng: Rng, float: FloatFaultOptions): Commitment {
  const { outputs, node, element } = floatBiasedOutputs(compiled, honest, rng, float);
  return { ...fromOutputs("float-bias", honest.input, outputs, node), faultElement: element };
}

/**
 * The node outputs of `float-bias`: one element of node `float.node`, drawn by `rng`, moved
 * `float.scale`·B so that it violates its bound while every node that reads it stays
 * admissible; the other nodes as run. A challenger proves the fraud at (`node`, `element`).
 */
export function floatBiasedOutputs(
  compiled: CompiledModel,
  honest: HonestSource,
  rng: Rng,
  float: FloatFaultOptions,
): { outputs: Tensor[]; node: number; element: number } {
  const node = float.node;
  const kernel = kernelFor(floatNodeOfTrace(compiled, honest, node));
  const claimed = at(honest.nodeOutputs, node);
  if (!(claimed.data instanceof Float32Array)) throw new Error(`node ${node}'s output is not float32`);
  const bits = float32Bits(claimed.data);
  const readers = compiled.nodes.flatMap((d, k) =>
    d.inputs.some((o) => o.source === Source.NODE_OUTPUT && o.index === node) ? [k] : [],
  );
  const out = new ElementCheck();
  const shifted = new Float32Array(1);
  for (let attempt = 0; attempt < 256; attempt++) {
    const index = rng.int(kernel.size);
    if (verdictOf(kernel, index, bits[index]!, out) !== Verdict.ADMISSIBLE) continue;
    shifted[0] = valueOfBits(bits[index]!) + float.scale * out.bound;
    if (!Number.isFinite(shifted[0])) continue;
    const shiftedBits = float32Bits(shifted)[0]!;
    if (verdictOf(kernel, index, shiftedBits, out) !== Verdict.VIOLATES) continue;
    const data = Float32Array.from(claimed.data);
    float32Bits(data)[index] = shiftedBits;
    const outputs = [...honest.nodeOutputs];
    outputs[node] = new Tensor(claimed.spec, data);
    const forged = { input: honest.input, nodeOutputs: outputs };
    const spreads = readers.some(
      (k) => checkNode(floatNodeOfTrace(compiled, forged, k), { maxViolations: 1 }).violationCount > 0,
    );
    if (spreads) continue;
    return { outputs, node, element: index };
  }
  throw new Error(
    `float-bias: no element of node ${node} drawn in 256 tries is inadmissible moved ${float.scale}·B while its readers stay admissible`,
  );
}

/** The checker's verdict on one claimed element; its bound and estimate are left in `out`. */
function verdictOf(kernel: ElementKernel, index: number, claimedBits: number, out: ElementCheck): Verdict {
  kernel.check(index, claimedBits, out);
  return out.verdict;
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
