/**
 * The one-step proof builder (src/proof/oneStep.ts) and the full-path vectors
 * it feeds (test/vectors/onestep.json): every opening it builds is exactly the
 * §6.1 run, proves against the operand's root off-chain, and holds the values
 * the reference evaluator reads; bad inputs are refused with OneStepProofError.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { Source, ZERO_ROOT, type NodeDescriptor } from "../../src/graph/descriptor.ts";
import { IntegerOpcode, Opcode } from "../../src/graph/opcode.ts";
import { buildOneStepProof, OneStepProofError, oneStepArgs } from "../../src/proof/oneStep.ts";
import { caseOperands, CaseRng, generatorsFor, matmulIntegerCase } from "../../src/reference/cases.ts";
import { openings } from "../../src/reference/evaluate.ts";
import { elementFromWords, tensorRootOf, TensorCommitment } from "../../src/tensor/commitment.ts";
import { DType, dtypeInfo } from "../../src/tensor/dtype.ts";
import { depthFor, rootFromRange } from "../../src/tensor/merkle.ts";
import { elementCount, Layout, wordCount } from "../../src/tensor/spec.ts";
import { Tensor } from "../../src/tensor/tensor.ts";
import { oneStepVectorsJson } from "../../scripts/vectors-onestep.ts";

test("test/vectors/onestep.json is up to date (node --import tsx scripts/vectors-onestep.ts)", () => {
  const onDisk = readFileSync(new URL("../vectors/onestep.json", import.meta.url), "utf8");
  assert.ok(onDisk === oneStepVectorsJson(), "test/vectors/onestep.json is stale: run scripts/vectors-onestep.ts");
});

test("buildOneStepProof opens exactly the §6.1 runs, each proving against its operand's root", () => {
  const rng = new CaseRng(0x57e9);
  let checked = 0;
  for (const op of Object.keys(IntegerOpcode) as (keyof typeof IntegerOpcode)[]) {
    for (const { gen } of generatorsFor(op)) {
      const c = gen(rng);
      const tensors = caseOperands(c);
      const commitments = tensors.map((t) => (t === undefined ? undefined : new TensorCommitment(t)));
      const n = elementCount(c.desc.output.shape);
      for (const outIndex of new Set([0, n - 1, rng.int(0, n - 1)])) {
        const proof = buildOneStepProof({ node: c.desc, operands: commitments, outIndex });
        const expected = openings(c.desc, tensors, outIndex);
        assert.equal(proof.openings.length, expected.length, c.name);
        proof.openings.forEach((o, i) => {
          const dep = expected[i];
          assert.ok(dep, c.name);
          const commitment = commitments[dep.operand] as TensorCommitment;
          const { spec } = commitment;
          // The words are the minimal run holding the positions…
          const width = dtypeInfo(spec.dtype).width;
          assert.equal(o.firstWord, Math.floor((dep.start * width) / 32), c.name);
          assert.equal(o.words.length, Math.floor(((dep.start + dep.count) * width - 1) / 32) - o.firstWord + 1);
          // …they prove against the operand's root…
          const dataRoot = rootFromRange(o.firstWord, o.words, o.proof, depthFor(wordCount(spec)));
          assert.equal(tensorRootOf(spec, dataRoot), proof.operandRoots[dep.operand], c.name);
          // …and they hold the values the reference evaluator reads.
          for (let k = 0; k < dep.count; k++) {
            assert.equal(elementFromWords(spec, o.firstWord, o.words, dep.start + k), dep.values[k], c.name);
          }
        });
        assert.deepEqual(
          proof.dependencies,
          expected.map(({ operand, start, count }) => ({ operand, start, count })),
          c.name,
        );
        checked++;
      }
    }
  }
  assert.ok(checked > 100, `${checked} elements`);
});

test("buildOneStepProof gives ABSENT inputs the zero root and no opening", () => {
  // zp = 2: b_zero_point only, so a_zero_point is an ABSENT input in the middle of the list.
  let c = matmulIntegerCase(new CaseRng(1), DType.INT8, DType.UINT8);
  for (let seed = 2; c.inputs.length !== 4 || c.inputs[2] !== undefined; seed++) {
    c = matmulIntegerCase(new CaseRng(seed), DType.INT8, DType.UINT8);
  }
  const commitments = caseOperands(c).map((t) => (t === undefined ? undefined : new TensorCommitment(t)));
  const proof = buildOneStepProof({ node: c.desc, operands: commitments, outIndex: 0 });
  assert.equal(proof.operandRoots[2], ZERO_ROOT);
  assert.deepEqual(
    proof.dependencies.map((d) => d.operand),
    [0, 1, 3],
  );
  const [node, roots, outIndex, opened] = oneStepArgs(c.desc, proof);
  assert.equal(node.inputs.length, 4);
  assert.equal(roots.length, 4);
  assert.equal(outIndex, 0n);
  assert.equal(opened.length, 3);
});

test("buildOneStepProof refuses commitments that do not fit the descriptor", () => {
  const x = Tensor.fromBigInts({ dtype: DType.INT8, layout: Layout.ROW_MAJOR, shape: [2, 2] }, [1n, 2n, 3n, 4n]);
  const node: NodeDescriptor = {
    opcode: Opcode.Relu,
    inputs: [{ source: Source.JOB_INPUT, index: 0, root: ZERO_ROOT, spec: x.spec }],
    output: x.spec,
    attrs: [],
  };
  const other = new TensorCommitment(
    Tensor.fromBigInts({ dtype: DType.INT8, layout: Layout.ROW_MAJOR, shape: [4] }, [1n, 2n, 3n, 4n]),
  );
  assert.throws(() => buildOneStepProof({ node, operands: [other], outIndex: 0 }), OneStepProofError);
  assert.throws(() => buildOneStepProof({ node, operands: [], outIndex: 0 }), OneStepProofError);
  assert.throws(() => buildOneStepProof({ node, operands: [undefined], outIndex: 0 }), OneStepProofError);
  const [input] = node.inputs;
  assert.ok(input);
  const absent: NodeDescriptor = { ...node, inputs: [{ ...input, source: Source.ABSENT }] };
  assert.throws(
    () => buildOneStepProof({ node: absent, operands: [new TensorCommitment(x)], outIndex: 0 }),
    OneStepProofError,
  );
  const ok = buildOneStepProof({ node, operands: [new TensorCommitment(x)], outIndex: 3 });
  assert.equal(ok.openings.length, 1);
});
