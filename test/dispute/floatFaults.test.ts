/**
 * Fault injection on a float32 model (src/dispute/faults.ts): `float-bias` on real
 * onnxruntime traces of the shipped CNN moves exactly one element of its node past its
 * bound — the float checker (src/float/check/) finds that element and no other anywhere in
 * the forged trace — and leaves every later node as run, so the roots end in the committed
 * output; forged at the last node, the committed output is the forged one. `withhold` and
 * `silent` forge the same way; kinds that cannot forge a float32 model are refused.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, describe, test } from "node:test";
import { readIdxImages } from "../../src/data/idx.ts";
import { floatImage } from "../../src/data/floatPixels.ts";
import {
  FAULT_KINDS,
  FLOAT_FAULT_KINDS,
  faultKindProblem,
  forgeCommitment,
  INTEGER_FAULT_KINDS,
  type Commitment,
} from "../../src/dispute/faults.ts";
import { checkNode } from "../../src/float/check/node.ts";
import { floatNodeOfTrace } from "../../src/float/check/traceNode.ts";
import { compileModel } from "../../src/onnx/compile.ts";
import { pack } from "../../src/tensor/packing.ts";
import { unpack } from "../../src/tensor/packing.ts";
import { Tensor } from "../../src/tensor/tensor.ts";
import { releaseSessions } from "../../src/trace/session.ts";
import { traceModel, type Trace } from "../../src/trace/trace.ts";
import { Rng } from "../../src/vectors/rng.ts";

const cnn = compileModel(new Uint8Array(readFileSync(new URL("../../models/fmnist-cnn.onnx", import.meta.url))));
const mlp = compileModel(new Uint8Array(readFileSync(new URL("../../models/fmnist-mlp.onnx", import.meta.url))));
const images = readIdxImages(new URL("../../models/fmnist-mlp.eval-images.idx", import.meta.url).pathname);
const LAST = cnn.nodes.length - 1;

const imageInput = (i: number): Tensor => floatImage(images, cnn.input, i);

/** The forged trace as its node data says (what the provider stores, posts and reveals). */
function forgedOutputs(c: Commitment): Tensor[] {
  return cnn.nodes.map((d, i) => {
    const data = c.commitment(i);
    const bytes = new Uint8Array(data.wordCount * 32);
    for (let w = 0; w < data.wordCount; w++) bytes.set(Buffer.from(data.word(w).slice(2), "hex"), w * 32);
    return unpack(d.output, bytes.subarray(0, pack(Tensor.zeros(d.output)).length));
  });
}

/** Per node, the elements the float checker finds inadmissible in the forged trace. */
function violationsOf(honest: Trace, c: Commitment): number[][] {
  const trace = { input: honest.input, nodeOutputs: forgedOutputs(c) };
  return cnn.nodes.map((_, i) => {
    const result = checkNode(floatNodeOfTrace(cnn, trace, i));
    assert.equal(result.unchecked, 0, `node ${i}: no unchecked element`);
    assert.equal(result.violations.length, result.violationCount, `node ${i}: every violation listed`);
    return result.violations.map((v) => v.index);
  });
}

const traces: Trace[] = [];
before(async () => {
  for (const i of [0, 1, 2]) traces.push(await traceModel(cnn, imageInput(i), { intraOpNumThreads: 1 }));
});
after(releaseSessions);

