/**
 * Kernels of the operators that round nothing (docs/PROTOCOL.md §11.6): Relu, Max, Min,
 * MaxPool, ArgMax and the data movers (Identity, Flatten, Reshape, Transpose). The claim
 * must equal the result after canonicalization (every NaN one pattern, −0 = +0); a NaN
 * operand of Max/Min/MaxPool/ArgMax leaves the element UNCHECKED.
 */
import { Verdict } from "../verdict.ts";
import { intAttr, intsAttr, window2d, type Attributes, type Window2d } from "./attributes.ts";
import type { ElementCheck, ElementKernel } from "./kernel.ts";
import {
  bitsView,
  broadcastDims,
  broadcastOffsets,
  CheckInputError,
  expectDims,
  floatData,
  sizeOf,
  stridesOf,
  type NodeTensor,
  valueOfBits,
} from "./tensor.ts";

const NAN_BITS = 0x7fc00000;

/** The canonical form of a pattern: one NaN, −0 as +0. */
function canonical(bits: number): number {
  if ((bits & 0x7f800000) === 0x7f800000 && (bits & 0x7fffff) !== 0) return NAN_BITS;
  return bits === 0x80000000 ? 0 : bits;
}

const isNaNBits = (bits: number) => (bits & 0x7f800000) === 0x7f800000 && (bits & 0x7fffff) !== 0;

/** Orders non-NaN patterns by value, −0 = +0. */
const key = (bits: number) => (bits >>> 31 === 1 ? -(bits & 0x7fffffff) : bits & 0x7fffffff);

function settle(expected: number, claimed: number, out: ElementCheck): void {
  out.estimate = valueOfBits(expected);
  out.bound = 0;
  out.deferred = false;
  const same = canonical(claimed) === canonical(expected);
  out.distance = same ? 0 : Math.abs(valueOfBits(claimed) - out.estimate);
  out.verdict = same ? Verdict.ADMISSIBLE : Verdict.VIOLATES;
}

function unchecked(out: ElementCheck): void {
  out.estimate = NaN;
  out.bound = 0;
  out.distance = NaN;
  out.deferred = false;
  out.verdict = Verdict.UNCHECKED;
}

/** Output element i is input element at[i] (or i), as is: Identity, Flatten, Reshape, Transpose; Relu maps it. */
class CopyKernel implements ElementKernel {
  readonly family = "exact" as const;
  private readonly bits: Uint32Array;
  constructor(
    readonly opType: string,
    x: Float32Array,
    readonly size: number,
    private readonly at: Int32Array | undefined,
    private readonly relu: boolean,
  ) {
    this.bits = bitsView(x);
  }

  check(index: number, claimed: number, out: ElementCheck): void {
    const x = this.bits[this.at === undefined ? index : this.at[index]!]!;
    const expected = this.relu && !isNaNBits(x) && key(x) <= 0 ? 0 : x;
    settle(expected, claimed, out);
  }
}

/** Max or Min of any number of broadcast operands. */
class ExtremumKernel implements ElementKernel {
  readonly family = "exact" as const;
  constructor(
    readonly opType: string,
    private readonly operands: readonly Uint32Array[],
    private readonly at: readonly (Int32Array | undefined)[],
    readonly size: number,
    private readonly largest: boolean,
  ) {}

  check(index: number, claimed: number, out: ElementCheck): void {
    let best = 0;
    for (let i = 0; i < this.operands.length; i++) {
      const at = this.at[i];
      const x = this.operands[i]![at === undefined ? index : at[index]!]!;
      if (isNaNBits(x)) return unchecked(out);
      if (i === 0 || (this.largest ? key(x) > key(best) : key(x) < key(best))) best = x;
    }
    settle(best, claimed, out);
  }
}

/** MaxPool, 2-D NCHW: the largest element of the window inside the input (padding never wins). */
class MaxPoolKernel implements ElementKernel {
  readonly opType = "MaxPool";
  readonly family = "exact" as const;
  private readonly bits: Uint32Array;
  constructor(
    x: Float32Array,
    private readonly h: number,
    private readonly w: number,
    private readonly win: Window2d,
    readonly size: number,
  ) {
    this.bits = bitsView(x);
  }

  check(index: number, claimed: number, out: ElementCheck): void {
    const { h, w, bits } = this;
    const { kh, kw, sh, sw, dh, dw, padTop, padLeft, outH, outW } = this.win;
    const ox = index % outW;
    const r = (index - ox) / outW;
    const oy = r % outH;
    const plane = ((r - oy) / outH) * h * w;
    let best = -1;
    for (let i = 0; i < kh; i++) {
      const iy = oy * sh - padTop + i * dh;
      if (iy < 0 || iy >= h) continue;
      for (let j = 0; j < kw; j++) {
        const ix = ox * sw - padLeft + j * dw;
        if (ix < 0 || ix >= w) continue;
        const x = bits[plane + iy * w + ix]!;
        if (isNaNBits(x)) return unchecked(out);
        if (best === -1 || key(x) > key(best)) best = x;
      }
    }
    if (best === -1) throw new CheckInputError(`MaxPool: output ${index} covers no input element`);
    settle(best, claimed, out);
  }
}

