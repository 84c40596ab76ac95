import { encodeAbiParameters, keccak256, type Hex } from "viem";
import { at } from "../tensor/at.ts";
import { DType } from "../tensor/dtype.ts";
import { Layout } from "../tensor/spec.ts";
import { Tensor } from "../tensor/tensor.ts";
import { TensorCommitment } from "../tensor/commitment.ts";
import { Opcode } from "../graph/opcode.ts";
import {
  GraphCommitment,
  NODE_DESCRIPTOR_ABI,
  Source,
  ZERO_ROOT,
  encodeDescriptor,
  toAbiDescriptor,
  traceRootOf,
  type NodeDescriptor,
} from "../graph/descriptor.ts";
import { policyHash, STRICT_FP32 } from "../float/policy.ts";
import { MODEL_SPEC_ABI, NO_POLICY, Profile, modelIdOf, toAbiModelSpec, type ModelSpec } from "../model/modelSpec.ts";
import { commitmentHashOf } from "../model/commitment.ts";

export interface GraphVector {
  descriptors: { encoded: Hex; hash: Hex; proof: Hex[] }[];
  nodeCount: number;
  nodesRoot: Hex;
  graphRoot: Hex;
  nodeRoots: Hex[];
  traceRoot: Hex;
  modelSpec: Hex;
  modelId: Hex;
  /** A float32 registration (§7, §11.2): profile 2 and the strict fp32 policy's hash. */
  floatModelSpec: Hex;
  floatModelId: Hex;
  floatPolicyHash: Hex;
  commitment: { jobId: string; provider: Hex; outputRoot: Hex; hash: Hex };
  abi: Hex;
}

export const GRAPH_CASE_ABI = {
  type: "tuple",
  components: [
    { name: "descriptors", type: "tuple[]", components: NODE_DESCRIPTOR_ABI.components },
    { name: "proofs", type: "bytes32[][]" },
    { name: "nodesRoot", type: "bytes32" },
    { name: "graphRoot", type: "bytes32" },
    { name: "nodeRoots", type: "bytes32[]" },
    { name: "traceRoot", type: "bytes32" },
    { name: "modelSpec", type: "bytes" },
    { name: "modelId", type: "bytes32" },
  ],
} as const;

/** A three-node classifier head: MatMulInteger → Add → ArgMax, with every operand kind. */
export function sampleGraph(): [NodeDescriptor, NodeDescriptor, NodeDescriptor] {
  const w = new TensorCommitment(
    Tensor.fromBigInts({ dtype: DType.INT8, layout: Layout.TRANSPOSED, shape: [4, 3] }, [
      1n,
      -2n,
      3n,
      4n,
      5n,
      -6n,
      7n,
      8n,
      9n,
      -10n,
      11n,
      12n,
    ]),
  );
  const zp = new TensorCommitment(Tensor.fromBigInts({ dtype: DType.INT8, layout: Layout.ROW_MAJOR, shape: [] }, [0n]));
  const bias = new TensorCommitment(
    Tensor.fromBigInts({ dtype: DType.INT32, layout: Layout.ROW_MAJOR, shape: [3] }, [100n, -200n, 300n]),
  );
  const x = { dtype: DType.INT8, layout: Layout.ROW_MAJOR, shape: [1, 4] } as const;
  const acc = { dtype: DType.INT32, layout: Layout.ROW_MAJOR, shape: [1, 3] } as const;
  return [
    {
      opcode: Opcode.MatMulInteger,
      inputs: [
        { source: Source.JOB_INPUT, index: 0, root: ZERO_ROOT, spec: x },
        { source: Source.CONSTANT, index: 0, root: w.root, spec: w.spec },
        { source: Source.CONSTANT, index: 0, root: zp.root, spec: zp.spec },
        {
          source: Source.ABSENT,
          index: 0,
          root: ZERO_ROOT,
          spec: { dtype: DType.INT8, layout: Layout.ROW_MAJOR, shape: [] },
        },
      ],
      output: acc,
      attrs: [],
    },
    {
      opcode: Opcode.Add,
      inputs: [
        { source: Source.NODE_OUTPUT, index: 0, root: ZERO_ROOT, spec: acc },
        { source: Source.CONSTANT, index: 0, root: bias.root, spec: bias.spec },
      ],
      output: acc,
      attrs: [],
    },
    {
      opcode: Opcode.ArgMax,
      inputs: [{ source: Source.NODE_OUTPUT, index: 1, root: ZERO_ROOT, spec: acc }],
      output: { dtype: DType.INT64, layout: Layout.ROW_MAJOR, shape: [1] },
      attrs: [1n, 0n, 0n],
    },
  ];
}

export function graphVector(): GraphVector {
  const nodes = sampleGraph();
  const [matmul, , argmax] = nodes;
  const g = new GraphCommitment(nodes);
  const nodeRoots = nodes.map((_, i) => keccak256(encodeAbiParameters([{ type: "string" }], [`node ${i}`])));
  const traceRoot = traceRootOf(nodeRoots);
  const spec: ModelSpec = {
    fileHash: keccak256("0x01"),
    graphRoot: g.root,
    nodeCount: nodes.length,
    profile: Profile.EXACT_INT,
    policyHash: NO_POLICY,
    input: at(matmul.inputs, 0).spec,
    output: argmax.output,
    uri: "ipfs://example",
    params: { challengeWindow: 600n, responseWindow: 300n, collateralPerJob: 10n ** 20n, challengerBond: 10n ** 19n },
  };
  const modelSpec = encodeAbiParameters([MODEL_SPEC_ABI], [toAbiModelSpec(spec)]);
  const floatSpec: ModelSpec = {
    ...spec,
    profile: Profile.FLOAT32,
    policyHash: policyHash(STRICT_FP32),
    input: { dtype: DType.FLOAT, layout: Layout.ROW_MAJOR, shape: [1, 4] },
    output: { dtype: DType.FLOAT, layout: Layout.ROW_MAJOR, shape: [1, 3] },
  };
  const commitment = {
    jobId: "7",
    provider: "0x00000000000000000000000000000000000000aa" as Hex,
    outputRoot: at(nodeRoots, 2), // one root per node: the output is node 2's
  };
  const abi = encodeAbiParameters(
    [GRAPH_CASE_ABI],
    [
      {
        descriptors: nodes.map(toAbiDescriptor),
        proofs: nodes.map((_, i) => g.proof(i)),
        nodesRoot: g.tree.root,
        graphRoot: g.root,
        nodeRoots,
        traceRoot,
        modelSpec,
        modelId: modelIdOf(spec),
      },
    ],
  );
  return {
    descriptors: nodes.map((d, i) => ({ encoded: encodeDescriptor(d), hash: at(g.hashes, i), proof: g.proof(i) })),
    nodeCount: nodes.length,
    nodesRoot: g.tree.root,
    graphRoot: g.root,
    nodeRoots,
    traceRoot,
    modelSpec,
    modelId: modelIdOf(spec),
    floatModelSpec: encodeAbiParameters([MODEL_SPEC_ABI], [toAbiModelSpec(floatSpec)]),
    floatModelId: modelIdOf(floatSpec),
    floatPolicyHash: floatSpec.policyHash,
    commitment: { ...commitment, hash: commitmentHashOf(7n, commitment.provider, commitment.outputRoot) },
    abi,
  };
}
