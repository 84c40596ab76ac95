/**
 * Tensors as the float checker reads them: row-major dims and typed data, fp32 for values
 * and int64 for indices and shapes (ArgMax's output, Reshape's target). Nothing is copied:
 * the checker reads the arrays onnxruntime returned.
 */

export interface NodeTensor {
  readonly dims: readonly number[];
  readonly data: Float32Array | BigInt64Array;
}

export class CheckInputError extends Error {
  override readonly name = "CheckInputError";
}

export function sizeOf(dims: readonly number[]): number {
  return dims.reduce((a, b) => a * b, 1);
}

/** Row-major strides of `dims`. */
export function stridesOf(dims: readonly number[]): number[] {
  const strides = new Array<number>(dims.length).fill(1);
  for (let i = dims.length - 2; i >= 0; i--) strides[i] = strides[i + 1]! * dims[i + 1]!;
  return strides;
}

/** The fp32 data of an operand, checked against its dims. */
export function floatData(t: NodeTensor | undefined, what: string): Float32Array {
  if (t === undefined) throw new CheckInputError(`${what} is missing`);
  if (!(t.data instanceof Float32Array)) throw new CheckInputError(`${what} is not fp32`);
  if (t.data.length !== sizeOf(t.dims)) {
    throw new CheckInputError(`${what} holds ${t.data.length} values for dims [${t.dims.join(", ")}]`);
  }
  return t.data;
}

/** The bit patterns behind fp32 data (a view, no copy). */
export function bitsView(data: Float32Array): Uint32Array {
  return new Uint32Array(data.buffer, data.byteOffset, data.length);
}

/** The numpy broadcast of several shapes (docs: ONNX "multidirectional broadcasting"). */
export function broadcastDims(shapes: readonly (readonly number[])[]): number[] {
  const rank = Math.max(...shapes.map((s) => s.length));
  const out = new Array<number>(rank).fill(1);
  for (const s of shapes) {
    for (let i = 0; i < s.length; i++) {
      const j = rank - s.length + i;
      const d = s[i]!;
      if (out[j] === 1) out[j] = d;
      else if (d !== 1 && d !== out[j]) {
        throw new CheckInputError(`shapes ${shapes.map((x) => `[${x.join(", ")}]`).join(" and ")} do not broadcast`);
      }
    }
  }
  return out;
}

/**
 * For each output position of a broadcast, the flat offset into one operand: a table
 * (one Int32Array per operand) so the element loop does no index arithmetic.
 */
export function broadcastOffsets(dims: readonly number[], operand: readonly number[]): Int32Array {
  const size = sizeOf(dims);
  const rank = dims.length;
  const opStrides = stridesOf(operand);
  // Stride of each output axis in the operand: 0 where the operand is broadcast.
  const along = new Array<number>(rank).fill(0);
  for (let i = 0; i < operand.length; i++) {
    const j = rank - operand.length + i;
    along[j] = operand[i] === 1 ? 0 : opStrides[i]!;
  }
  const offsets = new Int32Array(size);
  const counter = new Array<number>(rank).fill(0);
  let offset = 0;
  for (let p = 0; p < size; p++) {
    offsets[p] = offset;
    for (let ax = rank - 1; ax >= 0; ax--) {
      counter[ax]!++;
      offset += along[ax]!;
      if (counter[ax]! < dims[ax]!) break;
      offset -= along[ax]! * dims[ax]!;
      counter[ax] = 0;
    }
  }
  return offsets;
}

/** The claimed output's dims must be what the operator gives. */
export function expectDims(claimed: readonly number[], expected: readonly number[], op: string): void {
  if (claimed.length !== expected.length || claimed.some((d, i) => d !== expected[i])) {
    throw new CheckInputError(`${op}: the output has dims [${claimed.join(", ")}], expected [${expected.join(", ")}]`);
  }
}

const scratch = new Float32Array(1);
const scratchBits = new Uint32Array(scratch.buffer);

/** The fp32 value of a bit pattern, without allocating (the element loops call it per element). */
export function valueOfBits(bits: number): number {
  scratchBits[0] = bits;
  return scratch[0]!;
}
