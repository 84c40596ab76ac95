/**
 * Adversarial operand sets for dot products: where honest rounding error is largest
 * against the bound (same-sign and constant terms accumulate it systematically) or where
 * the check is hardest (wide exponent ranges, cancellation to far below Σ|t|, subnormals).
 */
import { toBits } from "../float/f32.ts";
import type { DotOperands } from "../float/check/dot.ts";
import type { Rng } from "../vectors/rng.ts";

export const OPERAND_SETS = ["sameSign", "constant", "wideRange", "cancelling", "subnormal"] as const;
export type OperandSet = (typeof OPERAND_SETS)[number];

const uniform = (rng: Rng, lo: number, hi: number) => lo + ((hi - lo) * rng.u32()) / 2 ** 32;

export function adversarialOperands(rng: Rng, set: OperandSet, k: number): DotOperands {
  const f = Math.fround;
  const row = (g: (i: number) => number) => Array.from({ length: k }, (_, i) => toBits(g(i)));
  switch (set) {
    case "sameSign":
      return { a: row(() => f(uniform(rng, 0.5, 1))), b: row(() => f(uniform(rng, 0.5, 1))) };
    case "constant":
      return { a: row(() => f(0.1)), b: row(() => f(0.3)) };
    case "wideRange":
      return {
        a: row(() => f(uniform(rng, -1, 1) * 2 ** Math.floor(uniform(rng, -60, 60)))),
        b: row(() => f(uniform(rng, -1, 1) * 2 ** Math.floor(uniform(rng, -60, 60)))),
      };
    case "cancelling": {
      // pairs of nearly opposite products: the sum is tiny against Σ|a·b|
      const a: number[] = [];
      const b: number[] = [];
      for (let i = 0; i < k; i++) {
        const odd = i % 2 === 1;
        a.push(odd ? f(uniform(rng, 0.5, 1)) : f(uniform(rng, 0.5, 1)));
        b.push(f(uniform(rng, 0.5, 1)));
        if (odd) {
          // a_i·b_i ≈ −a_{i−1}·b_{i−1}
          b[i] = f((-(a[i - 1] as number) * (b[i - 1] as number)) / (a[i] as number));
        }
      }
      return { a: a.map(toBits), b: b.map(toBits) };
    }
    case "subnormal":
      return {
        a: row(() => f(uniform(rng, -1, 1) * 2 ** -140)),
        b: row(() => f(uniform(rng, -1, 1) * 2 ** Math.floor(uniform(rng, -8, 8)))),
      };
  }
}
