import { dtypeInfo, DType, wrap } from "./dtype.ts";
import { elementCount, Layout, validateSpec, type TensorSpec } from "./spec.ts";

/** Typed storage per dtype: the same arrays onnxruntime-node hands out. */
export type TensorData = Float32Array | Int8Array | Uint8Array | Int32Array | BigInt64Array;

/** The canonical NaN of the float32 profile (docs/PROTOCOL.md §11.1). */
export const CANONICAL_NAN_BITS = 0x7fc00000;

/** Whether a float32 bit pattern is a NaN other than the canonical one (not allowed in a committed tensor). */
export function isNonCanonicalNaN(bits: number): boolean {
  return (bits & 0x7f800000) === 0x7f800000 && (bits & 0x7fffff) !== 0 && bits >>> 0 !== CANONICAL_NAN_BITS;
}

/** The bit patterns of float32 data, read in place (no number conversion, so NaN payloads survive). */
export function float32Bits(data: Float32Array): Uint32Array {
  return new Uint32Array(data.buffer, data.byteOffset, data.length);
}

/**
 * A tensor's values in row-major (logical) order plus its commitment spec.
 * The layout in `spec` only changes how the tensor is committed, never how
 * its values are indexed here.
 */
export class Tensor {
  constructor(
    readonly spec: TensorSpec,
    readonly data: TensorData,
  ) {
    validateSpec(spec);
    const n = elementCount(spec.shape);
    if (data.length !== n) {
      throw new RangeError(`tensor data has ${data.length} elements, shape [${spec.shape.join(",")}] needs ${n}`);
    }
    if (!matchesDType(data, spec.dtype)) {
      throw new TypeError(`tensor data ${data.constructor.name} does not hold dtype ${dtypeInfo(spec.dtype).name}`);
    }
  }

  get size(): number {
    return this.data.length;
  }

  /** Element at a row-major index, as a bigint: the value of an integer, the IEEE 754 bit pattern of a float32. */
  at(index: number): bigint {
    const data = this.data instanceof Float32Array ? float32Bits(this.data) : this.data;
    const v = data[index];
    if (v === undefined) throw new RangeError(`element ${index} is outside a tensor of ${this.data.length}`);
    return BigInt(v);
  }

  /** All elements in row-major order, as bigints (float32: bit patterns, as `at`). */
  toBigInts(): bigint[] {
    const data = this.data instanceof Float32Array ? float32Bits(this.data) : this.data;
    const out: bigint[] = new Array(data.length);
    for (let i = 0; i < data.length; i++) out[i] = BigInt(data[i]!);
    return out;
  }

  static zeros(spec: TensorSpec): Tensor {
    return new Tensor(spec, allocate(spec.dtype, elementCount(spec.shape)));
  }

  /** Builds a tensor from bigints, wrapping each into the dtype's range (float32: from bit patterns). */
  static fromBigInts(spec: TensorSpec, values: readonly bigint[]): Tensor {
    const data = allocate(spec.dtype, values.length);
    for (let i = 0; i < values.length; i++) setElement(data, i, wrap(values[i]!, spec.dtype));
    return new Tensor(spec, data);
  }

  withLayout(layout: Layout): Tensor {
    return new Tensor({ ...this.spec, layout }, this.data);
  }
}

export function allocate(dtype: DType, n: number): TensorData {
  switch (dtype) {
    case DType.FLOAT:
      return new Float32Array(n);
    case DType.INT8:
      return new Int8Array(n);
    case DType.UINT8:
      return new Uint8Array(n);
    case DType.INT32:
      return new Int32Array(n);
    case DType.INT64:
      return new BigInt64Array(n);
  }
}

/** Stores `value` at `index`: an integer value, or for float32 data a bit pattern. */
export function setElement(data: TensorData, index: number, value: bigint): void {
  if (data instanceof BigInt64Array) data[index] = value;
  else if (data instanceof Float32Array) float32Bits(data)[index] = Number(BigInt.asUintN(32, value));
  else data[index] = Number(value);
}

function matchesDType(data: TensorData, dtype: DType): boolean {
  switch (dtype) {
    case DType.FLOAT:
      return data instanceof Float32Array;
    case DType.INT8:
      return data instanceof Int8Array;
    case DType.UINT8:
      return data instanceof Uint8Array;
    case DType.INT32:
      return data instanceof Int32Array;
    case DType.INT64:
      return data instanceof BigInt64Array;
  }
}
