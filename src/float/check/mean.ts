/**
 * Kernels of the averages — ReduceMean, GlobalAveragePool, AveragePool (docs/PROTOCOL.md
 * §11.4): y = Σ x_i / d with B = γ_{n+2}·Σ|x_i| / d + η, n the elements summed and d the
 * divisor (n, or the padded window's size with count_include_pad). Decided as
 * |d·ŷ − Σx| against γ_{n+2}·Σ|x| + d·η in float64 (d·ŷ is exact: d ≤ 2²⁰, ŷ 24 bits),
 * borderline elements by the contract's rule ({@link meanVerdict}).
 */
import { meanVerdict } from "../mean.ts";
import type { NumericsPolicy } from "../policy.ts";
import { MAX_TERMS } from "../sum.ts";
import { intAttr, intsAttr, window2d, type Attributes, type Window2d } from "./attributes.ts";
import { BORDERLINE, decideSum, maxExponent, sumRel, sumSlack } from "./decide.ts";
import type { ElementCheck, ElementKernel } from "./kernel.ts";
import {
  bitsView,
  CheckInputError,
  expectDims,
  floatData,
  sizeOf,
  stridesOf,
  valueOfBits,
  type NodeTensor,
} from "./tensor.ts";

/** An average over a fixed pattern of offsets from a per-element base (ReduceMean, GlobalAveragePool). */
class ReduceKernel implements ElementKernel {
  readonly family = "mean" as const;
  readonly size: number;
  private readonly bits: Uint32Array;
  private readonly rel: number;
  private readonly u: number;
  private readonly eta: number;
  private readonly slack: number;

  constructor(
    readonly opType: string,
    private readonly x: Float32Array,
    private readonly bases: Int32Array,
    private readonly offsets: Int32Array,
    private readonly policy: NumericsPolicy,
  ) {
    if (offsets.length === 0 || offsets.length > MAX_TERMS)
      throw new CheckInputError(`${opType}: ${offsets.length} elements per mean`);
    this.size = bases.length;
    this.bits = bitsView(x);
    this.rel = sumRel(offsets.length);
    this.u = 2 ** -policy.accumulationBits;
    this.eta = 2 ** policy.etaExponent;
    this.slack = sumSlack(offsets.length, maxExponent(this.bits), policy.etaExponent);
  }

  check(index: number, claimed: number, out: ElementCheck): void {
    const { x, offsets } = this;
    const base = this.bases[index]!;
    const n = offsets.length;
    let y = 0;
    let s = 0;
    for (let i = 0; i < n; i++) {
      const v = x[base + offsets[i]!]!;
      y += v;
      s += Math.abs(v);
    }
    out.deferred = false;
    const verdict = decideSum(y, s, valueOfBits(claimed), n, n + 2, 1, this.rel, this.u, this.eta, this.slack, out);
    if (verdict !== BORDERLINE) {
      out.verdict = verdict;
      return;
    }
    const xs: number[] = [];
    for (let i = 0; i < n; i++) xs.push(this.bits[base + offsets[i]!]!);
    out.deferred = true;
    out.verdict = meanVerdict({ x: xs, divisor: n, claimed }, this.policy);
  }
}

/** Bases and offsets of a reduction over `axes` of `dims` (output row-major over the kept axes). */
function reduction(dims: readonly number[], axes: readonly number[]): { bases: Int32Array; offsets: Int32Array } {
  const strides = stridesOf(dims);
  const reduced = new Set(axes);
  const kept = dims.map((_, i) => i).filter((i) => !reduced.has(i));
  const expand = (which: readonly number[]): Int32Array => {
    const count = sizeOf(which.map((i) => dims[i]!));
    const out = new Int32Array(count);
    for (let p = 0; p < count; p++) {
      let rest = p;
      let offset = 0;
      for (let j = which.length - 1; j >= 0; j--) {
        const ax = which[j]!;
        offset += (rest % dims[ax]!) * strides[ax]!;
        rest = Math.floor(rest / dims[ax]!);
      }
      out[p] = offset;
    }
    return out;
  };
  return { bases: expand(kept), offsets: expand(axes) };
}

function normalizeAxes(axes: readonly number[], rank: number, op: string): number[] {
  const out = axes.map((a) => (a < 0 ? a + rank : a));
  if (out.some((a) => a < 0 || a >= rank) || new Set(out).size !== out.length) {
    throw new CheckInputError(`${op}: axes [${axes.join(", ")}] for rank ${rank}`);
  }
  return out.sort((a, b) => a - b);
}

function reduceMeanKernel(
  inputs: readonly (NodeTensor | undefined)[],
  output: NodeTensor,
  attrs: Attributes,
  policy: NumericsPolicy,
): ElementKernel {
  const x = floatData(inputs[0], "ReduceMean data");
  const dims = inputs[0]!.dims;
  const axesInput = inputs[1];
  let axes: readonly number[];
  if (axesInput !== undefined) {
    if (!(axesInput.data instanceof BigInt64Array)) throw new CheckInputError("ReduceMean: axes must be int64");
    axes = [...axesInput.data].map(Number);
  } else axes = intsAttr(attrs, "axes", []);
  if (axes.length === 0) {
    if (intAttr(attrs, "noop_with_empty_axes", 0) === 1)
      throw new CheckInputError("ReduceMean: noop_with_empty_axes is not supported");
    axes = dims.map((_, i) => i);
  }
  const norm = normalizeAxes(axes, dims.length, "ReduceMean");
  const keep = intAttr(attrs, "keepdims", 1) === 1;
  const outDims = keep ? dims.map((d, i) => (norm.includes(i) ? 1 : d)) : dims.filter((_, i) => !norm.includes(i));
  expectDims(output.dims, outDims, "ReduceMean");
  const { bases, offsets } = reduction(dims, norm);
  return new ReduceKernel("ReduceMean", x, bases, offsets, policy);
}

