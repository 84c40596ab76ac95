/** Order statistics of the benchmark (nearest-rank percentiles on sorted samples). */
import { at } from "../tensor/at.ts";

export interface Summary {
  readonly n: number;
  readonly median: number;
  readonly p95: number;
  readonly mean: number;
  readonly min: number;
  readonly max: number;
}

/** The p-th percentile (0 < p ≤ 100), nearest-rank: the smallest sample with at least p % of samples at or below it. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) throw new RangeError("percentile of no samples");
  if (!(p > 0 && p <= 100)) throw new RangeError(`percentile must be in (0, 100], got ${p}`);
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return at(sorted, Math.min(sorted.length, Math.max(1, rank)) - 1);
}

/** The median: the mean of the two middle samples when their number is even. */
export function median(samples: readonly number[]): number {
  if (samples.length === 0) throw new RangeError("median of no samples");
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = sorted.length >> 1; // 1 ≤ mid < length when there are 2 samples or more, 0 with 1
  return sorted.length % 2 === 1 ? at(sorted, mid) : (at(sorted, mid - 1) + at(sorted, mid)) / 2;
}

export function summarize(samples: readonly number[]): Summary {
  if (samples.length === 0) throw new RangeError("summary of no samples");
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  for (const s of samples) {
    min = Math.min(min, s);
    max = Math.max(max, s);
    sum += s;
  }
  return {
    n: samples.length,
    median: median(samples),
    p95: percentile(samples, 95),
    mean: sum / samples.length,
    min,
    max,
  };
}

/** Rounds to `digits` significant decimals after the point (for the JSON file). */
export function round(x: number, digits = 3): number {
  const k = 10 ** digits;
  return Math.round(x * k) / k;
}

export function roundSummary(s: Summary, digits = 3): Summary {
  return {
    n: s.n,
    median: round(s.median, digits),
    p95: round(s.p95, digits),
    mean: round(s.mean, digits),
    min: round(s.min, digits),
    max: round(s.max, digits),
  };
}
