/**
 * Kernels of the dot-product family — MatMul, Gemm, Conv (docs/PROTOCOL.md §11.4). Each
 * output element is y = α·Σ a_k·b_k + β·c with B = γ_n·(Σ|α·a_k·b_k| + |β·c|) + n·η,
 * n = K + [bias] + [α ≠ 1]: accumulated in float64 and decided by {@link decideSum}; an
 * element too close to call is gathered into a {@link DotElement} and decided by the
 * contract's rule ({@link dotVerdict}, canonical hint).
 */
import { dotVerdict, type DotElement } from "../dot.ts";
import { ONE, toBits } from "../f32.ts";
import type { NumericsPolicy } from "../policy.ts";
import { floatAttr, intAttr, intsAttr, window2d, type Attributes } from "./attributes.ts";
import { BORDERLINE, decideSum, maxExponent, sumRel, sumSlack } from "./decide.ts";
import type { ElementCheck, ElementKernel } from "./kernel.ts";
import {
  bitsView,
  broadcastDims,
  broadcastOffsets,
  CheckInputError,
  expectDims,
  floatData,
  sizeOf,
  valueOfBits,
  type NodeTensor,
} from "./tensor.ts";

abstract class DotKernel implements ElementKernel {
  readonly family = "dot" as const;
  protected readonly u: number;
  protected readonly eta: number;
  constructor(
    readonly opType: string,
    readonly size: number,
    protected readonly policy: NumericsPolicy,
  ) {
    this.u = 2 ** -policy.accumulationBits;
    this.eta = 2 ** policy.etaExponent;
  }
  abstract check(index: number, claimed: number, out: ElementCheck): void;

  /** Output element `index`'s operands as fp32 bits, in the order the contract opens them. */
  abstract element(index: number): DotOperands;

  /** The exact rule for an element the float64 test left open. */
  protected exact(index: number, claimed: number, out: ElementCheck): void {
    out.deferred = true;
    out.verdict = dotVerdict({ ...this.element(index), claimed }, this.policy);
  }
}

/** A dot element without its claim. */
export type DotOperands = Omit<DotElement, "claimed">;

/** A kernel of the dot family, which can also hand out an element's operands (for simulations of other evaluation orders). */
export interface DotElementKernel extends ElementKernel {
  readonly family: "dot";
  element(index: number): DotOperands;
}

/** MatMul with numpy semantics: 1-D operands promoted, batch dimensions broadcast. */
class MatMulKernel extends DotKernel implements DotElementKernel {
  private readonly a: Float32Array;
  private readonly b: Float32Array;
  private readonly aBits: Uint32Array;
  private readonly bBits: Uint32Array;
  private readonly m: number;
  private readonly n: number;
  private readonly k: number;
  private readonly aBatch: Int32Array;
  private readonly bBatch: Int32Array;
  private readonly rel: number;
  private readonly slack: number;

  constructor(inputs: readonly (NodeTensor | undefined)[], output: NodeTensor, policy: NumericsPolicy) {
    const a = floatData(inputs[0], "MatMul A");
    const b = floatData(inputs[1], "MatMul B");
    const aDims = inputs[0]!.dims.length === 1 ? [1, ...inputs[0]!.dims] : [...inputs[0]!.dims];
    const bDims = inputs[1]!.dims.length === 1 ? [...inputs[1]!.dims, 1] : [...inputs[1]!.dims];
    if (aDims.length < 2 || bDims.length < 2) throw new CheckInputError("MatMul of a scalar");
    const [m, k] = aDims.slice(-2) as [number, number];
    const [kb, n] = bDims.slice(-2) as [number, number];
    if (k !== kb) throw new CheckInputError(`MatMul: K = ${k} against ${kb}`);
    const batch = broadcastDims([aDims.slice(0, -2), bDims.slice(0, -2)]);
    const outDims = [...batch];
    if (inputs[0]!.dims.length > 1) outDims.push(m);
    if (inputs[1]!.dims.length > 1) outDims.push(n);
    expectDims(output.dims, outDims, "MatMul");
    super("MatMul", sizeOf(output.dims), policy);
    this.a = a;
    this.b = b;
    this.aBits = bitsView(a);
    this.bBits = bitsView(b);
    this.m = m;
    this.n = n;
    this.k = k;
    this.aBatch = broadcastOffsets(batch, aDims.slice(0, -2));
    this.bBatch = broadcastOffsets(batch, bDims.slice(0, -2));
    this.rel = sumRel(k);
    // α = 1.0 still counts as a factor of the contract's terms (exponent −23)
    this.slack = sumSlack(k, maxExponent(this.aBits) + maxExponent(this.bBits) - 23, policy.etaExponent);
  }

