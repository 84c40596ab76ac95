/**
 * Word-set openings (src/float/multiOpening.ts, docs/PROTOCOL.md §11.9): on random trees and
 * random word sets the proof reaches the root; a contiguous set's proof is §3's range proof;
 * a changed word or sibling misses the root; malformed openings are refused.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Hex } from "viem";
import { rootFromWords, wordSetProof } from "../../src/float/multiOpening.ts";
import { MerkleTree } from "../../src/tensor/merkle.ts";
import { Rng } from "../../src/vectors/rng.ts";

function randomTree(rng: Rng, count: number): MerkleTree {
  const leaves = new Uint8Array(count * 32);
  for (let i = 0; i < leaves.length; i++) leaves[i] = rng.u32() & 0xff;
  return new MerkleTree(leaves);
}

function randomSet(rng: Rng, count: number, density: number): number[] {
  const set = Array.from({ length: count }, (_, i) => i).filter(() => rng.u32() / 2 ** 32 < density);
  return set.length > 0 ? set : [rng.u32() % count];
}

const flip = (h: Hex): Hex => `${h.slice(0, -1)}${h.endsWith("0") ? "1" : "0"}` as Hex;

test("a word-set opening reaches the root for any set of words of any tree", () => {
  const rng = new Rng(71);
  for (let i = 0; i < 300; i++) {
    const count = 1 + (rng.u32() % 70);
    const tree = randomTree(rng, count);
    const indices = randomSet(rng, count, [0.05, 0.2, 0.5, 0.9, 1][i % 5] as number);
    const words = indices.map((w) => tree.leaf(w));
    assert.equal(rootFromWords(indices, words, wordSetProof(tree, indices), tree.depth), tree.root);
  }
});

test("the opening of a contiguous run is the range opening", () => {
  const rng = new Rng(72);
  for (let i = 0; i < 200; i++) {
    const count = 1 + (rng.u32() % 70);
    const tree = randomTree(rng, count);
    const lo = rng.u32() % count;
    const hi = lo + (rng.u32() % (count - lo));
    const indices = Array.from({ length: hi - lo + 1 }, (_, j) => lo + j);
    assert.deepEqual(wordSetProof(tree, indices), tree.rangeProof(lo, hi));
  }
});

test("a changed word or sibling misses the root", () => {
  const rng = new Rng(73);
  for (let i = 0; i < 200; i++) {
    const count = 2 + (rng.u32() % 60);
    const tree = randomTree(rng, count);
    const indices = randomSet(rng, count, 0.3);
    const words = indices.map((w) => tree.leaf(w));
    const proof = wordSetProof(tree, indices);
    const k = rng.u32() % (words.length + proof.length);
    if (k < words.length) words[k] = flip(words[k] as Hex);
    else proof[k - words.length] = flip(proof[k - words.length] as Hex);
    assert.notEqual(rootFromWords(indices, words, proof, tree.depth), tree.root);
  }
});

test("malformed openings are refused: proof too short or too long, indices not increasing or past the tree", () => {
  const rng = new Rng(74);
  const tree = randomTree(rng, 20);
  const indices = [1, 4, 5, 13];
  const words = indices.map((w) => tree.leaf(w));
  const proof = wordSetProof(tree, indices);
  assert.throws(() => rootFromWords(indices, words, proof.slice(1), tree.depth), /too short/);
  assert.throws(() => rootFromWords(indices, words, [...proof, proof[0] as Hex], tree.depth), /unused/);
  assert.throws(() => rootFromWords([4, 1, 5, 13], words, proof, tree.depth), /increase/);
  assert.throws(() => rootFromWords([1, 4, 5, 32], words, proof, tree.depth), /outside/);
  assert.throws(() => rootFromWords([], [], [], tree.depth), /at least one/);
  assert.throws(() => wordSetProof(tree, [3, 20]), /past the tensor/);
});
