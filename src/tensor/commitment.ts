import { bytesToHex, encodeAbiParameters, hexToBytes, type Hex } from "viem";
import { bytesHex } from "./hex.ts";
import { keccakBytes } from "./keccak.ts";
import { dtypeInfo } from "./dtype.ts";
import { MerkleTree, merkleRootBytes } from "./merkle.ts";
import { pack, padToWords, wordRangeOf } from "./packing.ts";
import {
  TENSOR_SPEC_ABI,
  toAbiSpec,
  validateSpec,
  wordCount,
  committedPosition,
  packedByteLength,
  type TensorSpec,
} from "./spec.ts";
import type { Tensor } from "./tensor.ts";

/**
 * tensorRoot = keccak256(abi.encode(TensorSpec spec, bytes32 dataRoot)):
 * the root binds dtype, layout and shape, so the same bytes under another
 * shape or element type are another tensor.
 */
export function tensorRootOf(spec: TensorSpec, dataRoot: Hex): Hex {
  return tensorRootOfBytes(spec, hexToBytes(dataRoot, { size: 32 }));
}

/** `tensorRootOf` with the data root as 32 bytes. */
export function tensorRootOfBytes(spec: TensorSpec, dataRoot: Uint8Array): Hex {
  if (dataRoot.length !== 32) throw new RangeError(`a data root is 32 bytes, got ${dataRoot.length}`);
  // The template's second word is the data root's slot: written in place and hashed at
  // once (synchronous, so no other call can interleave), never read back.
  const buf = encodedSpec(spec);
  buf.set(dataRoot, 32);
  return bytesHex(keccakBytes(buf));
}

/**
 * The tensor root of a tensor's canonical packing (docs/PROTOCOL.md §2), each word
 * hashed once and nothing kept: the root a watcher compares with a committed
 * outputRoot. Equal to `tensorRoot` of the same tensor.
 */
export function packedTensorRoot(spec: TensorSpec, packed: Uint8Array): Hex {
  validateSpec(spec);
  if (packed.length !== packedByteLength(spec))
    throw new RangeError(`packed tensor has ${packed.length} bytes, its spec needs ${packedByteLength(spec)}`);
  return tensorRootOfBytes(spec, merkleRootBytes(padToWords(packed)));
}

/**
 * abi.encode(spec, dataRoot) is [offset of spec][dataRoot][spec…]: the encoding with a
 * zero dataRoot is built once per distinct spec, then only the second word changes.
 * Keyed by the spec's value, not its object: each job's output arrives with a spec
 * object of its own, and a model has few distinct specs. The map is bounded so that a
 * stream of odd shapes cannot grow it without end.
 */
function encodedSpec(spec: TensorSpec): Uint8Array {
  const key = `${spec.dtype}/${spec.layout}/${spec.shape.join(",")}`;
  let template = encodedSpecs.get(key);
  if (template === undefined) {
    template = hexToBytes(encodeAbiParameters([TENSOR_SPEC_ABI, { type: "bytes32" }], [toAbiSpec(spec), ZERO_ROOT]));
    if (encodedSpecs.size >= MAX_ENCODED_SPECS) encodedSpecs.clear();
    encodedSpecs.set(key, template);
  }
  return template;
}

const ZERO_ROOT: Hex = `0x${"00".repeat(32)}`;
const MAX_ENCODED_SPECS = 4096;
const encodedSpecs = new Map<string, Uint8Array>();

/** Opening of the words covering a run of committed element positions. */
export interface RangeOpening {
  /** Index of the first word. */
  readonly firstWord: number;
  readonly words: Hex[];
  readonly proof: Hex[];
}

/** A tensor with its Merkle tree built once, ready to open any range. */
export class TensorCommitment {
  readonly packed: Uint8Array;
  readonly tree: MerkleTree;
  readonly root: Hex;

  constructor(readonly tensor: Tensor) {
    validateSpec(tensor.spec);
    this.packed = pack(tensor);
    this.tree = new MerkleTree(padToWords(this.packed));
    this.root = tensorRootOf(tensor.spec, this.tree.root);
  }

  get spec(): TensorSpec {
    return this.tensor.spec;
  }

  get dataRoot(): Hex {
    return this.tree.root;
  }

  get wordCount(): number {
    return wordCount(this.tensor.spec);
  }

  word(index: number): Hex {
    return this.tree.leaf(index);
  }

  /** Opens committed positions [start, start + count). */
  openPositions(start: number, count: number): RangeOpening {
    const { first, last } = wordRangeOf(this.spec.dtype, start, count);
    const words: Hex[] = [];
    for (let w = first; w <= last; w++) words.push(this.tree.leaf(w));
    return { firstWord: first, words, proof: this.tree.rangeProof(first, last) };
  }

  /** Opens the single element at a row-major index. */
  openElement(rowMajorIndex: number): RangeOpening {
    return this.openPositions(committedPosition(this.spec, rowMajorIndex), 1);
  }
}

export function tensorRoot(tensor: Tensor): Hex {
  return new TensorCommitment(tensor).root;
}

/** Element at committed position `pos` read out of an opened word run. */
export function elementFromWords(spec: TensorSpec, firstWord: number, words: readonly Hex[], pos: number): bigint {
  const width = dtypeInfo(spec.dtype).width;
  const byte = pos * width - firstWord * 32;
  const wordIdx = Math.floor(byte / 32);
  const word = byte < 0 ? undefined : words[wordIdx];
  if (word === undefined) throw new RangeError(`position ${pos} is outside the opened words`);
  const hex = word.slice(2);
  const off = (byte % 32) * 2;
  const raw = BigInt("0x" + hex.slice(off, off + width * 2));
  return dtypeInfo(spec.dtype).signed ? BigInt.asIntN(width * 8, raw) : raw;
}

export { bytesToHex };
