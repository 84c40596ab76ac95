/**
 * Writes test/vectors/onestep.json: full-path one-step vectors (docs/PROTOCOL.md
 * §9.3, §10) for every opcode and every supported dtype combination — the
 * descriptor, the operand roots of real commitments, the disputed output index,
 * one range opening per dependency (§6.1) and the element the reference
 * evaluator gives. Each case carries an `abi` blob (ONE_STEP_CASE_ABI) that
 * test/solidity/ops/OneStepVectors.t.sol decodes and replays through
 * OneStep.execute.
 *
 *     node --import tsx scripts/vectors-onestep.ts
 */
import { writeFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { encodeAbiParameters, type Hex } from "viem";
import { NODE_DESCRIPTOR_ABI, Source, toAbiDescriptor, type NodeDescriptor } from "../src/graph/descriptor.ts";
import { IntegerOpcode, type IntegerOpName as OpName } from "../src/graph/opcode.ts";
import { buildOneStepProof, RANGE_OPENING_ABI, toAbiOpening } from "../src/proof/oneStep.ts";
import {
  caseOperands,
  CaseRng,
  generatorsFor,
  matmulIntegerOverflowCase,
  type OpCase,
} from "../src/reference/cases.ts";
import { evaluateElement } from "../src/reference/evaluate.ts";
import { TensorCommitment } from "../src/tensor/commitment.ts";
import { DType } from "../src/tensor/dtype.ts";
import { elementCount } from "../src/tensor/spec.ts";

export const ONE_STEP_CASE_ABI = {
  type: "tuple",
  components: [
    { ...NODE_DESCRIPTOR_ABI, name: "node" },
    { name: "operandRoots", type: "bytes32[]" },
    { name: "outIndex", type: "uint256" },
    { ...RANGE_OPENING_ABI, name: "openings", type: "tuple[]" },
    { name: "expected", type: "int256" },
  ],
} as const;

interface OneStepVector {
  name: string;
  opcode: number;
  outIndex: number;
  expected: string;
  dependencies: { operand: number; start: number; count: number }[];
  abi: Hex;
}

/** Cases per (op, dtype combination) and output indices per case: small, but every branch of every op. */
const CASES_PER_LABEL = 2;
const INDICES_PER_CASE = 3;

/** The case's descriptor with every constant's real tensor root in place, plus the operand commitments. */
function committed(c: OpCase): { node: NodeDescriptor; operands: (TensorCommitment | undefined)[] } {
  const operands = caseOperands(c).map((t) => (t === undefined ? undefined : new TensorCommitment(t)));
  const node: NodeDescriptor = {
    ...c.desc,
    inputs: c.desc.inputs.map((input, i) =>
      input.source === Source.CONSTANT ? { ...input, root: (operands[i] as TensorCommitment).root } : input,
    ),
  };
  return { node, operands };
}

function vectorsOf(c: OpCase, outIndices: readonly number[]): OneStepVector[] {
  const { node, operands } = committed(c);
  return outIndices.map((outIndex) => {
    const proof = buildOneStepProof({ node, operands, outIndex });
    const expected = evaluateElement(node, caseOperands(c), outIndex);
    const abi = encodeAbiParameters(
      [ONE_STEP_CASE_ABI],
      [
        {
          node: toAbiDescriptor(node),
          operandRoots: proof.operandRoots,
          outIndex: BigInt(outIndex),
          openings: proof.openings.map(toAbiOpening),
          expected,
        },
      ],
    );
    return {
      name: `${c.name} o=${outIndex}`,
      opcode: node.opcode,
      outIndex,
      expected: expected.toString(),
      dependencies: proof.dependencies.map(({ operand, start, count }) => ({ operand, start, count })),
      abi,
    };
  });
}

export function oneStepVectors(): OneStepVector[] {
  const rng = new CaseRng(0x0e5e7);
  const out: OneStepVector[] = [];
  for (const op of Object.keys(IntegerOpcode) as OpName[]) {
    for (const { gen } of generatorsFor(op)) {
      for (let i = 0; i < CASES_PER_LABEL; i++) {
        const c = gen(rng);
        const n = elementCount(c.desc.output.shape);
        const picks = new Set([0, n - 1]);
        while (picks.size < Math.min(n, INDICES_PER_CASE)) picks.add(rng.int(0, n - 1));
        out.push(...vectorsOf(c, [...picks]));
      }
    }
  }
  // int32 accumulator wrap-around (K = 40,000, uint8 extremes): column 0 overflows.
  out.push(...vectorsOf(matmulIntegerOverflowCase(rng, DType.UINT8, DType.UINT8), [0]));
  return out;
}

/** The file's text (deterministic: the same code gives the same bytes, which test/ops/oneStep.test.ts checks). */
export function oneStepVectorsJson(): string {
  return JSON.stringify({ cases: oneStepVectors() }, null, 1) + "\n";
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const text = oneStepVectorsJson();
  writeFileSync(new URL("../test/vectors/onestep.json", import.meta.url), text);
  console.log(`wrote test/vectors/onestep.json (${JSON.parse(text).cases.length} cases, ${text.length} bytes)`);
}
