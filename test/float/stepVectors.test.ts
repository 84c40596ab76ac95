/**
 * test/vectors/float-step.json is up to date (regenerated in memory, compared byte for byte)
 * and covers every routed opcode of the float32 profile with an admissible and a violating
 * element, and an unchecked one for the operators that have them (docs/PROTOCOL.md §11.3):
 * the Solidity suite replays the same file against FloatStepVerifier.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { decodeAbiParameters } from "viem";
import { NODE_DESCRIPTOR_ABI } from "../../src/graph/descriptor.ts";
import { Opcode, opName } from "../../src/graph/opcode.ts";
import { floatStepVectorsJson, type FloatStepVectors } from "../../src/float/step/vectors.ts";
import { Verdict } from "../../src/float/verdict.ts";

const FILE = new URL("../vectors/float-step.json", import.meta.url);

test("test/vectors/float-step.json is up to date (npx tsx scripts/vectors-float-step.ts)", () => {
  assert.ok(
    readFileSync(FILE, "utf8") === floatStepVectorsJson(),
    "float-step.json is stale: run `node --import tsx scripts/vectors-float-step.ts`",
  );
});

test("float-step.json: every routed opcode has admissible and violating elements, and unchecked ones where §11.3 has them", () => {
  const v = JSON.parse(readFileSync(FILE, "utf8")) as FloatStepVectors;
  assert.ok(readFileSync(FILE).length < 1_000_000);
  const seen = new Map<number, Set<number>>();
  for (const c of v.cases) {
    const [node] = decodeAbiParameters([NODE_DESCRIPTOR_ABI], c.node);
    const set = seen.get(node.opcode) ?? new Set<number>();
    set.add(c.verdict);
    seen.set(node.opcode, set);
    assert.equal(c.operandRoots.length, node.inputs.length, c.name);
  }
  const routed = [
    "MatMul",
    "Gemm",
    "Conv",
    "MaxPool",
    "AveragePool",
    "GlobalAveragePool",
    "ReduceMean",
    "Add",
    "Sub",
    "Mul",
    "Div",
    "Sqrt",
    "Relu",
    "Max",
    "Min",
    "Reshape",
    "Flatten",
    "Identity",
    "Gather",
    "ArgMax",
    "Transpose",
  ] as const;
  const unchecked = new Set<string>([
    "MatMul",
    "Gemm",
    "Conv",
    "MaxPool",
    "AveragePool",
    "GlobalAveragePool",
    "ReduceMean",
    "Add",
    "Mul",
    "Div",
    "Max",
    "Min",
    "ArgMax",
  ]);
  for (const name of routed) {
    const got = seen.get(Opcode[name]);
    assert.ok(got?.has(Verdict.ADMISSIBLE) && got.has(Verdict.VIOLATES), name);
    if (unchecked.has(name)) assert.ok(got?.has(Verdict.UNCHECKED), `${name} unchecked`);
  }
  assert.deepEqual([...seen.keys()].map(opName).sort(), [...routed].sort());
  // Calls the contract must refuse (and the builder refused when the file was generated).
  assert.ok(v.reverts.length > 10);
  for (const r of v.reverts) assert.match(r.error, /^0x[0-9a-f]{8}$/, r.name);
});

test("float-step.json: the sums' claims carry the verdicts their names promise (honest and 0.5·B admissible, 1.1·B and 2·B fraud)", () => {
  const v = JSON.parse(readFileSync(FILE, "utf8")) as FloatStepVectors;
  let named = 0;
  for (const c of v.cases) {
    if (/ (honest|0\.5B)$/.test(c.name)) assert.equal(c.verdict, Verdict.ADMISSIBLE, c.name);
    else if (/ (1\.1B|2B)$/.test(c.name)) assert.equal(c.verdict, Verdict.VIOLATES, c.name);
    else continue;
    named++;
  }
  assert.ok(v.cases.some((c) => /^(Gemm|Conv|MatMul).* 1\.1B$/.test(c.name)));
  assert.ok(v.cases.some((c) => /^(Gemm|Conv|MatMul).* 0\.5B$/.test(c.name)));
  assert.ok(named > 80, `${named}`);
});
