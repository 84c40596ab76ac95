/**
 * What a float check decides about one claimed element (docs/PROTOCOL.md §11.3). The
 * numeric values are the contracts' (`FloatVerdict` in contracts/ops/float/).
 */
export const Verdict = {
  /** The claim is within the bound: no fraud. */
  ADMISSIBLE: 0,
  /** The claim is outside the bound for every value of the enclosure: fraud. */
  VIOLATES: 1,
  /** The element's exact value is out of the checked range (a non-finite operand, possible overflow): no claim is fraud. */
  UNCHECKED: 2,
} as const;
export type Verdict = (typeof Verdict)[keyof typeof Verdict];

export const VERDICT_NAME: Record<Verdict, string> = { 0: "admissible", 1: "violates", 2: "unchecked" };
