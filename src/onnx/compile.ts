import type { Hex } from "viem";
import { GraphCommitment, Source, ZERO_ROOT, type NodeDescriptor, type Operand } from "../graph/descriptor.ts";
import { Opcode, type OpName } from "../graph/opcode.ts";
import { policyHash, STRICT_FP32 } from "../float/policy.ts";
import { NO_POLICY, Profile } from "../model/modelSpec.ts";
import { TensorCommitment } from "../tensor/commitment.ts";
import { Layout, type TensorSpec } from "../tensor/spec.ts";
import type { Tensor } from "../tensor/tensor.ts";
import { loadModel, type LoadedModel, type LoadOptions } from "./load.ts";

/**
 * A validated model turned into what the protocol commits to (docs/PROTOCOL.md
 * §5): one NodeDescriptor per ONNX node, the constants' commitments (built
 * once, ready to open), and graphRoot.
 */
export interface CompiledModel {
  /** The verification profile (§7), read from the graph (see load.ts). */
  readonly profile: Profile;
  /** keccak256(abi.encode(NumericsPolicy)) the registration binds: the strict fp32 policy for float32, zero otherwise. */
  readonly policyHash: Hex;
  readonly nodes: readonly NodeDescriptor[];
  /** ONNX node names (the output name where a node has none). */
  readonly nodeNames: readonly string[];
  /** Per node, the name of its single output value. */
  readonly outputNames: readonly string[];
  readonly onnxOpTypes: readonly OpName[];
  /** Per node, the ONNX input names in order; null for an omitted optional input. */
  readonly inputNames: readonly (readonly (string | null)[])[];
  /** Initializers that nodes read, by name, row-major (the layout a node commits them in is per operand). */
  readonly constants: ReadonlyMap<string, Tensor>;
  /**
   * Per node, per input: the commitment of a CONSTANT operand in its
   * committed layout (see constantLayout), null for any other
   * source. `operandTensors[i][j].tensor` is the committed tensor.
   */
  readonly operandTensors: readonly (readonly (TensorCommitment | null)[])[];
  readonly input: TensorSpec & { readonly name: string };
  readonly output: TensorSpec & { readonly name: string };
  readonly graph: GraphCommitment;
  readonly graphRoot: Hex;
  readonly fileHash: Hex;
  /** The ONNX file, needed to run the model. */
  readonly bytes: Uint8Array;
  readonly opset: number;
  readonly irVersion: number;
}

const MATMUL_B = 1;
const GEMM_TRANS_B = 3;

/**
 * Layout in which a constant operand is committed (§2, §11.7): the B operand of a dot
 * product so that the K elements of one of its columns are one contiguous run —
 * transposed for MatMulInteger's and MatMul's [K, N] B, and for Gemm's B unless transB = 1
 * (then B is stored [N, K] and its rows already are op(B)'s columns). Row-major otherwise.
 */
export function constantLayout(opType: OpName, inputIndex: number, attrs: readonly bigint[] = []): Layout {
  if (inputIndex !== MATMUL_B) return Layout.ROW_MAJOR;
  if (opType === "MatMulInteger" || opType === "MatMul") return Layout.TRANSPOSED;
  if (opType === "Gemm") return attrs[GEMM_TRANS_B] === 1n ? Layout.ROW_MAJOR : Layout.TRANSPOSED;
  return Layout.ROW_MAJOR;
}

