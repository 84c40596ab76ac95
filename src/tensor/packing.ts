import { dtypeInfo, type DType } from "./dtype.ts";
import { committedPosition, elementCount, Layout, type TensorSpec } from "./spec.ts";
import { allocate, CANONICAL_NAN_BITS, float32Bits, isNonCanonicalNaN, setElement, Tensor } from "./tensor.ts";

/**
 * Canonical packing (docs/PROTOCOL.md §2): elements in committed order, each
 * `width` bytes big-endian two's complement, concatenated. `packed` has no
 * padding; `words` pads it with zero bytes to a multiple of 32. A float32 element
 * is its bit pattern (§11.1), every NaN packed as the canonical 0x7fc00000: a
 * committed tensor holds no other NaN, whatever NaN the executor produced.
 */
export function pack(tensor: Tensor): Uint8Array {
  const { spec } = tensor;
  const data = tensor.data instanceof Float32Array ? canonicalBits(tensor.data) : tensor.data;
  const width = dtypeInfo(spec.dtype).width;
  const out = new Uint8Array(data.length * width);
  const view = new DataView(out.buffer);
  const rowMajor = spec.layout === Layout.ROW_MAJOR;
  // Elements up to 32 bits are numbers: written without a BigInt per element (the
  // commitment of every node output of every job goes through here).
  if (width === 1 && rowMajor) {
    out.set(data instanceof Uint8Array ? data : new Uint8Array(data.buffer, data.byteOffset, data.length));
  } else if (width === 1) {
    for (let i = 0; i < data.length; i++) out[committedPosition(spec, i)] = Number(data[i]) & 0xff;
  } else if (width === 4) {
    for (let i = 0; i < data.length; i++)
      view.setInt32((rowMajor ? i : committedPosition(spec, i)) * 4, Number(data[i]) | 0, false);
  } else {
    for (let i = 0; i < data.length; i++) {
      const pos = (rowMajor ? i : committedPosition(spec, i)) * width;
      writeElement(view, pos, width, BigInt(data[i]!));
    }
  }
  return out;
}

function canonicalBits(data: Float32Array): Int32Array {
  const bits = float32Bits(data);
  const out = new Int32Array(bits.length);
  for (let i = 0; i < bits.length; i++) {
    const b = bits[i]!;
    out[i] = isNonCanonicalNaN(b) ? CANONICAL_NAN_BITS : b | 0;
  }
  return out;
}

export function padToWords(packed: Uint8Array): Uint8Array {
  const words = new Uint8Array(Math.ceil(packed.length / 32) * 32);
  words.set(packed);
  return words;
}

/** Inverse of `pack`: rebuilds the row-major tensor from its canonical bytes. */
export function unpack(spec: TensorSpec, packed: Uint8Array): Tensor {
  const n = elementCount(spec.shape);
  const width = dtypeInfo(spec.dtype).width;
  if (packed.length < n * width) {
    throw new RangeError(`packed tensor has ${packed.length} bytes, spec needs ${n * width}`);
  }
  const data = allocate(spec.dtype, n);
  const view = new DataView(packed.buffer, packed.byteOffset, packed.byteLength);
  // Row-major is the committed order: no position mapping, and elements up to 32 bits
  // are read without a BigInt each (a watcher unpacks every job input it re-executes).
  if (data instanceof Float32Array) {
    const bits = float32Bits(data);
    for (let i = 0; i < n; i++) bits[i] = view.getUint32(committedPosition(spec, i) * 4, false);
    return new Tensor(spec, data);
  }
  if (spec.layout === Layout.ROW_MAJOR && !(data instanceof BigInt64Array)) {
    if (width === 1) data.set(new Int8Array(packed.buffer, packed.byteOffset, n) as never);
    else for (let i = 0; i < n; i++) data[i] = view.getInt32(i * 4, false);
    return new Tensor(spec, data);
  }
  for (let i = 0; i < n; i++) {
    setElement(data, i, readElement(view, committedPosition(spec, i) * width, spec.dtype));
  }
  return new Tensor(spec, data);
}

/** Reads the element at committed position `pos` from packed bytes. */
export function readElement(view: DataView, byteOffset: number, dtype: DType): bigint {
  switch (dtypeInfo(dtype).name) {
    case "float32":
      return BigInt(view.getUint32(byteOffset, false));
    case "int8":
      return BigInt(view.getInt8(byteOffset));
    case "uint8":
      return BigInt(view.getUint8(byteOffset));
    case "int32":
      return BigInt(view.getInt32(byteOffset, false));
    case "int64":
      return view.getBigInt64(byteOffset, false);
  }
}

function writeElement(view: DataView, byteOffset: number, width: number, value: bigint): void {
  switch (width) {
    case 1:
      view.setUint8(byteOffset, Number(BigInt.asUintN(8, value)));
      return;
    case 4:
      view.setUint32(byteOffset, Number(BigInt.asUintN(32, value)), false);
      return;
    case 8:
      view.setBigUint64(byteOffset, BigInt.asUintN(64, value), false);
      return;
  }
}

/** Word range [first, last] holding committed element positions [start, start + count). */
export function wordRangeOf(dtype: DType, start: number, count: number): { first: number; last: number } {
  const width = dtypeInfo(dtype).width;
  return { first: Math.floor((start * width) / 32), last: Math.floor(((start + count - 1) * width) / 32) };
}
