/**
 * test/vectors/float.json is up to date (regenerated in memory, compared byte for byte),
 * and every vector's verdict agrees with the exact definition wherever the contract's
 * enclosure is exact, so the Solidity suite that replays the file checks the contract
 * against the admissibility rule itself.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { dotClaim, type DotElement } from "../../src/float/dot.ts";
import { exactElementwiseVerdict, type ElementwiseOp } from "../../src/float/elementwise.ts";
import { meanClaim } from "../../src/float/mean.ts";
import { rootFromWords } from "../../src/float/multiOpening.ts";
import { STRICT_FP32 } from "../../src/float/policy.ts";
import { enclose, exactSumVerdict } from "../../src/float/sum.ts";
import { floatVectorsJson, REVERTS, type FloatVectors } from "../../src/float/vectors.ts";
import { Verdict } from "../../src/float/verdict.ts";

const FILE = new URL("../vectors/float.json", import.meta.url);
const P = STRICT_FP32;

/** The words of a packed run back to the run's bits. */
function unpack(words: string[], offset: number, count: number): number[] {
  const all = words.flatMap((w) => Array.from({ length: 8 }, (_, i) => parseInt(w.slice(2 + 8 * i, 10 + 8 * i), 16)));
  return all.slice(offset, offset + count);
}

test("test/vectors/float.json is up to date (npx tsx scripts/vectors-float.ts)", () => {
  assert.ok(
    readFileSync(FILE, "utf8") === floatVectorsJson(),
    "float.json is stale: run `npx tsx scripts/vectors-float.ts`",
  );
});

test("float.json: every dot and mean verdict is the exact rule's where the enclosure is exact", () => {
  const v = JSON.parse(readFileSync(FILE, "utf8")) as FloatVectors;
  let exact = 0;
  for (const d of v.dot) {
    const e: DotElement = {
      a: unpack(d.a, d.aoff, d.k),
      b: unpack(d.b, d.boff, d.k),
      claimed: d.claimed,
      alpha: d.alpha,
      beta: d.beta,
      ...(d.hasbias ? { bias: d.bias } : {}),
    };
    if (d.verdict === REVERTS) continue;
    const claim = dotClaim(e);
    if (!claim.nonFinite && enclose(claim.terms, Number(d.hint)).inexact !== 0n) {
      // Bits cut off: the contract may only be more lenient than the exact rule.
      if (d.verdict === Verdict.VIOLATES) assert.equal(exactSumVerdict(claim, P), Verdict.VIOLATES, d.name);
      continue;
    }
    assert.equal(d.verdict, exactSumVerdict(claim, P), d.name);
    exact++;
  }
  for (const m of v.mean) {
    const claim = meanClaim({ x: unpack(m.words, m.offset, m.count), divisor: m.divisor, claimed: m.claimed });
    assert.equal(m.verdict, exactSumVerdict(claim, P), m.name);
  }
  assert.ok(exact > 100, `${exact}`);
});

test("float.json: every elementwise verdict is the exact rule's", () => {
  const v = JSON.parse(readFileSync(FILE, "utf8")) as FloatVectors;
  for (const e of v.elementwise) {
    assert.equal(e.verdict, exactElementwiseVerdict({ ...e, op: e.op as ElementwiseOp }, P), e.name);
  }
});

test("float.json: both sides of every bound are present (the last fp32 within B admissible, the first beyond it fraud)", () => {
  const v = JSON.parse(readFileSync(FILE, "utf8")) as FloatVectors;
  for (const list of [v.dot, v.mean, v.elementwise]) {
    const within = list.filter((x) => x.name.endsWith("last fp32 within B"));
    const beyond = list.filter((x) => x.name.endsWith("first fp32 beyond B"));
    assert.ok(within.length >= 10 && beyond.length >= 10);
    for (const x of within) assert.equal(x.verdict, Verdict.ADMISSIBLE, x.name);
    for (const x of beyond) assert.equal(x.verdict, Verdict.VIOLATES, x.name);
  }
});

test("float.json: operator calls carry the verdicts their names promise (honest and 0.5·B admissible, 1.1·B, 2·B, 10·B fraud)", () => {
  const v = JSON.parse(readFileSync(FILE, "utf8")) as FloatVectors;
  const expect = (name: string) =>
    /(honest|0\.5B)$/.test(name) && !name.includes("another element")
      ? Verdict.ADMISSIBLE
      : / (1\.1B|2B|10B)$|fraud$/.test(name)
        ? Verdict.VIOLATES
        : /unchecked$/.test(name)
          ? Verdict.UNCHECKED
          : undefined;
  let named = 0;
  for (const o of v.operators) {
    const e = expect(o.name);
    if (e === undefined) continue;
    assert.equal(o.verdict, e, o.name);
    named++;
  }
  assert.ok(named > 250, `${named}`);
  for (const op of ["Conv", "Gemm", "MaxPool", "AveragePool", "GlobalAveragePool"]) {
    assert.ok(
      v.operators.some((o) => o.name.startsWith(`${op} `) && o.verdict === Verdict.VIOLATES),
      op,
    );
  }
});

test("float.json: every word-set opening reaches its root in TypeScript too", () => {
  const v = JSON.parse(readFileSync(FILE, "utf8")) as FloatVectors;
  for (const m of v.multiOpening) assert.equal(rootFromWords(m.indices, m.leaves, m.proof, m.depth), m.root, m.name);
  assert.ok(
    v.multiOpening.some(
      (m) => m.indices.length > 1 && m.indices.some((x, i) => i > 0 && x > (m.indices[i - 1] as number) + 1),
    ),
  );
});
