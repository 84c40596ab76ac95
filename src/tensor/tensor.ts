import { dtypeInfo, DType, wrap } from "./dtype.ts";
import { elementCount, Layout, validateSpec, type TensorSpec } from "./spec.ts";

/** Typed storage per dtype: the same arrays onnxruntime-node hands out. */
export type TensorData = Int8Array | Uint8Array | Int32Array | BigInt64Array;

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

  /** Element at a row-major index, as a bigint. */
  at(index: number): bigint {
    const v = this.data[index];
    if (v === undefined) throw new RangeError(`element ${index} is outside a tensor of ${this.data.length}`);
    return BigInt(v);
  }

  /** All elements in row-major order, as bigints. */
  toBigInts(): bigint[] {
    const out: bigint[] = new Array(this.data.length);
    for (let i = 0; i < this.data.length; i++) out[i] = BigInt(this.data[i]!);
    return out;
  }

  static zeros(spec: TensorSpec): Tensor {
    return new Tensor(spec, allocate(spec.dtype, elementCount(spec.shape)));
  }

  /** Builds a tensor from bigints, wrapping each into the dtype's range. */
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

export function setElement(data: TensorData, index: number, value: bigint): void {
  if (data instanceof BigInt64Array) data[index] = value;
  else data[index] = Number(value);
}

function matchesDType(data: TensorData, dtype: DType): boolean {
  switch (dtype) {
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
