/**
 * Element types: the four of the exact integer profile (docs/PROTOCOL.md §1) and
 * float32 (§11.1). The numeric codes are ONNX's `TensorProto.DataType` values, so a
 * descriptor's dtype reads the same in an ONNX file, in TypeScript and in Solidity.
 */
export const DType = {
  FLOAT: 1,
  UINT8: 2,
  INT8: 3,
  INT32: 6,
  INT64: 7,
} as const;
export type DType = (typeof DType)[keyof typeof DType];

export interface DTypeInfo {
  readonly name: "float32" | "uint8" | "int8" | "int32" | "int64";
  /** Bytes per element in the canonical packing; always divides 32, so no element straddles two words. */
  readonly width: 1 | 4 | 8;
  readonly signed: boolean;
  /**
   * Range of `Tensor.at` values: the integer range of an integer type; for float32, whose
   * elements are read as their IEEE 754 bit patterns (§11.1), 0 … 2³²−1.
   */
  readonly min: bigint;
  readonly max: bigint;
}

const INFO: Record<DType, DTypeInfo> = {
  [DType.FLOAT]: { name: "float32", width: 4, signed: false, min: 0n, max: 2n ** 32n - 1n },
  [DType.UINT8]: { name: "uint8", width: 1, signed: false, min: 0n, max: 255n },
  [DType.INT8]: { name: "int8", width: 1, signed: true, min: -128n, max: 127n },
  [DType.INT32]: { name: "int32", width: 4, signed: true, min: -(2n ** 31n), max: 2n ** 31n - 1n },
  [DType.INT64]: { name: "int64", width: 8, signed: true, min: -(2n ** 63n), max: 2n ** 63n - 1n },
};

export class UnsupportedDTypeError extends Error {
  override readonly name = "UnsupportedDTypeError";
  constructor(readonly dtype: number) {
    super(`dtype ${dtype} is not an element type (float32=1, uint8=2, int8=3, int32=6, int64=7)`);
  }
}

export function isDType(code: number): code is DType {
  return code in INFO;
}

export function dtypeInfo(code: number): DTypeInfo {
  if (!isDType(code)) throw new UnsupportedDTypeError(code);
  return INFO[code];
}

/**
 * Two's-complement wrap of an arbitrary integer into the dtype's range (C++ static_cast
 * semantics); for float32, into a 32-bit pattern.
 */
export function wrap(value: bigint, dtype: DType): bigint {
  const { width, signed } = INFO[dtype];
  const bits = BigInt(width * 8);
  const mod = 1n << bits;
  let v = ((value % mod) + mod) % mod;
  if (signed && v >= mod >> 1n) v -= mod;
  return v;
}

/** Whether `dtype` is one of the exact integer profile's element types. */
export function isIntegerDType(dtype: number): boolean {
  return isDType(dtype) && dtype !== DType.FLOAT;
}
