/**
 * Honest fp32 executions for the float tests: sums and dot products rounded exactly as
 * IEEE binary32 hardware would, in several evaluation orders, with and without FMA.
 */
import { add, ratOf, type Rational } from "../../src/float/dyadic.ts";
import { fromBits, toBits } from "../../src/float/f32.ts";
import { roundToFloat32 } from "../../src/float/round.ts";
import { Rng } from "../../src/vectors/rng.ts";

const view = new DataView(new ArrayBuffer(8));

/** A finite double as an exact rational. */
export function exactOfDouble(x: number): Rational {
  view.setFloat64(0, x);
  const hi = view.getUint32(0);
  const lo = view.getUint32(4);
  const biased = (hi >>> 20) & 0x7ff;
  const mantissa = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  const m = biased === 0 ? mantissa : mantissa | (1n << 52n);
  const e = Math.max(biased, 1) - 1075;
  const signed = hi >>> 31 === 1 ? -m : m;
  return e >= 0 ? ratOf(signed << BigInt(e)) : ratOf(signed, 1n << BigInt(-e));
}

/**
 * fl32(x + y) for doubles x, y holding exact values (fp32 values or products of two):
 * x + y in double is exact when TwoSum's error is 0, and fround then rounds once;
 * otherwise the exact sum is rounded.
 */
export function add32(x: number, y: number): number {
  const s = x + y;
  const bb = s - x;
  const err = x - (s - bb) + (y - bb);
  if (err === 0) return Math.fround(s);
  return fromBits(roundToFloat32(add(exactOfDouble(x), exactOfDouble(y))));
}

/** fl32(a·b) — the product of two fp32 values is exact in double. */
export const mul32 = (a: number, b: number) => Math.fround(a * b);

/** fma32(a, b, c) = fl32(a·b + c) with one rounding. */
export const fma32 = (a: number, b: number, c: number) => add32(a * b, c);

export type Order = "sequential" | "reversed" | "pairwise" | "blocked" | "splitK" | "permuted" | "fma" | "fmaBlocked";
export const ORDERS: readonly Order[] = [
  "sequential",
  "reversed",
  "pairwise",
  "blocked",
  "splitK",
  "permuted",
  "fma",
  "fmaBlocked",
];

function pairwise(xs: number[]): number {
  if (xs.length === 1) return xs[0] as number;
  const mid = xs.length >> 1;
  return add32(pairwise(xs.slice(0, mid)), pairwise(xs.slice(mid)));
}

const sumSeq = (xs: number[]) => xs.reduce((acc, x) => add32(acc, x), 0);

function fmaDot(a: number[], b: number[]): number {
  let acc = 0;
  for (let k = 0; k < a.length; k++) acc = fma32(a[k] as number, b[k] as number, acc);
  return acc;
}

/** Σ a_k·b_k in fp32 in the given order (the products rounded unless fused). */
export function dot32(a: number[], b: number[], order: Order, rng: Rng): number {
  const products = a.map((x, k) => mul32(x, b[k] as number));
  switch (order) {
    case "sequential":
      return sumSeq(products);
    case "reversed":
      return sumSeq([...products].reverse());
    case "pairwise":
      return pairwise(products);
    case "blocked": {
      const partial: number[] = [];
      for (let i = 0; i < products.length; i += 16) partial.push(sumSeq(products.slice(i, i + 16)));
      return sumSeq(partial);
    }
    case "splitK": {
      const mid = products.length >> 1;
      return add32(sumSeq(products.slice(0, mid)), sumSeq(products.slice(mid)));
    }
    case "permuted": {
      const p = [...products];
      for (let i = p.length - 1; i > 0; i--) {
        const j = rng.u32() % (i + 1);
        [p[i], p[j]] = [p[j] as number, p[i] as number];
      }
      return sumSeq(p);
    }
    case "fma":
      return fmaDot(a, b);
    case "fmaBlocked": {
      const partial: number[] = [];
      for (let i = 0; i < a.length; i += 32) partial.push(fmaDot(a.slice(i, i + 32), b.slice(i, i + 32)));
      return pairwise(partial);
    }
  }
}

/** Gemm's element α·Σ a_k b_k + β·c, with the bias added last (or first, as a fused kernel's initial accumulator would). */
export function gemm32(
  a: number[],
  b: number[],
  order: Order,
  rng: Rng,
  alpha: number,
  beta: number,
  bias: number,
  biasFirst: boolean,
): number {
  const bc = mul32(beta, bias);
  if (biasFirst && alpha === 1) {
    // A fused kernel that starts its accumulator at β·c.
    let acc = bc;
    for (let k = 0; k < a.length; k++)
      acc =
        order === "fma"
          ? fma32(a[k] as number, b[k] as number, acc)
          : add32(acc, mul32(a[k] as number, b[k] as number));
    return acc;
  }
  const s = dot32(a, b, order, rng);
  return add32(alpha === 1 ? s : mul32(alpha, s), bc);
}

/** The fp32 bits of a double (rounded once). */
export const bits = (x: number) => toBits(x);