/** Validates (see load.ts) and compiles an ONNX file, or compiles an already loaded model. */
export function compileModel(source: Uint8Array | LoadedModel, options: LoadOptions = {}): CompiledModel {
  const model = source instanceof Uint8Array ? loadModel(source, options) : source;
  const rowMajor = (t: { dtype: TensorSpec["dtype"]; shape: readonly number[] }): TensorSpec => ({
    dtype: t.dtype,
    layout: Layout.ROW_MAJOR,
    shape: [...t.shape],
  });

  const producer = new Map<string, number>();
  const commitments = new Map<string, TensorCommitment>();
  const constants = new Map<string, Tensor>();
  const commitConstant = (name: string, layout: Layout): TensorCommitment => {
    const key = `${layout}:${name}`;
    let c = commitments.get(key);
    if (c === undefined) {
      const tensor = model.initializers.get(name) as Tensor;
      constants.set(name, tensor);
      c = new TensorCommitment(layout === Layout.ROW_MAJOR ? tensor : tensor.withLayout(layout));
      commitments.set(key, c);
    }
    return c;
  };

  const nodes: NodeDescriptor[] = [];
  const operandTensors: (TensorCommitment | null)[][] = [];
  for (const node of model.nodes) {
    const operands: Operand[] = [];
    const committed: (TensorCommitment | null)[] = [];
    node.inputs.forEach((name, j) => {
      if (name === null) {
        operands.push({ source: Source.ABSENT, index: 0, root: ZERO_ROOT, spec: absentSpec(model, node.index, j) });
        committed.push(null);
      } else if (model.initializers.has(name)) {
        const c = commitConstant(name, constantLayout(node.opType, j, node.attrs));
        operands.push({ source: Source.CONSTANT, index: 0, root: c.root, spec: c.spec });
        committed.push(c);
      } else if (name === model.input.name) {
        operands.push({ source: Source.JOB_INPUT, index: 0, root: ZERO_ROOT, spec: rowMajor(model.input) });
        committed.push(null);
      } else {
        const from = producer.get(name);
        const source = from === undefined ? undefined : model.nodes[from];
        if (from === undefined || source === undefined) {
          throw new Error(`value ${name} has no producer (the loader guarantees one)`);
        }
        operands.push({
          source: Source.NODE_OUTPUT,
          index: from,
          root: ZERO_ROOT,
          spec: rowMajor(source.outputType),
        });
        committed.push(null);
      }
    });
    nodes.push({ opcode: Opcode[node.opType], inputs: operands, output: rowMajor(node.outputType), attrs: node.attrs });
    operandTensors.push(committed);
    producer.set(node.output, node.index);
  }

  const graph = new GraphCommitment(nodes);
  return {
    profile: model.profile,
    policyHash: model.profile === Profile.FLOAT32 ? policyHash(STRICT_FP32) : NO_POLICY,
    nodes,
    nodeNames: model.nodes.map((n) => n.name),
    outputNames: model.nodes.map((n) => n.output),
    onnxOpTypes: model.nodes.map((n) => n.opType),
    inputNames: model.nodes.map((n) => n.inputs),
    constants,
    operandTensors,
    input: { ...rowMajor(model.input), name: model.input.name },
    output: { ...rowMajor(model.output), name: model.output.name },
    graph,
    graphRoot: graph.root,
    fileHash: model.fileHash,
    bytes: model.bytes,
    opset: model.opset,
    irVersion: model.irVersion,
  };
}

/**
 * Spec of an omitted optional input: a scalar of the type the input would
 * have had (the zero points take their matrix's type, Clip's bounds take X's),
 * as in test/vectors/graph.json. Only MatMulInteger and Clip have optional inputs.
 */
function absentSpec(model: LoadedModel, nodeIndex: number, inputIndex: number): TensorSpec {
  const node = model.nodes[nodeIndex];
  if (node === undefined) throw new RangeError(`no node #${nodeIndex}`);
  const like = node.opType === "MatMulInteger" ? node.inputs[inputIndex - 2] : node.inputs[0];
  const dtype = typeOfValue(model, like as string, nodeIndex);
  return { dtype, layout: Layout.ROW_MAJOR, shape: [] };
}

function typeOfValue(model: LoadedModel, name: string, before: number): TensorSpec["dtype"] {
  if (name === model.input.name) return model.input.dtype;
  const constant = model.initializers.get(name);
  if (constant !== undefined) return constant.spec.dtype;
  const producer = model.nodes.slice(0, before).findLast((n) => n.output === name);
  if (producer !== undefined) return producer.outputType.dtype;
  throw new Error(`value ${name} has no type (the loader guarantees one)`);
}

/** The committed tensor of operand `inputIndex` of node `nodeIndex`, when it is a constant. */
export function constantOperand(
  compiled: CompiledModel,
  nodeIndex: number,
  inputIndex: number,
): TensorCommitment | null {
  return compiled.operandTensors[nodeIndex]?.[inputIndex] ?? null;
}
