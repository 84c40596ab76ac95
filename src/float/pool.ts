/**
 * One output element of MaxPool, AveragePool (2-D, NCHW, ceil_mode 0) and GlobalAveragePool
 * in the float profile (docs/PROTOCOL.md §11.4, §11.6, §11.9). A pool's window covers one
 * plane; its rows inside the image are opened with one word-set opening, and the padding is
 * no value (MaxPool ignores it; AveragePool divides by the count, or by kh·kw with
 * count_include_pad). GlobalAveragePool averages a whole plane, one contiguous run. What
 * `FloatOneStep.maxPoolVerdict`, `averagePoolVerdict` and `globalAveragePoolVerdict` take.
 */
import { equalityVerdict, extremum } from "./bitwise.ts";
import { type FloatTensor, type RangeOperand, type WordsOperand } from "./commitment.ts";
import { meanClaim, meanVerdict, type MeanElement } from "./mean.ts";
import type { NumericsPolicy } from "./policy.ts";
import { canonicalHint } from "./sum.ts";
import type { Verdict } from "./verdict.ts";
import { origin, outputDims, values, wordSet, type Window, type WindowAttributes } from "./window.ts";

export interface PoolGeometry extends WindowAttributes {
  readonly kernel: readonly [number, number];
  /** AveragePool's count_include_pad. */
  readonly countIncludePad: boolean;
}

/** The window of element `outIndex` of a pool over X `[N, C, H, W]`. */
export function poolWindow(x: FloatTensor, g: PoolGeometry, outIndex: number): Window {
  if (x.shape.length !== 4) throw new RangeError(`X must have rank 4, has [${x.shape.join(",")}]`);
  const [n, c, h, w] = x.shape as [number, number, number, number];
  const [oh, ow] = outputDims(h, w, g.kernel, g);
  if (!Number.isInteger(outIndex) || outIndex < 0 || outIndex >= n * c * oh * ow) {
    throw new RangeError(`output index ${outIndex} outside ${n * c * oh * ow}`);
  }
  const { y0, x0 } = origin(Math.floor(outIndex / ow) % oh, outIndex % ow, g);
  return {
    base: Math.floor(outIndex / (oh * ow)) * h * w,
    planes: 1,
    height: h,
    width: w,
    kh: g.kernel[0],
    kw: g.kernel[1],
    dh: g.dilations[0],
    dw: g.dilations[1],
    y0,
    x0,
  };
}

/** The window's values inside the image; throws for a window all in the padding (the contract reverts). */
export function poolValues(x: FloatTensor, g: PoolGeometry, outIndex: number): number[] {
  const xs = values(poolWindow(x, g, outIndex), x);
  if (xs.length === 0) throw new RangeError(`the window of output ${outIndex} lies in the padding`);
  return xs;
}

/** `FloatOneStep.maxPoolVerdict`'s and `averagePoolVerdict`'s arguments (the hint only for the average). */
export interface PoolProof {
  readonly x: WordsOperand;
  readonly geometry: PoolGeometry;
  readonly outIndex: bigint;
  readonly claimed: number;
  readonly hint: bigint;
}

/** The window's opening (and, for AveragePool, the canonical hint). */
export function poolProof(
  x: FloatTensor,
  g: PoolGeometry,
  outIndex: number,
  claimed: number,
  policy: NumericsPolicy,
): PoolProof {
  const window = poolWindow(x, g, outIndex);
  const hint = canonicalHint(meanClaim(averagePoolElement(x, g, outIndex, claimed)).terms, policy);
  return { x: x.openWords(wordSet(window)), geometry: g, outIndex: BigInt(outIndex), claimed, hint: BigInt(hint) };
}

export function maxPoolVerdict(x: FloatTensor, g: PoolGeometry, outIndex: number, claimed: number): Verdict {
  return equalityVerdict(claimed, extremum(poolValues(x, g, outIndex), true));
}

export function averagePoolElement(x: FloatTensor, g: PoolGeometry, outIndex: number, claimed: number): MeanElement {
  const xs = poolValues(x, g, outIndex);
  return { x: xs, divisor: g.countIncludePad ? g.kernel[0] * g.kernel[1] : xs.length, claimed };
}

export function averagePoolVerdict(
  x: FloatTensor,
  g: PoolGeometry,
  outIndex: number,
  claimed: number,
  policy: NumericsPolicy,
): Verdict {
  return meanVerdict(averagePoolElement(x, g, outIndex, claimed), policy);
}

/** GlobalAveragePool over X `[N, C, d1, …]`: element o averages the plane `[o·S, S)`. */
export function globalAveragePoolElement(x: FloatTensor, outIndex: number, claimed: number): MeanElement {
  const { plane, outputs } = globalPlane(x);
  if (!Number.isInteger(outIndex) || outIndex < 0 || outIndex >= outputs) {
    throw new RangeError(`output index ${outIndex} outside ${outputs}`);
  }
  return { x: x.run(outIndex * plane, plane), divisor: plane, claimed };
}

function globalPlane(x: FloatTensor): { plane: number; outputs: number } {
  if (x.shape.length < 3) throw new RangeError(`X must have rank ≥ 3, has [${x.shape.join(",")}]`);
  const outputs = (x.shape[0] as number) * (x.shape[1] as number);
  return { plane: x.committed.length / outputs, outputs };
}

/** `FloatOneStep.globalAveragePoolVerdict`'s arguments. */
export interface GlobalPoolProof {
  readonly x: RangeOperand;
  readonly outIndex: bigint;
  readonly claimed: number;
  readonly hint: bigint;
}

export function globalAveragePoolProof(
  x: FloatTensor,
  outIndex: number,
  claimed: number,
  policy: NumericsPolicy,
): GlobalPoolProof {
  const e = globalAveragePoolElement(x, outIndex, claimed);
  const { plane } = globalPlane(x);
  return {
    x: x.openRange(outIndex * plane, plane),
    outIndex: BigInt(outIndex),
    claimed,
    hint: BigInt(canonicalHint(meanClaim(e).terms, policy)),
  };
}

export function globalAveragePoolVerdict(
  x: FloatTensor,
  outIndex: number,
  claimed: number,
  policy: NumericsPolicy,
): Verdict {
  return meanVerdict(globalAveragePoolElement(x, outIndex, claimed), policy);
}
