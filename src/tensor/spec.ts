import { encodeAbiParameters, keccak256, type Hex } from "viem";
import { dtypeInfo, type DType } from "./dtype.ts";

/**
 * Element order of a committed tensor. Row-major is the default; `TRANSPOSED`
 * swaps the last two axes, so that a column of a [K, N] matrix (the operand of
 * one MatMulInteger output element) is one contiguous range of words.
 */
export const Layout = {
  ROW_MAJOR: 0,
  TRANSPOSED: 1,
} as const;
export type Layout = (typeof Layout)[keyof typeof Layout];

export interface TensorSpec {
  readonly dtype: DType;
  readonly layout: Layout;
  readonly shape: readonly number[];
}

/** The ABI tuple used wherever a TensorSpec is hashed or passed to a contract. */
export const TENSOR_SPEC_ABI = {
  type: "tuple",
  components: [
    { name: "dtype", type: "uint8" },
    { name: "layout", type: "uint8" },
    { name: "shape", type: "uint32[]" },
  ],
} as const;

export class InvalidTensorSpecError extends Error {
  override readonly name = "InvalidTensorSpecError";
}

export const MAX_ELEMENTS = 1 << 26;

export function elementCount(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 1 || d > 0xffffffff) {
      throw new InvalidTensorSpecError(`dimension ${d} in shape [${shape.join(",")}] must be an integer in 1..2^32-1`);
    }
    n *= d;
    if (n > MAX_ELEMENTS)
      throw new InvalidTensorSpecError(`shape [${shape.join(",")}] exceeds ${MAX_ELEMENTS} elements`);
  }
  return n;
}

export function validateSpec(spec: TensorSpec): void {
  dtypeInfo(spec.dtype);
  elementCount(spec.shape);
  if (spec.layout !== Layout.ROW_MAJOR && spec.layout !== Layout.TRANSPOSED) {
    throw new InvalidTensorSpecError(`layout ${spec.layout} is not 0 (row-major) or 1 (transposed)`);
  }
  if (spec.layout === Layout.TRANSPOSED && spec.shape.length < 2) throw transposedRankError(spec);
}

/** Bytes of the canonical packing (docs/PROTOCOL.md §2), without padding. */
export function packedByteLength(spec: TensorSpec): number {
  return elementCount(spec.shape) * dtypeInfo(spec.dtype).width;
}

/** Number of 32-byte words of the canonical packing. */
export function wordCount(spec: TensorSpec): number {
  return Math.ceil(packedByteLength(spec) / 32);
}

/**
 * Position of a logical element (given by its row-major index in the tensor's
 * shape) in the committed element order.
 */
export function committedPosition(spec: TensorSpec, rowMajorIndex: number): number {
  if (spec.layout === Layout.ROW_MAJOR) return rowMajorIndex;
  // Called per element when a transposed tensor is packed: read the dimensions in place, no object per call.
  const r = spec.shape.length;
  const rows = spec.shape[r - 2];
  const cols = spec.shape[r - 1];
  if (rows === undefined || cols === undefined) throw transposedRankError(spec);
  const plane = rows * cols;
  const base = rowMajorIndex - (rowMajorIndex % plane);
  const within = rowMajorIndex % plane;
  const i = Math.floor(within / cols);
  const j = within % cols;
  return base + j * rows + i;
}

/**
 * The last two dimensions of a transposed tensor: the [rows, cols] planes whose
 * elements are committed column by column.
 */
export function transposedPlane(spec: TensorSpec): { rows: number; cols: number } {
  const r = spec.shape.length;
  const rows = spec.shape[r - 2];
  const cols = spec.shape[r - 1];
  if (rows === undefined || cols === undefined) throw transposedRankError(spec);
  return { rows, cols };
}

function transposedRankError(spec: TensorSpec): InvalidTensorSpecError {
  return new InvalidTensorSpecError(`a transposed tensor needs rank >= 2, got [${spec.shape.join(",")}]`);
}

export function specHash(spec: TensorSpec): Hex {
  return keccak256(encodeAbiParameters([TENSOR_SPEC_ABI], [toAbiSpec(spec)]));
}

export function toAbiSpec(spec: TensorSpec): { dtype: number; layout: number; shape: readonly number[] } {
  return { dtype: spec.dtype, layout: spec.layout, shape: spec.shape };
}
