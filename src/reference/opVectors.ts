/**
 * Golden one-step vectors for the on-chain evaluators (test/vectors/ops.json,
 * written by scripts/vectors-ops.ts): for every opcode ≥ 30 cases over all
 * its supported dtypes, each with the descriptor's opcode/attrs/specs, one
 * output element, the operand openings that element needs (§6.1) with their
 * values in committed order, and the expected value. A Solidity evaluator fed
 * exactly these openings must return `expected`.
 */
import { IntegerOpcode, Opcode, type IntegerOpName as OpName } from "../graph/opcode.ts";
import { DType } from "../tensor/dtype.ts";
import { elementCount, Layout } from "../tensor/spec.ts";
import { Tensor } from "../tensor/tensor.ts";
import { Source } from "../graph/descriptor.ts";
import { caseOperands, CaseRng, generatorsFor, type OpCase } from "./cases.ts";
import { evaluateFromOpenings, evaluateNode, openings } from "./evaluate.ts";

export interface SpecJson {
  readonly dtype: number;
  readonly layout: number;
  readonly shape: number[];
}

export interface OperandSpecJson extends SpecJson {
  /** Source of the operand (§5): 0 ABSENT (then dtype 0, layout 0, shape []), 1 JOB_INPUT, 2 NODE_OUTPUT, 3 CONSTANT. */
  readonly source: number;
}

export interface OpVector {
  readonly name: string;
  readonly opcode: number;
  readonly attrs: number[];
  readonly operandSpecs: OperandSpecJson[];
  readonly outputSpec: SpecJson;
  readonly outIndex: number;
  readonly dependencies: { operand: number; start: number; count: number; values: string[] }[];
  readonly expected: string;
}

export const CASES_PER_OPCODE = 32;
const SEED = 0x0b5e55ed;

/** Source for a non-constant operand in the vectors: an earlier node's output (the common case on chain). */
function toVector(c: OpCase, outIndex: number): OpVector {
  const operands = caseOperands(c);
  const deps = openings(c.desc, operands, outIndex);
  const expected = evaluateFromOpenings(c.desc, outIndex, deps);
  const whole = evaluateNode(c.desc, operands).at(outIndex);
  if (expected !== whole)
    throw new Error(`${c.name}: element ${outIndex} is ${expected}, the whole node says ${whole}`);
  return {
    name: `${c.name} o=${outIndex}`,
    opcode: c.desc.opcode,
    attrs: c.desc.attrs.map(Number),
    operandSpecs: c.desc.inputs.map((op) => ({
      source: op.source === Source.JOB_INPUT ? Source.NODE_OUTPUT : op.source,
      dtype: op.spec.dtype,
      layout: op.spec.layout,
      shape: [...op.spec.shape],
    })),
    outputSpec: { dtype: c.desc.output.dtype, layout: c.desc.output.layout, shape: [...c.desc.output.shape] },
    outIndex,
    dependencies: deps.map((d) => ({
      operand: d.operand,
      start: d.start,
      count: d.count,
      values: d.values.map(String),
    })),
    expected: expected.toString(),
  };
}

/** An output index: the first, the last, or a random one. */
function pickIndex(rng: CaseRng, n: number, k: number): number {
  if (k % 4 === 0) return 0;
  if (k % 4 === 1) return n - 1;
  return rng.int(0, n - 1);
}

/** The cases the vectors are made of, with the output element each one opens. */
export function opVectorCases(): { c: OpCase; outIndex: number }[] {
  const rng = new CaseRng(SEED);
  const out: { c: OpCase; outIndex: number }[] = [];
  for (const op of Object.keys(IntegerOpcode) as OpName[]) {
    const gens = generatorsFor(op);
    const per = Math.ceil(CASES_PER_OPCODE / gens.length);
    for (const { gen } of gens) {
      for (let k = 0; k < per; k++) {
        const c = gen(rng);
        out.push({ c, outIndex: pickIndex(rng, elementCount(c.desc.output.shape), k) });
      }
    }
    if (op === "MatMulInteger") out.push({ c: matmulWrapCase(), outIndex: 0 });
  }
  return out;
}

/** uint8 × uint8, all 255, K = 33,100: Σ = 255²·K = 2,152,327,500 wraps to −2,142,639,796 in int32. */
function matmulWrapCase(): OpCase {
  const K = 33_100;
  const A = Tensor.fromBigInts(
    { dtype: DType.UINT8, layout: Layout.ROW_MAJOR, shape: [1, K] },
    Array<bigint>(K).fill(255n),
  );
  const B = Tensor.fromBigInts(
    { dtype: DType.UINT8, layout: Layout.TRANSPOSED, shape: [K, 1] },
    Array<bigint>(K).fill(255n),
  );
  const desc = {
    opcode: Opcode.MatMulInteger,
    inputs: [
      { source: Source.JOB_INPUT, index: 0, root: `0x${"00".repeat(32)}` as const, spec: A.spec },
      { source: Source.CONSTANT, index: 0, root: `0x${"00".repeat(32)}` as const, spec: B.spec },
    ],
    output: { dtype: DType.INT32, layout: Layout.ROW_MAJOR, shape: [1, 1] },
    attrs: [],
  };
  return {
    name: `MatMulInteger uint8xuint8 int32 wrap K=${K}`,
    opType: "MatMulInteger",
    opset: 13,
    onnxAttrs: {},
    inputs: [
      { tensor: A, constant: false },
      { tensor: B, constant: true },
    ],
    desc,
  };
}

export function opVectors(): OpVector[] {
  return opVectorCases().map(({ c, outIndex }) => toVector(c, outIndex));
}

/** The file's text: a header, then one case per line (compact, yet diffable). */
export function opVectorsJson(): string {
  const cases = opVectors();
  const header = {
    description:
      "One-step vectors per opcode (docs/PROTOCOL.md §6, §6.1): the element `outIndex` of an op's output recomputed from exactly `dependencies` (runs of committed positions, values in committed order) must equal `expected`. Generated by scripts/vectors-ops.ts; do not edit.",
    count: cases.length,
  };
  const head = JSON.stringify(header).slice(0, -1);
  return `${head},\n"cases":[\n${cases.map((c) => JSON.stringify(c)).join(",\n")}\n]}\n`;
}
