import { bytesToHex, hexToBytes, keccak256, type Hex } from "viem";
import { at } from "./at.ts";
import { keccakBytes } from "./keccak.ts";

/**
 * Binary Merkle tree over 32-byte leaves (docs/PROTOCOL.md §3). The leaf count
 * is padded with zero leaves to the next power of two; a parent is
 * keccak256(left ‖ right); one leaf is its own root. Leaves are the packed
 * words themselves: the depth is fixed by the tensor's spec, which the tensor
 * root binds, so a leaf can never pass for an inner node.
 */
export class MerkleTree {
  /** levels[0] holds the padded leaves, levels[depth] the root; each level is one flat buffer. */
  private readonly levels: Uint8Array[];
  readonly leafCount: number;
  readonly depth: number;

  constructor(leaves: Uint8Array) {
    if (leaves.length === 0 || leaves.length % 32 !== 0) {
      throw new RangeError(`Merkle leaves must be a non-empty multiple of 32 bytes, got ${leaves.length}`);
    }
    this.leafCount = leaves.length / 32;
    this.depth = depthFor(this.leafCount);
    const padded = new Uint8Array((1 << this.depth) * 32);
    padded.set(leaves);
    this.levels = [padded];
    let level = padded;
    for (let d = 0; d < this.depth; d++) {
      const parents = new Uint8Array(level.length / 2);
      for (let i = 0; i < parents.length / 32; i++) {
        parents.set(keccakBytes(level.subarray(i * 64, i * 64 + 64)), i * 32);
      }
      this.levels.push(parents);
      level = parents;
    }
  }

  static fromHexLeaves(leaves: readonly Hex[]): MerkleTree {
    const buf = new Uint8Array(leaves.length * 32);
    leaves.forEach((l, i) => buf.set(hexToBytes(l, { size: 32 }), i * 32));
    return new MerkleTree(buf);
  }

  get root(): Hex {
    // The constructor pushes one level per d < depth onto the leaves: levels has depth + 1 entries.
    return bytesToHex(at(this.levels, this.depth));
  }

  /** Every leaf, padding included, as one buffer (a view: not to be written). */
  leafBytes(): Uint8Array {
    return at(this.levels, 0);
  }

  leaf(index: number): Hex {
    return this.node(0, index);
  }

  /** Node `index` at height `level` (0 = leaves). */
  node(level: number, index: number): Hex {
    const buf = this.levels[level];
    if (buf === undefined) throw new RangeError(`no level ${level} in a tree of depth ${this.depth}`);
    if (index < 0 || index * 32 >= buf.length) throw new RangeError(`no node ${index} at level ${level}`);
    return bytesToHex(buf.subarray(index * 32, index * 32 + 32));
  }

  /**
   * Proof for the contiguous leaves [first, last]: per level, bottom up, the
   * left sibling of the range (when its lowest node is a right child) and then
   * the right sibling (when its highest node is a left child).
   */
  rangeProof(first: number, last: number): Hex[] {
    if (!(0 <= first && first <= last && last < this.leafCount)) {
      throw new RangeError(`range [${first}, ${last}] outside ${this.leafCount} leaves`);
    }
    const proof: Hex[] = [];
    let lo = first;
    let hi = last;
    for (let d = 0; d < this.depth; d++) {
      if (lo % 2 === 1) proof.push(this.node(d, lo - 1));
      if (hi % 2 === 0) proof.push(this.node(d, hi + 1));
      lo = Math.floor(lo / 2);
      hi = Math.floor(hi / 2);
    }
    return proof;
  }
}

/**
 * The root alone, as bytes: the same function as `new MerkleTree(leaves).root`
 * without keeping the levels or converting to hex (a watcher computes one root per
 * job output and opens none of them).
 */
export function merkleRootBytes(leaves: Uint8Array): Uint8Array {
  if (leaves.length === 0 || leaves.length % 32 !== 0) {
    throw new RangeError(`Merkle leaves must be a non-empty multiple of 32 bytes, got ${leaves.length}`);
  }
  const depth = depthFor(leaves.length / 32);
  if (depth === 0) return leaves.slice(0, 32);
  let level = new Uint8Array((1 << depth) * 32);
  level.set(leaves);
  for (let d = 0; d < depth; d++) {
    const parents = new Uint8Array(level.length / 2);
    for (let i = 0; i < parents.length / 32; i++) parents.set(keccakBytes(level.subarray(i * 64, i * 64 + 64)), i * 32);
    level = parents;
  }
  return level;
}

export function depthFor(leafCount: number): number {
  let depth = 0;
  while (1 << depth < leafCount) depth++;
  return depth;
}

/** Recomputes the root from a contiguous run of leaves starting at `first`; the mirror of the Solidity verifier. */
export function rootFromRange(first: number, leaves: readonly Hex[], proof: readonly Hex[], depth: number): Hex {
  if (leaves.length === 0) throw new RangeError("a range opening needs at least one leaf");
  let nodes = leaves.map((l) => hexToBytes(l, { size: 32 }));
  let lo = first;
  let p = 0;
  const take = (): Uint8Array => {
    const sibling = proof[p++];
    if (sibling === undefined) throw new RangeError("range proof too short");
    return hexToBytes(sibling, { size: 32 });
  };
  for (let d = 0; d < depth; d++) {
    if (lo % 2 === 1) {
      nodes = [take(), ...nodes];
      lo -= 1;
    }
    if (nodes.length % 2 === 1) nodes.push(take());
    const parents: Uint8Array[] = [];
    // nodes.length is even here (an odd count took one more node above).
    for (let i = 0; i < nodes.length; i += 2) {
      const pair = new Uint8Array(64);
      pair.set(at(nodes, i));
      pair.set(at(nodes, i + 1), 32);
      parents.push(keccak256(pair, "bytes"));
    }
    nodes = parents;
    lo /= 2;
  }
  if (p !== proof.length) throw new RangeError(`range proof has ${proof.length - p} unused elements`);
  const root = nodes[0];
  if (root === undefined || nodes.length !== 1) throw new RangeError("range wider than the tree");
  return bytesToHex(root);
}
