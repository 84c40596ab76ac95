import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { tensorVectors } from "../../src/vectors/tensorVectors.ts";
import { graphVector } from "../../src/vectors/graphVectors.ts";
import { rootFromRange } from "../../src/tensor/merkle.ts";
import { tensorRootOf } from "../../src/tensor/commitment.ts";
import { unpack } from "../../src/tensor/packing.ts";
import { hexToBytes } from "viem";

const load = (name: string): unknown =>
  JSON.parse(readFileSync(new URL(`../vectors/${name}`, import.meta.url), "utf8"));

test("golden tensor vectors are reproduced exactly by the TypeScript core", () => {
  assert.deepEqual(load("tensors.json"), JSON.parse(JSON.stringify({ cases: tensorVectors() })));
});

test("golden graph vectors are reproduced exactly by the TypeScript core", () => {
  assert.deepEqual(load("graph.json"), JSON.parse(JSON.stringify(graphVector())));
});

test("every golden opening verifies against its tensor root and unpacking round-trips", () => {
  const { cases } = load("tensors.json") as { cases: ReturnType<typeof tensorVectors> };
  let openings = 0;
  for (const c of cases) {
    const spec = { dtype: c.spec.dtype, layout: c.spec.layout, shape: c.spec.shape } as Parameters<typeof unpack>[0];
    const depth = Math.ceil(Math.log2(Math.max(1, c.words.length)));
    for (const o of c.openings) {
      assert.equal(tensorRootOf(spec, rootFromRange(o.firstWord, o.words, o.proof, depth)), c.root, c.name);
      openings++;
    }
    const t = unpack(spec, hexToBytes(c.packed));
    assert.deepEqual(t.toBigInts().map(String), c.values, c.name);
  }
  assert.ok(openings >= 30, `only ${openings} openings checked`);
});