describe("float-bias", () => {
  test("moves one element of node 0 (the first Conv) past its bound; every other node is admissible", () => {
    for (const [t, honest] of traces.entries()) {
      const c = forgeCommitment("float-bias", cnn, honest, new Rng(100 + t));
      assert.equal(c.fault, "float-bias");
      assert.equal(c.faultNode, 0);
      assert.equal(cnn.onnxOpTypes[0], "Conv");
      const element = c.faultElement;
      assert.ok(element !== undefined, "the forged element is reported");
      const violations = violationsOf(honest, c);
      assert.deepEqual(violations[0], [element], `trace ${t}: exactly the forged element violates`);
      for (let i = 1; i < cnn.nodes.length; i++) assert.deepEqual(violations[i], [], `trace ${t}: node ${i}`);
      // The later nodes are the honest run's: the roots end in the honest output, which is committed.
      assert.deepEqual(c.nodeRoots.slice(1), honest.nodeRoots.slice(1));
      assert.notEqual(c.nodeRoots[0], honest.nodeRoots[0]);
      assert.equal(c.nodeRoots.at(-1), c.outputRoot);
      assert.equal(c.outputRoot, honest.outputRoot);
      assert.deepEqual(c.outputPacked, honest.outputPacked);
      assert.ok(c.postsRoots && c.reveals);
    }
  });

  test("the shift is c·B: with c = 2 the element is about 2·B from the checker's estimate", () => {
    const honest = traces[0]!;
    const c = forgeCommitment("float-bias", cnn, honest, new Rng(7), { scale: 2, node: 0 });
    const forged = { input: honest.input, nodeOutputs: forgedOutputs(c) };
    const [v] = checkNode(floatNodeOfTrace(cnn, forged, 0)).violations;
    assert.ok(v !== undefined);
    const ratio = Math.abs(v.claimed - v.estimate) / v.bound;
    assert.ok(ratio > 1.5 && ratio < 2.5, `|claimed − estimate| = ${ratio}·B`);
  });

  test("at the last node (the second Gemm) the committed output is the forged one", () => {
    const honest = traces[1]!;
    const c = forgeCommitment("float-bias", cnn, honest, new Rng(3), { scale: 4, node: LAST });
    assert.equal(c.faultNode, LAST);
    const violations = violationsOf(honest, c);
    assert.deepEqual(violations[LAST], [c.faultElement]);
    for (let i = 0; i < LAST; i++) assert.deepEqual(violations[i], [], `node ${i}`);
    assert.notEqual(c.outputRoot, honest.outputRoot);
    assert.equal(c.nodeRoots.at(-1), c.outputRoot, "the roots end in the committed output");
    assert.deepEqual(c.outputPacked, pack(forgedOutputs(c)[LAST]!));
    assert.deepEqual(c.nodeRoots.slice(0, LAST), honest.nodeRoots.slice(0, LAST));
  });

  test("the element is drawn by the fault rng: reproducible from its seed", () => {
    const honest = traces[2]!;
    const a = forgeCommitment("float-bias", cnn, honest, new Rng(42));
    const b = forgeCommitment("float-bias", cnn, honest, new Rng(42));
    assert.equal(a.faultElement, b.faultElement);
    assert.deepEqual(a.nodeRoots, b.nodeRoots);
  });
});

describe("other kinds on a float32 model", () => {
  test("withhold and silent forge with float-bias and keep their dispute behaviour", () => {
    const honest = traces[0]!;
    const withhold = forgeCommitment("withhold", cnn, honest, new Rng(5));
    assert.equal(withhold.fault, "withhold");
    assert.equal(withhold.reveals, false);
    assert.equal(withhold.postsRoots, true);
    assert.deepEqual(violationsOf(honest, withhold)[0], [withhold.faultElement]);
    const silent = forgeCommitment("silent", cnn, honest, new Rng(5), { scale: 2, node: LAST });
    assert.equal(silent.fault, "silent");
    assert.equal(silent.postsRoots, false);
    assert.equal(silent.reveals, false);
    assert.notEqual(silent.outputRoot, honest.outputRoot, "a wrong output it does not defend");
  });

  test("inconsistent-trace and junk-trace forge without evaluating a node", () => {
    const honest = traces[0]!;
    const inconsistent = forgeCommitment("inconsistent-trace", cnn, honest, new Rng(9));
    assert.deepEqual(inconsistent.nodeRoots, honest.nodeRoots);
    assert.notEqual(inconsistent.outputRoot, honest.outputRoot, "roots that cannot be posted");
    const junk = forgeCommitment("junk-trace", cnn, honest, new Rng(9));
    assert.equal(junk.outputRoot, honest.outputRoot);
    assert.notDeepEqual(junk.nodeRoots, honest.nodeRoots);
  });

  test("the kinds that cannot forge a float32 model are refused, naming why", () => {
    assert.deepEqual([...FLOAT_FAULT_KINDS].sort(), [
      "float-bias",
      "inconsistent-trace",
      "junk-trace",
      "silent",
      "withhold",
    ]);
    for (const kind of FAULT_KINDS) {
      const problem = faultKindProblem(kind, cnn);
      if (FLOAT_FAULT_KINDS.includes(kind)) {
        assert.equal(problem, undefined, kind);
      } else {
        assert.match(problem ?? "", new RegExp(`^${kind} cannot forge a float32 model: `), kind);
        assert.throws(() => forgeCommitment(kind, cnn, traces[0]!, new Rng(1)), /cannot forge a float32 model/, kind);
      }
    }
  });

  test("float-bias is refused for an integer model, an exact node, a node out of range and c ≤ 1", () => {
    assert.match(faultKindProblem("float-bias", mlp) ?? "", /float32 models only/);
    for (const kind of INTEGER_FAULT_KINDS) assert.equal(faultKindProblem(kind, mlp), undefined, kind);
    assert.equal(cnn.onnxOpTypes[1], "Relu");
    assert.match(faultKindProblem("float-bias", cnn, { scale: 2, node: 1 }) ?? "", /node 1 \(Relu\) is exact/);
    assert.match(faultKindProblem("withhold", cnn, { scale: 2, node: 99 }) ?? "", /not a node of the model/);
    assert.match(faultKindProblem("float-bias", cnn, { scale: 1, node: 0 }) ?? "", /must exceed 1/);
  });
});
