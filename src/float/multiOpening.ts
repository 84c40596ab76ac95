/**
 * Word-set openings (docs/PROTOCOL.md §11.9): several words of one tensor tree, at strictly
 * increasing indices, proven with one proof that holds each missing sibling once, level by
 * level from the leaves up and left to right within a level. The runs under a convolution
 * window share their upper levels, so they share those siblings; for one contiguous run this
 * is §3's range proof, element for element. The mirror of contracts/ops/float/FloatMultiOpening.sol.
 */
import { bytesToHex, hexToBytes, type Hex } from "viem";
import { keccakBytes } from "../tensor/keccak.ts";
import type { MerkleTree } from "../tensor/merkle.ts";

function checkIndices(indices: readonly number[], depth: number): void {
  if (indices.length === 0) throw new RangeError("a word-set opening needs at least one word");
  indices.forEach((x, i) => {
    if (!Number.isInteger(x) || x < 0 || x >= 2 ** depth)
      throw new RangeError(`word ${x} is outside a tree of depth ${depth}`);
    if (i > 0 && x <= (indices[i - 1] as number))
      throw new RangeError(`word indices must increase: ${indices[i - 1]}, ${x}`);
  });
}

/**
 * Walks the levels as the verifier does; `sibling(level, index)` supplies each node the set
 * does not hold, `hash` combines a pair. Returns the last level's node.
 */
function walk<T>(
  indices: readonly number[],
  leaves: readonly T[],
  depth: number,
  sibling: (level: number, index: number) => T,
  hash: (left: T, right: T) => T,
): T {
  let idx = [...indices];
  let nodes = [...leaves];
  for (let d = 0; d < depth; d++) {
    const nextIdx: number[] = [];
    const next: T[] = [];
    for (let i = 0; i < idx.length;) {
      const x = idx[i] as number;
      const h = nodes[i] as T;
      if (x % 2 === 1) {
        next.push(hash(sibling(d, x - 1), h));
        i += 1;
      } else if (idx[i + 1] === x + 1) {
        next.push(hash(h, nodes[i + 1] as T));
        i += 2;
      } else {
        next.push(hash(h, sibling(d, x + 1)));
        i += 1;
      }
      nextIdx.push(x >> 1);
    }
    idx = nextIdx;
    nodes = next;
  }
  return nodes[0] as T;
}

/** The proof of the words at `indices` (increasing) of `tree`. */
export function wordSetProof(tree: MerkleTree, indices: readonly number[]): Hex[] {
  checkIndices(indices, tree.depth);
  if ((indices[indices.length - 1] as number) >= tree.leafCount) throw new RangeError("word past the tensor");
  const proof: Hex[] = [];
  walk(
    indices,
    indices.map(() => 0),
    tree.depth,
    (level, index) => {
      proof.push(tree.node(level, index));
      return 0;
    },
    () => 0,
  );
  return proof;
}

/** The root the opening reaches; throws on a malformed opening, as the contract reverts. */
export function rootFromWords(
  indices: readonly number[],
  leaves: readonly Hex[],
  proof: readonly Hex[],
  depth: number,
): Hex {
  checkIndices(indices, depth);
  if (leaves.length !== indices.length) throw new RangeError(`${leaves.length} words for ${indices.length} indices`);
  let p = 0;
  const root = walk(
    indices,
    leaves.map((l) => hexToBytes(l, { size: 32 })),
    depth,
    () => {
      const s = proof[p++];
      if (s === undefined) throw new RangeError("word-set proof too short");
      return hexToBytes(s, { size: 32 });
    },
    (left, right) => {
      const pair = new Uint8Array(64);
      pair.set(left);
      pair.set(right, 32);
      return keccakBytes(pair);
    },
  );
  if (p !== proof.length) throw new RangeError(`word-set proof has ${proof.length - p} unused elements`);
  return bytesToHex(root);
}
