/**
 * test/vectors/ops.json is up to date (regenerated in memory, compared byte
 * for byte), has ≥ 30 cases per opcode, and every `expected` is what
 * onnxruntime 1.30 CPU computes for that element.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { IntegerOpcode, type Opcode } from "../../src/graph/opcode.ts";
import { caseFeeds, caseModel } from "../../src/reference/cases.ts";
import { evaluateFromOpenings } from "../../src/reference/evaluate.ts";
import { opVectorCases, opVectorsJson, type OpVector } from "../../src/reference/opVectors.ts";
import { runModel } from "./ort.ts";

const FILE = new URL("../vectors/ops.json", import.meta.url);

test("test/vectors/ops.json is up to date (npx tsx scripts/vectors-ops.ts)", () => {
  const onDisk = readFileSync(FILE, "utf8");
  assert.ok(onDisk === opVectorsJson(), "test/vectors/ops.json is stale: run `npx tsx scripts/vectors-ops.ts`");
});

test("ops.json: ≥ 30 cases per opcode, openings recompute `expected`", () => {
  const file = JSON.parse(readFileSync(FILE, "utf8")) as { count: number; cases: OpVector[] };
  assert.equal(file.cases.length, file.count);
  // ops.json holds the exact integer profile's evaluators (§6); the float32 checks have float.json.
  for (const code of Object.values(IntegerOpcode)) {
    const n = file.cases.filter((c) => c.opcode === code).length;
    assert.ok(n >= 30, `opcode ${code} has only ${n} cases`);
  }
  for (const v of file.cases) {
    const desc = {
      opcode: v.opcode as Opcode,
      inputs: v.operandSpecs.map((s) => ({
        source: s.source as 0 | 1 | 2 | 3,
        index: 0,
        root: `0x${"00".repeat(32)}` as const,
        spec: { dtype: s.dtype as 2, layout: s.layout as 0, shape: s.shape },
      })),
      output: { dtype: v.outputSpec.dtype as 2, layout: v.outputSpec.layout as 0, shape: v.outputSpec.shape },
      attrs: v.attrs.map(BigInt),
    };
    const deps = v.dependencies.map((d) => ({ ...d, values: d.values.map(BigInt) }));
    assert.equal(evaluateFromOpenings(desc, v.outIndex, deps).toString(), v.expected, v.name);
  }
});

test("ops.json: every expected value equals onnxruntime's", async () => {
  const file = JSON.parse(readFileSync(FILE, "utf8")) as { cases: OpVector[] };
  const cases = opVectorCases();
  assert.equal(cases.length, file.cases.length);
  for (const [i, { c, outIndex }] of cases.entries()) {
    const v = file.cases[i];
    assert.ok(v, `ops.json has case ${i}`);
    const out = await runModel(caseModel(c), caseFeeds(c));
    assert.equal(v.expected, out.at(outIndex).toString(), `${v.name}: onnxruntime disagrees`);
  }
});