/** ArgMax along one axis; the claim is the index. */
class ArgMaxKernel implements ElementKernel {
  readonly opType = "ArgMax";
  readonly family = "exact" as const;
  private readonly bits: Uint32Array;
  constructor(
    x: Float32Array,
    private readonly outer: number,
    private readonly length: number,
    private readonly inner: number,
    private readonly last: boolean,
  ) {
    this.bits = bitsView(x);
    this.size = outer * inner;
  }
  readonly size: number;

  check(index: number, claimed: number, out: ElementCheck): void {
    const o = Math.floor(index / this.inner);
    const i = index - o * this.inner;
    const base = o * this.length * this.inner + i;
    let best = 0;
    for (let k = 0; k < this.length; k++) {
      const x = this.bits[base + k * this.inner]!;
      if (isNaNBits(x)) return unchecked(out);
      if (k > 0) {
        const d = key(x) - key(this.bits[base + best * this.inner]!);
        if (d > 0 || (d === 0 && this.last)) best = k;
      }
    }
    out.estimate = best;
    out.bound = 0;
    out.deferred = false;
    out.distance = Math.abs(claimed - best);
    out.verdict = claimed === best ? Verdict.ADMISSIBLE : Verdict.VIOLATES;
  }
}

/** The offset into the input of each output element of a Transpose. */
function transposeOffsets(dims: readonly number[], perm: readonly number[]): Int32Array {
  const inStrides = stridesOf(dims);
  const outDims = perm.map((p) => dims[p]!);
  const size = sizeOf(dims);
  const at = new Int32Array(size);
  const counter = new Array<number>(dims.length).fill(0);
  let offset = 0;
  for (let p = 0; p < size; p++) {
    at[p] = offset;
    for (let ax = outDims.length - 1; ax >= 0; ax--) {
      const stride = inStrides[perm[ax]!]!;
      counter[ax]!++;
      offset += stride;
      if (counter[ax]! < outDims[ax]!) break;
      offset -= stride * outDims[ax]!;
      counter[ax] = 0;
    }
  }
  return at;
}

export function exactKernel(
  opType: string,
  inputs: readonly (NodeTensor | undefined)[],
  output: NodeTensor,
  attrs: Attributes,
): ElementKernel {
  switch (opType) {
    case "Identity":
    case "Flatten":
    case "Reshape":
    case "Relu": {
      const x = floatData(inputs[0], `${opType} input`);
      if (opType === "Relu" || opType === "Identity") expectDims(output.dims, inputs[0]!.dims, opType);
      if (sizeOf(output.dims) !== x.length)
        throw new CheckInputError(`${opType}: ${x.length} elements in, ${sizeOf(output.dims)} out`);
      return new CopyKernel(opType, x, x.length, undefined, opType === "Relu");
    }
    case "Transpose": {
      const x = floatData(inputs[0], "Transpose input");
      const dims = inputs[0]!.dims;
      const perm = intsAttr(
        attrs,
        "perm",
        dims.map((_, i) => dims.length - 1 - i),
      );
      expectDims(
        output.dims,
        perm.map((p) => dims[p]!),
        opType,
      );
      return new CopyKernel(opType, x, x.length, transposeOffsets(dims, perm), false);
    }
    case "Max":
    case "Min": {
      const present = inputs.filter((t): t is NodeTensor => t !== undefined);
      if (present.length === 0) throw new CheckInputError(`${opType} without operands`);
      const data = present.map((t, i) => floatData(t, `${opType} operand ${i}`));
      const dims = broadcastDims(present.map((t) => t.dims));
      expectDims(output.dims, dims, opType);
      const at = present.map((t) =>
        sizeOf(t.dims) === sizeOf(dims) && t.dims.length === dims.length ? undefined : broadcastOffsets(dims, t.dims),
      );
      return new ExtremumKernel(opType, data.map(bitsView), at, sizeOf(dims), opType === "Max");
    }
    case "MaxPool": {
      const x = floatData(inputs[0], "MaxPool X");
      const dims = inputs[0]!.dims;
      if (dims.length !== 4) throw new CheckInputError("MaxPool: only 2-D (NCHW) is supported");
      const [n, c, h, w] = dims as [number, number, number, number];
      const win = window2d(attrs, "MaxPool", h, w, intsAttr(attrs, "kernel_shape", []));
      expectDims(output.dims, [n, c, win.outH, win.outW], "MaxPool");
      return new MaxPoolKernel(x, h, w, win, sizeOf(output.dims));
    }
    case "ArgMax": {
      const x = floatData(inputs[0], "ArgMax data");
      const dims = inputs[0]!.dims;
      const axisAttr = intAttr(attrs, "axis", 0);
      const axis = axisAttr < 0 ? axisAttr + dims.length : axisAttr;
      if (axis < 0 || axis >= dims.length)
        throw new CheckInputError(`ArgMax: axis ${axisAttr} for rank ${dims.length}`);
      const keep = intAttr(attrs, "keepdims", 1) === 1;
      expectDims(
        output.dims,
        keep ? dims.map((d, i) => (i === axis ? 1 : d)) : dims.filter((_, i) => i !== axis),
        opType,
      );
      if (!(output.data instanceof BigInt64Array)) throw new CheckInputError("ArgMax: the output must be int64");
      const outer = sizeOf(dims.slice(0, axis));
      const inner = sizeOf(dims.slice(axis + 1));
      return new ArgMaxKernel(x, outer, dims[axis]!, inner, intAttr(attrs, "select_last_index", 0) === 1);
    }
    default:
      throw new CheckInputError(`${opType} is not an exact operator`);
  }
}
