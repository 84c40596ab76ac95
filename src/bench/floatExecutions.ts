/**
 * Simulated executions of one dot-product element (y = α·Σ a_k·b_k + β·c) in the orders
 * and roundings real executors use, each rounded exactly as fp32 hardware would
 * (fp32Rounding.ts): sequential, pairwise, blocked, split-K with a random combine order,
 * random permutations, FMA, round-toward-zero inside blocks, and a fused kernel that starts
 * its accumulator at the bias. The bench checks every result with the float checker.
 */
import type { DotOperands } from "../float/check/dot.ts";
import { fromBits, ONE } from "../float/f32.ts";
import type { Rng } from "../vectors/rng.ts";
import { addRN, addRZ, fmaRN, mulRN, mulRZ } from "./fp32Rounding.ts";

export const BLOCK_SIZES = [4, 8, 16, 32, 64, 128] as const;

export const EXECUTIONS = [
  "sequential",
  "pairwise",
  ...BLOCK_SIZES.map((b) => `blocked${b}` as const),
  "splitK",
  "permuted",
  "fma",
  "fmaBlocked32",
  "rtzBlocked16",
  "biasFirst",
] as const;
export type Execution = (typeof EXECUTIONS)[number];

/** An element's operands as doubles (exact fp32 values). */
export interface DotValues {
  readonly a: Float64Array;
  readonly b: Float64Array;
  readonly alpha: number;
  readonly beta: number;
  readonly bias: number | undefined;
}

export function valuesOf(e: DotOperands): DotValues {
  return {
    a: Float64Array.from(e.a, fromBits),
    b: Float64Array.from(e.b, fromBits),
    alpha: fromBits(e.alpha ?? ONE),
    beta: fromBits(e.beta ?? ONE),
    bias: e.bias === undefined ? undefined : fromBits(e.bias),
  };
}

function sequential(p: Float64Array, lo: number, hi: number, add: (x: number, y: number) => number, start = 0): number {
  let acc = start;
  for (let i = lo; i < hi; i++) acc = add(acc, p[i]!);
  return acc;
}

function pairwise(p: Float64Array, lo: number, hi: number): number {
  if (hi - lo === 1) return p[lo]!;
  const mid = (lo + hi) >> 1;
  return addRN(pairwise(p, lo, mid), pairwise(p, mid, hi));
}

function blocked(p: Float64Array, size: number, add: (x: number, y: number) => number): number {
  let total = 0;
  for (let i = 0; i < p.length; i += size) total = addRN(total, sequential(p, i, Math.min(i + size, p.length), add));
  return total;
}

function fmaRun(v: DotValues, lo: number, hi: number, start: number): number {
  let acc = start;
  for (let i = lo; i < hi; i++) acc = fmaRN(v.a[i]!, v.b[i]!, acc);
  return acc;
}

/** Σ a_k·b_k in one execution (no α, no bias). */
function dotSum(v: DotValues, execution: Execution, rng: Rng): number {
  const k = v.a.length;
  const products = new Float64Array(k);
  const rz = execution === "rtzBlocked16";
  for (let i = 0; i < k; i++) products[i] = rz ? mulRZ(v.a[i]!, v.b[i]!) : mulRN(v.a[i]!, v.b[i]!);
  switch (execution) {
    case "sequential":
    case "biasFirst":
      return sequential(products, 0, k, addRN);
    case "pairwise":
      return pairwise(products, 0, k);
    case "splitK": {
      // 2..8 slices, each summed in order, the partial sums combined in a random tree
      const slices = 2 + (rng.u32() % 7);
      const partial: number[] = [];
      for (let s = 0; s < slices; s++) {
        const lo = Math.floor((s * k) / slices);
        const hi = Math.floor(((s + 1) * k) / slices);
        if (hi > lo) partial.push(sequential(products, lo, hi, addRN));
      }
      while (partial.length > 1) {
        const i = rng.u32() % partial.length;
        const x = partial.splice(i, 1)[0]!;
        const j = rng.u32() % partial.length;
        partial[j] = addRN(partial[j]!, x);
      }
      return partial[0]!;
    }
    case "permuted": {
      for (let i = k - 1; i > 0; i--) {
        const j = rng.u32() % (i + 1);
        const t = products[i]!;
        products[i] = products[j]!;
        products[j] = t;
      }
      return sequential(products, 0, k, addRN);
    }
    case "fma":
      return fmaRun(v, 0, k, 0);
    case "fmaBlocked32": {
      const partial: number[] = [];
      for (let i = 0; i < k; i += 32) partial.push(fmaRun(v, i, Math.min(i + 32, k), 0));
      return pairwise(Float64Array.from(partial), 0, partial.length);
    }
    case "rtzBlocked16":
      return blocked(products, 16, addRZ);
    default: {
      const size = Number(execution.slice("blocked".length));
      return blocked(products, size, addRN);
    }
  }
}

/** The element as one execution computes it: an fp32 value. */
export function simulate(v: DotValues, execution: Execution, rng: Rng): number {
  const bias = v.bias === undefined ? undefined : mulRN(v.beta, v.bias);
  if (execution === "biasFirst" && bias !== undefined && v.alpha === 1) {
    // a fused kernel whose accumulator starts at β·c
    let acc = bias;
    for (let i = 0; i < v.a.length; i++) acc = addRN(acc, mulRN(v.a[i]!, v.b[i]!));
    return acc;
  }
  const s = dotSum(v, execution, rng);
  const scaled = v.alpha === 1 ? s : mulRN(v.alpha, s);
  return bias === undefined ? scaled : addRN(scaled, bias);
}
