/**
 * Operators whose fp32 result is one of their operands, exactly (docs/PROTOCOL.md §11.6):
 * Relu, Max, Min, MaxPool, ArgMax, and the data movers (Reshape, Flatten, Transpose,
 * Concat, Slice, Gather, Identity), which copy an element. No rounding happens, so every
 * honest executor gives the same value; the claim must equal it after canonicalization
 * (all NaNs one pattern, −0 = +0). Comparisons order values as real numbers, −0 = +0.
 */
import { canonicalize, CANONICAL_NAN, isNaN32 } from "./f32.ts";
import { Verdict } from "./verdict.ts";

/** A key that orders non-NaN patterns as their values (−0 and +0 both 0). */
export function orderKey(bits: number): number {
  const magnitude = bits & 0x7fffffff;
  return bits >>> 31 === 1 ? -magnitude : magnitude;
}

/** max(x, 0); NaN stays NaN. */
export function relu(x: number): number {
  if (isNaN32(x)) return CANONICAL_NAN;
  return orderKey(x) < 0 ? 0 : canonicalize(x);
}

/**
 * The largest (or smallest) of the values, canonical; undefined when one is NaN, since
 * kernels differ on whether a NaN wins or is skipped.
 */
export function extremum(xs: readonly number[], largest: boolean): number | undefined {
  if (xs.length === 0) throw new RangeError("no operands");
  if (xs.some(isNaN32)) return undefined;
  let best = xs[0] as number;
  for (const x of xs) if (largest ? orderKey(x) > orderKey(best) : orderKey(x) < orderKey(best)) best = x;
  return canonicalize(best);
}

/** The index of the first (or last) maximum; undefined when the row holds a NaN (its place is not fixed by ONNX). */
export function argMax(row: readonly number[], selectLast: boolean): number | undefined {
  if (row.length === 0) throw new RangeError("empty row");
  if (row.some(isNaN32)) return undefined;
  let best = 0;
  for (let i = 1; i < row.length; i++) {
    const d = orderKey(row[i] as number) - orderKey(row[best] as number);
    if (d > 0 || (d === 0 && selectLast)) best = i;
  }
  return best;
}

/** The claim against the exact result: equal after canonicalization, or fraud; UNCHECKED without a result. */
export function equalityVerdict(claimed: number, expected: number | undefined): Verdict {
  if (expected === undefined) return Verdict.UNCHECKED;
  return canonicalize(claimed) === canonicalize(expected) ? Verdict.ADMISSIBLE : Verdict.VIOLATES;
}

/** ArgMax's claimed index against the row: UNCHECKED for a row with a NaN. */
export function argMaxVerdict(row: readonly number[], selectLast: boolean, claimedIndex: bigint): Verdict {
  const index = argMax(row, selectLast);
  if (index === undefined) return Verdict.UNCHECKED;
  return BigInt(index) === claimedIndex ? Verdict.ADMISSIBLE : Verdict.VIOLATES;
}