  /** Where element `index`'s row of A and column of B start. */
  private bases(index: number): [number, number] {
    const { m, n, k } = this;
    const mn = m * n;
    const batch = Math.floor(index / mn);
    const r = index - batch * mn;
    const row = Math.floor(r / n);
    const col = r - row * n;
    return [this.aBatch[batch]! * m * k + row * k, this.bBatch[batch]! * k * n + col];
  }

  element(index: number): DotOperands {
    const [aBase, bBase] = this.bases(index);
    const a: number[] = [];
    const b: number[] = [];
    for (let i = 0; i < this.k; i++) {
      a.push(this.aBits[aBase + i]!);
      b.push(this.bBits[bBase + i * this.n]!);
    }
    return { a, b };
  }

  check(index: number, claimed: number, out: ElementCheck): void {
    const { m, n, k, a, b } = this;
    const mn = m * n;
    const batch = Math.floor(index / mn);
    const r = index - batch * mn;
    const row = Math.floor(r / n);
    const col = r - row * n;
    const aBase = this.aBatch[batch]! * m * k + row * k;
    const bBase = this.bBatch[batch]! * k * n + col;
    let y = 0;
    let s = 0;
    for (let i = 0; i < k; i++) {
      const t = a[aBase + i]! * b[bBase + i * n]!;
      y += t;
      s += Math.abs(t);
    }
    out.deferred = false;
    const c = valueOfBits(claimed);
    const v = decideSum(y, s, c, 1, k, k, this.rel, this.u, this.eta, this.slack, out);
    if (v !== BORDERLINE) {
      out.verdict = v;
      return;
    }
    this.exact(index, claimed, out);
  }
}

/** Gemm: Y = α·A'·B' + β·C, A' and B' optionally transposed, C broadcast to (M, N). */
class GemmKernel extends DotKernel implements DotElementKernel {
  private readonly a: Float32Array;
  private readonly b: Float32Array;
  private readonly c: Float32Array | undefined;
  private readonly aBits: Uint32Array;
  private readonly bBits: Uint32Array;
  private readonly cBits: Uint32Array | undefined;
  private readonly cOffsets: Int32Array | undefined;
  private readonly n: number;
  private readonly k: number;
  private readonly aRow: number;
  private readonly aStep: number;
  private readonly bCol: number;
  private readonly bStep: number;
  private readonly alpha: number;
  private readonly beta: number;
  private readonly alphaBits: number;
  private readonly betaBits: number;
  private readonly terms: number;
  private readonly rel: number;
  private readonly slack: number;

  constructor(
    inputs: readonly (NodeTensor | undefined)[],
    output: NodeTensor,
    attrs: Attributes,
    policy: NumericsPolicy,
  ) {
    const a = floatData(inputs[0], "Gemm A");
    const b = floatData(inputs[1], "Gemm B");
    const [a0, a1] = inputs[0]!.dims as [number, number];
    const [b0, b1] = inputs[1]!.dims as [number, number];
    if (inputs[0]!.dims.length !== 2 || inputs[1]!.dims.length !== 2)
      throw new CheckInputError("Gemm: A and B must be 2-D");
    const transA = intAttr(attrs, "transA", 0) === 1;
    const transB = intAttr(attrs, "transB", 0) === 1;
    const [m, k] = transA ? [a1, a0] : [a0, a1];
    const [kb, n] = transB ? [b1, b0] : [b0, b1];
    if (k !== kb) throw new CheckInputError(`Gemm: K = ${k} against ${kb}`);
    expectDims(output.dims, [m, n], "Gemm");
    super("Gemm", m * n, policy);
    this.a = a;
    this.b = b;
    this.aBits = bitsView(a);
    this.bBits = bitsView(b);
    const cInput = inputs[2];
    if (cInput !== undefined) {
      this.c = floatData(cInput, "Gemm C");
      this.cBits = bitsView(this.c);
      this.cOffsets = broadcastOffsets([m, n], cInput.dims);
      if (broadcastDims([[m, n], cInput.dims]).some((d, i) => d !== [m, n][i])) {
        throw new CheckInputError(`Gemm: C [${cInput.dims.join(", ")}] does not broadcast to [${m}, ${n}]`);
      }
    }
    this.n = n;
    this.k = k;
    // a(row, i) = A[row·aRow + i·aStep], b(i, col) = B[col·bCol + i·bStep]
    this.aRow = transA ? 1 : k;
    this.aStep = transA ? m : 1;
    this.bCol = transB ? k : 1;
    this.bStep = transB ? 1 : n;
    this.alpha = floatAttr(attrs, "alpha", 1);
    this.beta = floatAttr(attrs, "beta", 1);
    this.alphaBits = toBits(this.alpha);
    this.betaBits = toBits(this.beta);
    this.terms = k + (cInput === undefined ? 0 : 1) + (this.alphaBits === ONE ? 0 : 1);
    this.rel = sumRel(this.terms);
    const exponentOf = (bits: number) => maxExponent(Uint32Array.of(bits));
    let top = maxExponent(this.aBits) + maxExponent(this.bBits) + exponentOf(this.alphaBits);
    if (this.cBits !== undefined) top = Math.max(top, maxExponent(this.cBits) + exponentOf(this.betaBits));
    this.slack = sumSlack(this.terms, top, policy.etaExponent);
  }

