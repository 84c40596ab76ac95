/**
 * The k-ary reveal of a large node output (docs/PROTOCOL.md §9.2): outputs over 64
 * words are opened 16 children per round down to one word, so a dispute takes
 * ceil(depth / 4) reveal rounds. The shipped model's outputs are all small, so
 * these games run on wide models built here: MatMulInteger [1,16]×[16,N] → ArgMax.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { challengeOf, openTable, playOut, registerCompiled, type LocalTable } from "../harness/localTable.ts";
import { Outcome, Reason, reasonName } from "../../src/dispute/state.ts";
import { wideInput, wideModel } from "../harness/wideModel.ts";
import type { CompiledModel } from "../../src/onnx/compile.ts";
import { WHOLE_REVEAL_MAX_WORDS } from "../../src/proof/dispute.ts";
import {
  flippedElementAt,
  honestCommitment,
  junkPadding,
  withNodeData,
  type Commitment,
  type PaddingSpot,
} from "../../src/dispute/faults.ts";
import { at } from "../../src/tensor/at.ts";
import { depthFor } from "../../src/tensor/merkle.ts";
import { wordCount } from "../../src/tensor/spec.ts";
import { traceModel, type Trace } from "../../src/trace/trace.ts";
import { Rng } from "../../src/vectors/rng.ts";
import { DEPTH, challengeJob, committedJob } from "./fixture.ts";
import { randomStrategy } from "./strategies.ts";

interface Wide {
  readonly n: number;
  readonly compiled: CompiledModel;
  readonly modelId: `0x${string}`;
  readonly words: number;
  readonly depth: number;
}

let table: LocalTable;
const wides: Wide[] = [];

before(async () => {
  table = await openTable({ challengers: 1 });
  // 75 words (depth 7, no tail padding), 256 words (depth 8, two full rounds), 376 words
  // (depth 9, three rounds, a 28-byte tail). ArgMax rows stop at 4096 (the loader's bound).
  for (const n of [600, 2048, 3001]) {
    const compiled = wideModel(n);
    const words = wordCount(at(compiled.nodes, 0).output);
    wides.push({ n, compiled, modelId: await registerCompiled(table, compiled), words, depth: depthFor(words) });
  }
});

after(async () => {
  await table?.stop();
});

async function traceOf(w: Wide, rng: Rng): Promise<Trace> {
  return traceModel(w.compiled, wideInput(w.compiled, rng));
}

async function dispute(
  w: Wide,
  trace: Trace,
  commitment: Commitment,
  rng: Rng,
  strategy = undefined as ReturnType<typeof randomStrategy> | undefined,
) {
  const { jobId } = await committedJob(table, w.modelId, trace.input, commitment);
  const { id } = await challengeJob(table, 0, jobId, rng);
  const record = await playOut(table, {
    jobId,
    compiled: w.compiled,
    provider: commitment,
    challengers: [{ client: table.challenger(0), id, honest: trace, strategy }],
  });
  const sent = record.steps.flatMap((s) => s.result.sent.map((m) => m.move.kind));
  return { challenge: await challengeOf(table, id), sent };
}

test("the wide models' first node needs the k-ary reveal", () => {
  for (const w of wides) assert.ok(w.words > WHOLE_REVEAL_MAX_WORDS, `N=${w.n}: ${w.words} words`);
  assert.deepEqual(
    wides.map((w) => [w.words, w.depth]),
    [
      [75, 7],
      [256, 8],
      [376, 9],
    ],
  );
});

test("a wrong element of a large output is found in ceil(depth / 4) reveal rounds and proven", async () => {
  for (const w of wides) {
    for (let s = 0; s < 3 * DEPTH; s++) {
      const rng = new Rng(0xb15 + w.n * 100 + s);
      const trace = await traceOf(w, rng);
      const { challenge, sent } = await dispute(w, trace, flippedElementAt(w.compiled, trace, 0, rng), rng);
      const label = `N=${w.n}, seed ${s}`;
      assert.equal(challenge.outcome, Outcome.Won, `${label}: ${reasonName(challenge.reason)}`);
      assert.equal(challenge.reason, Reason.FraudProven, label);
      const rounds = Math.ceil(w.depth / 4);
      assert.equal(sent.filter((k) => k === "revealChildren").length, rounds, `${label}: reveal rounds`);
      assert.equal(sent.filter((k) => k === "chooseChild").length, rounds, `${label}: choices`);
      assert.equal(sent.filter((k) => k === "revealWhole").length, 0, label);
      assert.equal(challenge.anchorLevel, 0, `${label}: the descent ends on one word`);
    }
  }
});

test("an honest provider of a large output beats random descents", async () => {
  for (const w of wides) {
    for (let s = 0; s < 2 * DEPTH; s++) {
      const rng = new Rng(0x4a2 + w.n * 100 + s);
      const trace = await traceOf(w, rng);
      const { challenge } = await dispute(w, trace, honestCommitment(trace), rng, randomStrategy(rng));
      assert.equal(challenge.outcome, Outcome.Lost, `N=${w.n}, seed ${s}: ${reasonName(challenge.reason)}`);
    }
  }
});

const SPOTS: readonly [number, PaddingSpot][] = [
  [600, "leaf"],
  [3001, "leaf"],
  [3001, "tail"],
];

for (const [n, spot] of SPOTS) {
  test(`junk in the padding (${spot}) of a large output is caught at the end of the descent (N=${n})`, async () => {
    const w = wides.find((x) => x.n === n)!;
    for (let s = 0; s < 2 * DEPTH; s++) {
      const rng = new Rng(0x9ad + n + s);
      const trace = await traceOf(w, rng);
      const forged = withNodeData(honestCommitment(trace), 0, junkPadding(trace.commitment(0), rng, spot));
      const { challenge, sent } = await dispute(w, trace, forged, rng);
      assert.equal(challenge.outcome, Outcome.Won, `seed ${s}: ${reasonName(challenge.reason)}`);
      assert.equal(challenge.reason, Reason.NonCanonical);
      assert.equal(sent.filter((k) => k === "proveStep").length, 0);
      assert.equal(sent.filter((k) => k === "revealChildren").length, Math.ceil(w.depth / 4));
    }
  });
}