function globalAveragePoolKernel(
  inputs: readonly (NodeTensor | undefined)[],
  output: NodeTensor,
  policy: NumericsPolicy,
): ElementKernel {
  const x = floatData(inputs[0], "GlobalAveragePool X");
  const dims = inputs[0]!.dims;
  if (dims.length < 3) throw new CheckInputError("GlobalAveragePool: the input needs spatial dimensions");
  const axes = dims.map((_, i) => i).slice(2);
  expectDims(output.dims, [dims[0]!, dims[1]!, ...axes.map(() => 1)], "GlobalAveragePool");
  const { bases, offsets } = reduction(dims, axes);
  return new ReduceKernel("GlobalAveragePool", x, bases, offsets, policy);
}

/** AveragePool, 2-D NCHW: the window's elements inside the input; d counts padding when count_include_pad = 1. */
class AveragePoolKernel implements ElementKernel {
  readonly opType = "AveragePool";
  readonly family = "mean" as const;
  readonly size: number;
  private readonly bits: Uint32Array;
  private readonly u: number;
  private readonly eta: number;
  private readonly includePad: boolean;
  private readonly slack: number;

  constructor(
    private readonly x: Float32Array,
    private readonly h: number,
    private readonly w: number,
    private readonly win: Window2d,
    attrs: Attributes,
    private readonly policy: NumericsPolicy,
    size: number,
  ) {
    this.size = size;
    this.bits = bitsView(x);
    this.u = 2 ** -policy.accumulationBits;
    this.eta = 2 ** policy.etaExponent;
    this.includePad = intAttr(attrs, "count_include_pad", 0) === 1;
    this.slack = sumSlack(win.kh * win.kw, maxExponent(this.bits), policy.etaExponent);
  }

  check(index: number, claimed: number, out: ElementCheck): void {
    const { h, w, x } = this;
    const { kh, kw, sh, sw, dh, dw, padTop, padLeft, padBottom, padRight, outH, outW } = this.win;
    const ox = index % outW;
    const r = (index - ox) / outW;
    const oy = r % outH;
    const plane = ((r - oy) / outH) * h * w;
    let y = 0;
    let s = 0;
    let n = 0;
    let padded = 0;
    const y0 = oy * sh - padTop;
    const x0 = ox * sw - padLeft;
    for (let i = 0; i < kh; i++) {
      const iy = y0 + i * dh;
      if (iy >= h + padBottom) break;
      for (let j = 0; j < kw; j++) {
        const ix = x0 + j * dw;
        if (ix >= w + padRight) break;
        padded++;
        if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
        const v = x[plane + iy * w + ix]!;
        y += v;
        s += Math.abs(v);
        n++;
      }
    }
    if (n === 0) throw new CheckInputError(`AveragePool: output ${index} averages no input element`);
    const d = this.includePad ? padded : n;
    out.deferred = false;
    const verdict = decideSum(y, s, valueOfBits(claimed), d, n + 2, 1, sumRel(n), this.u, this.eta, this.slack, out);
    if (verdict !== BORDERLINE) {
      out.verdict = verdict;
      return;
    }
    const xs: number[] = [];
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++) {
        const iy = y0 + i * dh;
        const ix = x0 + j * dw;
        if (iy >= 0 && iy < h && ix >= 0 && ix < w) xs.push(this.bits[plane + iy * w + ix]!);
      }
    }
    out.deferred = true;
    out.verdict = meanVerdict({ x: xs, divisor: d, claimed }, this.policy);
  }
}

function averagePoolKernel(
  inputs: readonly (NodeTensor | undefined)[],
  output: NodeTensor,
  attrs: Attributes,
  policy: NumericsPolicy,
): ElementKernel {
  const x = floatData(inputs[0], "AveragePool X");
  const dims = inputs[0]!.dims;
  if (dims.length !== 4) throw new CheckInputError("AveragePool: only 2-D (NCHW) is supported");
  const [n, c, h, w] = dims as [number, number, number, number];
  const win = window2d(attrs, "AveragePool", h, w, intsAttr(attrs, "kernel_shape", []));
  expectDims(output.dims, [n, c, win.outH, win.outW], "AveragePool");
  return new AveragePoolKernel(x, h, w, win, attrs, policy, sizeOf(output.dims));
}

export function meanKernel(
  opType: string,
  inputs: readonly (NodeTensor | undefined)[],
  output: NodeTensor,
  attrs: Attributes,
  policy: NumericsPolicy,
): ElementKernel {
  switch (opType) {
    case "ReduceMean":
      return reduceMeanKernel(inputs, output, attrs, policy);
    case "GlobalAveragePool":
      return globalAveragePoolKernel(inputs, output, policy);
    case "AveragePool":
      return averagePoolKernel(inputs, output, attrs, policy);
    default:
      throw new CheckInputError(`${opType} is not an average`);
  }
}
