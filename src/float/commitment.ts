/**
 * fp32 tensors committed as docs/PROTOCOL.md §2–§4 and §11.1 fix it (dtype 1, four bytes per
 * element, big-endian, in committed order), with the openings a one-step proof of a float
 * node carries: a range opening of one run, or a word-set opening of a window's runs. The
 * shapes are the ABI's (`FloatOperand.Range`, `FloatOperand.Words` in contracts/ops/float/),
 * ready for viem.
 */
import type { Hex } from "viem";
import { tensorRootOf } from "../tensor/commitment.ts";
import type { DType } from "../tensor/dtype.ts";
import { MerkleTree } from "../tensor/merkle.ts";
import { committedPosition, elementCount, Layout, type TensorSpec } from "../tensor/spec.ts";
import { wordSetProof } from "./multiOpening.ts";

/** ONNX's code of fp32. */
export const FLOAT_DTYPE = 1;

export interface AbiSpec {
  readonly dtype: number;
  readonly layout: number;
  readonly shape: readonly number[];
}

/** `FloatOperand.Range`: an operand opened on one run. */
export interface RangeOperand {
  readonly root: Hex;
  readonly spec: AbiSpec;
  readonly opening: { readonly firstWord: bigint; readonly words: readonly Hex[]; readonly proof: readonly Hex[] };
}

/** `FloatOperand.Words`: an operand opened on a set of words. */
export interface WordsOperand {
  readonly root: Hex;
  readonly spec: AbiSpec;
  readonly words: readonly Hex[];
  readonly proof: readonly Hex[];
}

/** The operand passed for an absent optional input (Conv's B, Gemm's C): root zero. */
export const ABSENT: RangeOperand = {
  root: `0x${"00".repeat(32)}`,
  spec: { dtype: 0, layout: 0, shape: [] },
  opening: { firstWord: 0n, words: [], proof: [] },
};

/** An fp32 tensor: its bits in row-major (logical) order and how it is committed. */
export class FloatTensor {
  readonly spec: AbiSpec;
  /** Bits in committed order. */
  readonly committed: Uint32Array;
  readonly tree: MerkleTree;
  readonly root: Hex;

  constructor(
    readonly shape: readonly number[],
    readonly bits: Uint32Array,
    readonly layout: Layout = Layout.ROW_MAJOR,
  ) {
    const n = elementCount(shape);
    if (bits.length !== n) throw new RangeError(`${bits.length} elements for shape [${shape.join(",")}]`);
    if (layout === Layout.TRANSPOSED && shape.length < 2) throw new RangeError("a transposed tensor needs rank ≥ 2");
    this.spec = { dtype: FLOAT_DTYPE, layout, shape: [...shape] };
    const spec: TensorSpec = { dtype: FLOAT_DTYPE as DType, layout, shape };
    this.committed = new Uint32Array(n);
    for (let i = 0; i < n; i++) this.committed[committedPosition(spec, i)] = bits[i] as number;
    const words = new Uint8Array(Math.ceil(n / 8) * 32);
    const view = new DataView(words.buffer);
    this.committed.forEach((b, i) => view.setUint32(4 * i, b, false));
    this.tree = new MerkleTree(words);
    this.root = tensorRootOf(spec, this.tree.root);
  }

  /** The element at committed position `p`. */
  at(p: number): number {
    const v = this.committed[p];
    if (v === undefined) throw new RangeError(`position ${p} is outside ${this.committed.length} elements`);
    return v;
  }

  /** The run `[start, start + count)` in committed order. */
  run(start: number, count: number): number[] {
    return Array.from({ length: count }, (_, i) => this.at(start + i));
  }

  /** The range opening of the run `[start, start + count)`. */
  openRange(start: number, count: number): RangeOperand {
    if (count < 1 || start < 0 || start + count > this.committed.length) {
      throw new RangeError(`run [${start}, ${start + count}) outside ${this.committed.length} elements`);
    }
    const first = Math.floor(start / 8);
    const last = Math.floor((start + count - 1) / 8);
    const words: Hex[] = [];
    for (let w = first; w <= last; w++) words.push(this.tree.leaf(w));
    return {
      root: this.root,
      spec: this.spec,
      opening: { firstWord: BigInt(first), words, proof: this.tree.rangeProof(first, last) },
    };
  }

  /** The word-set opening of the words at `indices` (increasing); none: empty. */
  openWords(indices: readonly number[]): WordsOperand {
    if (indices.length === 0) return { root: this.root, spec: this.spec, words: [], proof: [] };
    return {
      root: this.root,
      spec: this.spec,
      words: indices.map((w) => this.tree.leaf(w)),
      proof: wordSetProof(this.tree, indices),
    };
  }
}
