/**
 * Disputes of float32 jobs on the shipped CNN, played to the end on anvil with the real
 * contracts (docs/PROTOCOL.md §9, §11.10): the challenger checks the provider's own trace
 * with the float checker (src/float/check/), disputes the element it finds outside its
 * bound, and the game's one-step proof goes to FloatStepVerifier.
 *
 * - A node moved by c·B at one element (c ∈ {1.1, 2, 10}) for every rounding node of the
 *   CNN (both Convs, both Gemms), or by one unit in the last place for its exact nodes
 *   (Relu, MaxPool, Flatten), is found at exactly that element and slashed (FraudProven),
 *   whichever node it is: the nodes after it are left as the honest run computed them.
 * - An output element moved by 0.5·B is admissible: the checker flags nothing, and a
 *   challenger that disputes it anyway loses its bond (WithinBound); the job is released.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, test } from "node:test";
import { JobStatus } from "../../src/chain/enums.ts";
import { readIdxImages } from "../../src/data/idx.ts";
import { floatImage } from "../../src/data/floatPixels.ts";
import { honestCommitment } from "../../src/dispute/faults.ts";
import { Outcome, Reason, reasonName } from "../../src/dispute/state.ts";
import { ElementCheck } from "../../src/float/check/kernel.ts";
import { kernelFor } from "../../src/float/check/node.ts";
import { floatNodeOfTrace } from "../../src/float/check/traceNode.ts";
import { compileModel } from "../../src/onnx/compile.ts";
import { float32Bits, Tensor } from "../../src/tensor/tensor.ts";
import { OutputsTrace } from "../../src/trace/fromOutputs.ts";
import { traceModel, type Trace } from "../../src/trace/trace.ts";
import { Rng } from "../../src/vectors/rng.ts";
import {
  challengeOf,
  disputeOf,
  jobOf,
  openTable,
  playOut,
  registerCompiled,
  type LocalTable,
} from "../harness/localTable.ts";
import { checkAdmissible } from "../../watcher/float/admissible.ts";
import { challengeJob, committedJob } from "./fixture.ts";

const cnn = compileModel(new Uint8Array(readFileSync(new URL("../../models/fmnist-cnn.onnx", import.meta.url))));
const images = readIdxImages(new URL("../../models/fmnist-mlp.eval-images.idx", import.meta.url).pathname);

let table: LocalTable;
let modelId: `0x${string}`;

before(async () => {
  table = await openTable({ challengers: 1 });
  modelId = await registerCompiled(table, cnn);
});

after(async () => {
  await table?.stop();
});

const imageInput = (i: number): Tensor => floatImage(images, cnn.input, i);

/** The node's output with one element moved: by `scale`·B for a rounding node, by one ulp (scale ignored) for an exact one. */
function moved(trace: Trace, node: number, element: number, scale: number): Tensor[] {
  const outputs = [...trace.nodeOutputs];
  const original = outputs[node] as Tensor;
  const data = Float32Array.from(original.data as Float32Array);
  const kernel = kernelFor(floatNodeOfTrace(cnn, trace, node));
  const check = new ElementCheck();
  kernel.check(element, float32Bits(data)[element] as number, check);
  const x = data[element] as number;
  if (kernel.family === "exact") {
    // The next float32 away from zero: a different value, which bit equality refuses.
    float32Bits(data)[element] = (float32Bits(data)[element] as number) + 1;
  } else {
    // From the exact value (the checker's estimate), not from the run's own rounded one: an
    // honest run may already sit a few roundings off it, which a short dot product's B is
    // not much larger than.
    data[element] = check.estimate + scale * check.bound * (x >= 0 ? 1 : -1);
    assert.notEqual(data[element], x, `node ${node} element ${element}: the move is below float32's resolution`);
  }
  outputs[node] = new Tensor(original.spec, data);
  return outputs;
}

/** The first element outside its bound in the trace, as the watcher's check finds it. */
function firstViolation(trace: OutputsTrace): { nodeIndex: number; outIndex: number } | undefined {
  const found = checkAdmissible(cnn, trace.input, trace.nodeOutputs);
  return found.kind === "violation" ? { nodeIndex: found.nodeIndex, outIndex: found.violation.index } : undefined;
}