  check(index: number, claimed: number, out: ElementCheck): void {
    const { n, k, a, b, alpha } = this;
    const row = Math.floor(index / n);
    const col = index - row * n;
    const aBase = row * this.aRow;
    const bBase = col * this.bCol;
    const aStep = this.aStep;
    const bStep = this.bStep;
    let y = 0;
    let s = 0;
    for (let i = 0; i < k; i++) {
      const t = alpha * (a[aBase + i * aStep]! * b[bBase + i * bStep]!);
      y += t;
      s += Math.abs(t);
    }
    if (this.c !== undefined) {
      const t = this.beta * this.c[this.cOffsets![index]!]!;
      y += t;
      s += Math.abs(t);
    }
    out.deferred = false;
    const v = decideSum(
      y,
      s,
      valueOfBits(claimed),
      1,
      this.terms,
      this.terms,
      this.rel,
      this.u,
      this.eta,
      this.slack,
      out,
    );
    if (v !== BORDERLINE) {
      out.verdict = v;
      return;
    }
    this.exact(index, claimed, out);
  }

  element(index: number): DotOperands {
    const row = Math.floor(index / this.n);
    const col = index - row * this.n;
    const a: number[] = [];
    const b: number[] = [];
    for (let i = 0; i < this.k; i++) {
      a.push(this.aBits[row * this.aRow + i * this.aStep]!);
      b.push(this.bBits[col * this.bCol + i * this.bStep]!);
    }
    const scalars = { a, b, alpha: this.alphaBits, beta: this.betaBits };
    return this.c === undefined ? scalars : { ...scalars, bias: this.cBits![this.cOffsets![index]!]! };
  }
}

/**
 * 2-D convolution, NCHW, group 1. The terms of an element are its whole patch, C·kh·kw of
 * them, padded positions included as zero operands: that is what a patch opening holds,
 * and a kernel that skips them only rounds less, so n = C·kh·kw (+ bias) stays an upper
 * bound of any evaluation's roundings.
 */
class ConvKernel extends DotKernel implements DotElementKernel {
  private readonly x: Float32Array;
  private readonly w: Float32Array;
  private readonly bias: Float32Array | undefined;
  private readonly xBits: Uint32Array;
  private readonly wBits: Uint32Array;
  private readonly c: number;
  private readonly h: number;
  private readonly wIn: number;
  private readonly mOut: number;
  private readonly win: ReturnType<typeof window2d>;
  private readonly terms: number;
  private readonly rel: number;
  private readonly slack: number;

  constructor(
    inputs: readonly (NodeTensor | undefined)[],
    output: NodeTensor,
    attrs: Attributes,
    policy: NumericsPolicy,
  ) {
    const x = floatData(inputs[0], "Conv X");
    const w = floatData(inputs[1], "Conv W");
    if (inputs[0]!.dims.length !== 4 || inputs[1]!.dims.length !== 4)
      throw new CheckInputError("Conv: only 2-D (NCHW) is supported");
    if (intAttr(attrs, "group", 1) !== 1) throw new CheckInputError("Conv: only group 1 is supported");
    const [batch, c, h, wIn] = inputs[0]!.dims as [number, number, number, number];
    const [mOut, cw, kh, kw] = inputs[1]!.dims as [number, number, number, number];
    if (c !== cw) throw new CheckInputError(`Conv: ${c} input channels against a filter of ${cw}`);
    const kernel = intsAttr(attrs, "kernel_shape", [kh, kw]);
    if (kernel[0] !== kh || kernel[1] !== kw) throw new CheckInputError("Conv: kernel_shape disagrees with W");
    const win = window2d(attrs, "Conv", h, wIn, [kh, kw]);
    expectDims(output.dims, [batch, mOut, win.outH, win.outW], "Conv");
    super("Conv", sizeOf(output.dims), policy);
    this.x = x;
    this.w = w;
    this.xBits = bitsView(x);
    this.wBits = bitsView(w);
    if (inputs[2] !== undefined) {
      this.bias = floatData(inputs[2], "Conv B");
      if (this.bias.length !== mOut) throw new CheckInputError(`Conv: bias of ${this.bias.length} for ${mOut} maps`);
    }
    this.c = c;
    this.h = h;
    this.wIn = wIn;
    this.mOut = mOut;
    this.win = win;
    this.terms = c * kh * kw + (this.bias === undefined ? 0 : 1);
    this.rel = sumRel(this.terms);
    let top = maxExponent(this.xBits) + maxExponent(this.wBits) - 23;
    if (this.bias !== undefined) top = Math.max(top, maxExponent(bitsView(this.bias)) - 23);
    this.slack = sumSlack(this.terms, top, policy.etaExponent);
  }

