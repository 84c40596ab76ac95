/**
 * Input families for the float tests: the cases where summation error is largest or
 * where an exact check is hardest — random, same-sign, constant, wide-range, cancelling
 * and subnormal operands.
 */
import { Rng } from "../../src/vectors/rng.ts";

export type Family = "random" | "sameSign" | "constant" | "wideRange" | "cancelling" | "subnormal";
export const FAMILIES: readonly Family[] = ["random", "sameSign", "constant", "wideRange", "cancelling", "subnormal"];

/** Uniform in [lo, hi). */
export const uniform = (rng: Rng, lo: number, hi: number) => lo + ((hi - lo) * rng.u32()) / 2 ** 32;

/** K fp32 values of A's row and B's column for a family. */
export function operands(rng: Rng, family: Family, k: number): { a: number[]; b: number[] } {
  const f = Math.fround;
  const row = (g: () => number) => Array.from({ length: k }, g);
  switch (family) {
    case "random":
      return { a: row(() => f(uniform(rng, -1, 1))), b: row(() => f(uniform(rng, -1, 1))) };
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
      // Pairs of nearly opposite products: the sum is tiny against Σ|a·b|.
      const a: number[] = [];
      const b: number[] = [];
      for (let i = 0; i < k; i++) {
        const odd = i % 2 === 1;
        a.push(odd ? (a[i - 1] as number) : f(uniform(rng, 0.5, 1)));
        b.push(odd ? f(-(b[i - 1] as number) * (1 + 2 ** -20)) : f(uniform(rng, 0.5, 1)));
      }
      return { a, b };
    }
    case "subnormal":
      return {
        a: row(() => f(uniform(rng, -1, 1) * 2 ** -140)),
        b: row(() => f(uniform(rng, -1, 1) * 2 ** Math.floor(uniform(rng, -8, 8)))),
      };
  }
}
