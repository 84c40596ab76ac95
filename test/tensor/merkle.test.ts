import { test } from "node:test";
import assert from "node:assert/strict";
import { keccak256, toHex, type Hex } from "viem";
import { MerkleTree, rootFromRange } from "../../src/tensor/merkle.ts";
import { Rng } from "../../src/vectors/rng.ts";

const leaves = (n: number, salt: number): Hex[] =>
  Array.from({ length: n }, (_, i) => keccak256(toHex(`${salt}:${i}`)));

test("range proofs of every range of small trees reach the root", () => {
  for (let n = 1; n <= 17; n++) {
    const ls = leaves(n, n);
    const tree = MerkleTree.fromHexLeaves(ls);
    for (let a = 0; a < n; a++) {
      for (let b = a; b < n; b++) {
        assert.equal(
          rootFromRange(a, ls.slice(a, b + 1), tree.rangeProof(a, b), tree.depth),
          tree.root,
          `n=${n} [${a},${b}]`,
        );
      }
    }
  }
});

test("a tampered leaf, a shifted start or an extra proof element never reaches the root", () => {
  const rng = new Rng(7);
  for (let trial = 0; trial < 200; trial++) {
    const n = 2 + rng.int(100);
    const ls = leaves(n, trial);
    const tree = MerkleTree.fromHexLeaves(ls);
    const a = rng.int(n);
    const b = a + rng.int(n - a);
    const proof = tree.rangeProof(a, b);
    const words = ls.slice(a, b + 1);
    const tampered = [...words];
    tampered[rng.int(words.length)] = keccak256("0xdead");
    assert.notEqual(rootFromRange(a, tampered, proof, tree.depth), tree.root);
    if (b + 1 < n) {
      let shifted: Hex | undefined;
      try {
        shifted = rootFromRange(a + 1, words, proof, tree.depth);
      } catch {
        shifted = undefined;
      }
      assert.notEqual(shifted, tree.root);
    }
    assert.throws(() => rootFromRange(a, words, [...proof, keccak256("0x01")], tree.depth), /unused/);
  }
});

test("a one-leaf tree is its own root and padding leaves are zero", () => {
  const [only] = leaves(1, 99);
  assert.ok(only !== undefined);
  assert.equal(MerkleTree.fromHexLeaves([only]).root, only);
  const three = MerkleTree.fromHexLeaves(leaves(3, 1));
  assert.equal(three.leaf(3), `0x${"00".repeat(32)}`);
});