  check(index: number, claimed: number, out: ElementCheck): void {
    const { c, h, wIn, x, w } = this;
    const { kh, kw, sh, sw, dh, dw, padTop, padLeft, outH, outW } = this.win;
    // index → (image, map, oy, ox), row-major over [N, M, outH, outW]
    const ox = index % outW;
    let r = (index - ox) / outW;
    const oy = r % outH;
    r = (r - oy) / outH;
    const map = r % this.mOut;
    const img = (r - map) / this.mOut;
    let y = 0;
    let s = 0;
    const y0 = oy * sh - padTop;
    const x0 = ox * sw - padLeft;
    for (let ch = 0; ch < c; ch++) {
      const xPlane = (img * c + ch) * h * wIn;
      const wPlane = (map * c + ch) * kh * kw;
      for (let i = 0; i < kh; i++) {
        const iy = y0 + i * dh;
        if (iy < 0 || iy >= h) continue;
        for (let j = 0; j < kw; j++) {
          const ix = x0 + j * dw;
          if (ix < 0 || ix >= wIn) continue;
          const t = x[xPlane + iy * wIn + ix]! * w[wPlane + i * kw + j]!;
          y += t;
          s += Math.abs(t);
        }
      }
    }
    if (this.bias !== undefined) {
      const t = this.bias[map]!;
      y += t;
      s += Math.abs(t);
    }
    out.deferred = false;
    const v = decideSum(
      y,
      s,
      valueOfBits(claimed),
      1,
      this.terms,
      this.terms,
      this.rel,
      this.u,
      this.eta,
      this.slack,
      out,
    );
    if (v !== BORDERLINE) {
      out.verdict = v;
      return;
    }
    this.exact(index, claimed, out);
  }

  /** The element's patch and filter as the contract would open them (padding as +0). */
  element(index: number): DotOperands {
    const { c, h, wIn } = this;
    const { kh, kw, sh, sw, dh, dw, padTop, padLeft, outH, outW } = this.win;
    const ox = index % outW;
    let r = (index - ox) / outW;
    const oy = r % outH;
    r = (r - oy) / outH;
    const map = r % this.mOut;
    const img = (r - map) / this.mOut;
    const a: number[] = [];
    const b: number[] = [];
    for (let ch = 0; ch < c; ch++) {
      for (let i = 0; i < kh; i++) {
        for (let j = 0; j < kw; j++) {
          const iy = oy * sh - padTop + i * dh;
          const ix = ox * sw - padLeft + j * dw;
          const inside = iy >= 0 && iy < h && ix >= 0 && ix < wIn;
          a.push(inside ? this.xBits[((img * c + ch) * h + iy) * wIn + ix]! : 0);
          b.push(this.wBits[((map * c + ch) * kh + i) * kw + j]!);
        }
      }
    }
    return this.bias === undefined ? { a, b } : { a, b, bias: bitsView(this.bias)[map]! };
  }
}

export function dotKernel(
  opType: string,
  inputs: readonly (NodeTensor | undefined)[],
  output: NodeTensor,
  attrs: Attributes,
  policy: NumericsPolicy,
): DotElementKernel {
  switch (opType) {
    case "MatMul":
      return new MatMulKernel(inputs, output, policy);
    case "Gemm":
      return new GemmKernel(inputs, output, attrs, policy);
    case "Conv":
      return new ConvKernel(inputs, output, attrs, policy);
    default:
      throw new CheckInputError(`${opType} is not a dot-product operator`);
  }
}

export function isDotKernel(kernel: ElementKernel): kernel is DotElementKernel {
  return kernel.family === "dot";
}
