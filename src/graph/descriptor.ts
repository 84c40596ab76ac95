import { encodeAbiParameters, keccak256, type Hex } from "viem";
import { MerkleTree } from "../tensor/merkle.ts";
import { TENSOR_SPEC_ABI, toAbiSpec, type TensorSpec } from "../tensor/spec.ts";
import type { Opcode } from "./opcode.ts";

/** Where a node's operand comes from (docs/PROTOCOL.md §4). */
export const Source = {
  /** An optional ONNX input left empty. */
  ABSENT: 0,
  /** The job's input tensor (the model has exactly one). */
  JOB_INPUT: 1,
  /** The output of an earlier node: `index` < this node's index. */
  NODE_OUTPUT: 2,
  /** An initializer: `root` is its tensor root. */
  CONSTANT: 3,
} as const;
export type Source = (typeof Source)[keyof typeof Source];

export interface Operand {
  readonly source: Source;
  readonly index: number;
  readonly root: Hex;
  readonly spec: TensorSpec;
}

export interface NodeDescriptor {
  readonly opcode: Opcode;
  readonly inputs: readonly Operand[];
  readonly output: TensorSpec;
  /** Op-specific integer attributes in a fixed order per opcode (PROTOCOL.md §5). */
  readonly attrs: readonly bigint[];
}

export const ZERO_ROOT: Hex = `0x${"00".repeat(32)}`;

export const OPERAND_ABI = {
  type: "tuple",
  components: [
    { name: "source", type: "uint8" },
    { name: "index", type: "uint32" },
    { name: "root", type: "bytes32" },
    { ...TENSOR_SPEC_ABI, name: "spec" },
  ],
} as const;

export const NODE_DESCRIPTOR_ABI = {
  type: "tuple",
  components: [
    { name: "opcode", type: "uint8" },
    { name: "inputs", type: "tuple[]", components: OPERAND_ABI.components },
    { ...TENSOR_SPEC_ABI, name: "output" },
    { name: "attrs", type: "int64[]" },
  ],
} as const;

export function toAbiDescriptor(d: NodeDescriptor) {
  return {
    opcode: d.opcode,
    inputs: d.inputs.map((o) => ({ source: o.source, index: o.index, root: o.root, spec: toAbiSpec(o.spec) })),
    output: toAbiSpec(d.output),
    attrs: d.attrs,
  };
}

export function encodeDescriptor(d: NodeDescriptor): Hex {
  return encodeAbiParameters([NODE_DESCRIPTOR_ABI], [toAbiDescriptor(d)]);
}

export function descriptorHash(d: NodeDescriptor): Hex {
  return keccak256(encodeDescriptor(d));
}

/** The nodes' descriptor hashes as a Merkle tree, so one descriptor is proven with log2(n) hashes. */
export class GraphCommitment {
  readonly hashes: Hex[];
  readonly tree: MerkleTree;
  readonly root: Hex;

  constructor(readonly nodes: readonly NodeDescriptor[]) {
    if (nodes.length === 0) throw new RangeError("a graph needs at least one node");
    this.hashes = nodes.map(descriptorHash);
    this.tree = MerkleTree.fromHexLeaves(this.hashes);
    this.root = graphRootOf(nodes.length, this.tree.root);
  }

  /** Proof of node `i`'s descriptor hash against the nodes tree (a one-leaf range proof). */
  proof(i: number): Hex[] {
    return this.tree.rangeProof(i, i);
  }
}

/** graphRoot = keccak256(abi.encode(uint32 nodeCount, bytes32 nodesRoot)). */
export function graphRootOf(nodeCount: number, nodesRoot: Hex): Hex {
  return keccak256(encodeAbiParameters([{ type: "uint32" }, { type: "bytes32" }], [nodeCount, nodesRoot]));
}

/**
 * traceRoot = keccak256 of the node output roots concatenated in node order: what the dispute
 * game stores when the provider posts its roots, and checks every later move against.
 */
export function traceRootOf(nodeRoots: readonly Hex[]): Hex {
  return keccak256(`0x${nodeRoots.map((r) => r.slice(2)).join("")}`);
}
