/**
 * Differential test through a real node: for every opcode and every supported
 * dtype combination (src/reference/support.ts), seeded random single-op cases
 * with edge values (src/reference/cases.ts) are evaluated three ways, and every
 * checked output element must agree bit for bit:
 *   1. onnxruntime-node 1.30 CPU running the one-node ONNX model;
 *   2. the TypeScript reference `evaluateElement`;
 *   3. `OneStepVerifier.execute` (eth_call on anvil) on the proof built by
 *      `buildOneStepProof` from real commitments of the operands.
 * At least MIN_ELEMENTS elements per op (×10 with REFUTE_DEEP=1), 0 mismatches.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { Source, type NodeDescriptor } from "../../src/graph/descriptor.ts";
import { IntegerOpcode, Opcode, type IntegerOpName as OpName } from "../../src/graph/opcode.ts";
import { buildOneStepProof, oneStepArgs } from "../../src/proof/oneStep.ts";
import {
  caseFeeds,
  caseModel,
  caseOperands,
  CaseRng,
  generatorsFor,
  matmulIntegerOverflowCase,
  type OpCase,
} from "../../src/reference/cases.ts";
import { evaluateElement } from "../../src/reference/evaluate.ts";
import { TensorCommitment } from "../../src/tensor/commitment.ts";
import { DType } from "../../src/tensor/dtype.ts";
import { runModel } from "../reference/ort.ts";
import { deployVerifier, type DeployedVerifier } from "./verifier.ts";

const SCALE = process.env.REFUTE_DEEP === "1" ? 10 : 1;
const MIN_ELEMENTS = 1_000 * SCALE;
/** Elements checked per case at most, so that many shapes are covered. */
const PER_CASE = 48;
/** eth_calls in flight at once. */
const CHUNK = 64;

interface Check {
  readonly name: string;
  readonly outIndex: number;
  readonly ort: bigint;
  readonly reference: bigint;
  readonly node: NodeDescriptor;
  readonly proof: ReturnType<typeof buildOneStepProof>;
}

let verifier: DeployedVerifier;

before(async () => {
  verifier = await deployVerifier();
});

after(async () => {
  await verifier?.anvil.stop();
});

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

function sample(rng: CaseRng, n: number): number[] {
  if (n <= PER_CASE) return Array.from({ length: n }, (_, i) => i);
  const picks = new Set([0, n - 1]);
  while (picks.size < PER_CASE) picks.add(rng.int(0, n - 1));
  return [...picks];
}

async function checksOf(c: OpCase, rng: CaseRng): Promise<Check[]> {
  const expected = await runModel(caseModel(c), caseFeeds(c));
  const { node, operands } = committed(c);
  return sample(rng, expected.size).map((outIndex) => ({
    name: `${c.name} (opset ${c.opset})`,
    outIndex,
    ort: expected.at(outIndex),
    reference: evaluateElement(node, caseOperands(c), outIndex),
    node,
    proof: buildOneStepProof({ node, operands, outIndex }),
  }));
}

/** Runs the checks on-chain; returns the mismatch descriptions. */
async function onChain(checks: readonly Check[]): Promise<string[]> {
  const mismatches: string[] = [];
  for (let i = 0; i < checks.length; i += CHUNK) {
    const chunk = checks.slice(i, i + CHUNK);
    const values = await Promise.all(
      chunk.map(
        (k) =>
          verifier.client.readContract({
            address: verifier.address,
            abi: verifier.abi,
            functionName: "execute",
            args: oneStepArgs(k.node, k.proof),
          }) as Promise<bigint>,
      ),
    );
    chunk.forEach((k, j) => {
      if (values[j] !== k.ort || k.reference !== k.ort) {
        mismatches.push(
          `${k.name} o=${k.outIndex}: onnxruntime ${k.ort}, reference ${k.reference}, chain ${values[j]}`,
        );
      }
    });
  }
  return mismatches;
}

describe("OneStepVerifier against onnxruntime and the reference evaluator", () => {
  const ops = Object.keys(IntegerOpcode) as OpName[];
  for (const op of ops) {
    test(`${op}: every supported dtype, ≥ ${MIN_ELEMENTS} elements, 0 mismatches`, async (t) => {
      const rng = new CaseRng(0xd1ff ^ Opcode[op]);
      const gens = generatorsFor(op, { big: true });
      const perLabel = new Map<string, number>();
      let elements = 0;
      const mismatches: string[] = [];
      // Round-robin over the dtype combinations until enough elements (and every combination) are checked.
      for (let round = 0; elements < MIN_ELEMENTS || round < 2; round++) {
        const checks: Check[] = [];
        for (const { label, gen } of gens) {
          const batch = await checksOf(gen(rng), rng);
          perLabel.set(label, (perLabel.get(label) ?? 0) + batch.length);
          checks.push(...batch);
        }
        mismatches.push(...(await onChain(checks)));
        elements += checks.length;
      }
      if (op === "MatMulInteger") {
        // The int32 accumulator wraps (K = 40,000 at the dtype extremes).
        const overflow = [
          matmulIntegerOverflowCase(rng, DType.UINT8, DType.UINT8),
          matmulIntegerOverflowCase(rng, DType.INT8, DType.UINT8),
        ];
        for (const c of overflow) {
          const checks = await checksOf(c, rng);
          mismatches.push(...(await onChain(checks)));
          elements += checks.length;
        }
      }
      t.diagnostic(
        `${op}: ${elements} elements, ${mismatches.length} mismatches (${[...perLabel].map(([l, n]) => `${l} ${n}`).join(", ")})`,
      );
      assert.deepEqual(mismatches.slice(0, 10), [], `${mismatches.length} mismatches`);
      assert.ok(elements >= MIN_ELEMENTS, `${op}: only ${elements} elements checked`);
      for (const { label } of gens) assert.ok((perLabel.get(label) ?? 0) > 0, `${op} ${label}: no element checked`);
    });
  }
});