/** An element whose move stays local: positive before a Relu, the window's maximum before a MaxPool. */
function elementOf(trace: Trace, node: number, rng: Rng): number {
  const out = trace.nodeOutputs[node] as Tensor;
  const data = out.data as Float32Array;
  for (let tries = 0; tries < 10_000; tries++) {
    const e = rng.int(data.length);
    if ((data[e] as number) > 0.05) return e;
  }
  throw new Error(`node ${node}: no clearly positive element`);
}

async function play(
  trace: Trace,
  outputs: Tensor[],
  target: { nodeIndex: number; outIndex: number },
  seed: number,
): Promise<{ id: bigint; jobId: bigint }> {
  const forged = new OutputsTrace(trace.input, outputs);
  const commitment = honestCommitment(forged);
  const { jobId } = await committedJob(table, modelId, trace.input, commitment);
  const { id } = await challengeJob(table, 0, jobId, new Rng(seed));
  await playOut(table, {
    jobId,
    compiled: cnn,
    provider: commitment,
    challengers: [{ client: table.challenger(0), id, honest: forged, target }],
  });
  return { id, jobId };
}

const NODES = cnn.onnxOpTypes.map((op, i) => ({ op, i }));

for (const { op, i } of NODES) {
  const scales = ["Conv", "Gemm"].includes(op) ? [1.1, 2, 10] : [1];
  test(`a float32 provider whose node ${i} (${op}) is off at one element (${scales.map((c) => `${c}·B`).join(", ")}${op === "Conv" || op === "Gemm" ? "" : ": one ulp"}) is slashed by the element its trace fails at`, async () => {
    for (const [k, scale] of scales.entries()) {
      const rng = new Rng(0xf1_000 + i * 16 + k);
      const trace = await traceModel(cnn, imageInput(rng.int(images.count)));
      const element = elementOf(trace, i, rng);
      const forged = new OutputsTrace(trace.input, moved(trace, i, element, scale));
      const target = firstViolation(forged);
      const label = `node ${i} (${op}), c = ${scale}, element ${element}`;
      assert.deepEqual(target, { nodeIndex: i, outIndex: element }, `${label}: the checker's first violation`);
      const { id, jobId } = await play(trace, [...forged.nodeOutputs], target, 0xf1_100 + i * 16 + k);
      const c = await challengeOf(table, id);
      assert.equal(c.outcome, Outcome.Won, `${label}: ${reasonName(c.reason)}`);
      assert.equal(c.reason, Reason.FraudProven, `${label}: won by ${reasonName(c.reason)}`);
      assert.equal(c.nodeIndex, i, `${label}: another node disputed`);
      assert.equal((await disputeOf(table, jobId)).settled, true, `${label}: not settled`);
      assert.equal((await jobOf(table, jobId)).status, JobStatus.Slashed, `${label}: not Slashed`);
    }
  });
}

test("an output element moved by 0.5·B is admissible: the checker flags nothing, and a challenger that disputes it anyway loses (WithinBound)", async () => {
  // The last node: no later node reads it, so the move leaves the rest of the trace as run.
  for (const [k, node] of [9, 9].entries()) {
    const rng = new Rng(0xf2_000 + k);
    const trace = await traceModel(cnn, imageInput(rng.int(images.count)));
    const element = elementOf(trace, node, rng);
    const outputs = moved(trace, node, element, 0.5);
    const label = `node ${node}, element ${element}`;
    assert.equal(firstViolation(new OutputsTrace(trace.input, outputs)), undefined, `${label}: flagged`);
    const { id, jobId } = await play(trace, outputs, { nodeIndex: node, outIndex: element }, 0xf2_100 + k);
    const c = await challengeOf(table, id);
    assert.equal(c.outcome, Outcome.Lost, `${label}: ${reasonName(c.reason)}`);
    assert.equal(c.reason, Reason.WithinBound, `${label}: lost by ${reasonName(c.reason)}`);
    const job = await jobOf(table, jobId);
    assert.equal(job.status, JobStatus.Committed, `${label}: the job is not committed any more`);
    assert.equal(job.frozen, false, `${label}: the job was not released`);
  }
});
