/**
 * One operator node prepared for checking, element by element. A kernel reads the node's
 * operands in place; `check` decides one output element against a claimed value and
 * writes what it found into a caller-owned {@link ElementCheck}, so checking millions of
 * elements allocates nothing.
 */
import type { Verdict } from "../verdict.ts";

/** Which bound applies (docs/PROTOCOL.md §11.4–§11.6). */
export type OpFamily = "dot" | "mean" | "elementwise" | "exact";
export const OP_FAMILIES: readonly OpFamily[] = ["dot", "mean", "elementwise", "exact"];

export class ElementCheck {
  verdict: Verdict = 0;
  /** The float64 estimate of the exact value (exact operators: the exact value). */
  estimate = 0;
  /** B in float64 (0 for exact operators). */
  bound = 0;
  /** |claimed − estimate| in float64. */
  distance = 0;
  /** Whether the float64 test was too close to call and the exact rule decided. */
  deferred = false;
}

export interface ElementKernel {
  readonly opType: string;
  readonly family: OpFamily;
  /** Output elements. */
  readonly size: number;
  /**
   * Decides output element `index` for a claimed value: fp32 bits for a float output,
   * the index itself for ArgMax.
   */
  check(index: number, claimed: number, out: ElementCheck): void;
}
