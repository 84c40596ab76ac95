/**
 * Elementwise arithmetic of the float profile — Add, Sub, Mul, Div, Sqrt on one element
 * (docs/PROTOCOL.md §11.5). The claim must be a faithful rounding of the exact result y:
 *
 *   |ŷ − y| ≤ 2u·|y| + η.
 *
 * A faithful rounding is one of the two fp32 neighbours of y, so it errs by less than one
 * ulp of y, and ulp(y) ≤ 2u·|y| for y in the normal range; below it the error is under
 * 2⁻¹²⁶ ≤ η (flushed to zero or not). The bound uses the exact |y|, not |ŷ|: a claim cannot
 * widen its own bound, and the check stays exact — Div multiplies through by |b|
 * (|ŷ·b − a| ≤ 2u·|a| + η·|b|, no division), Sqrt squares both sides.
 *
 * Special operands follow IEEE 754 exactly (NaN in, NaN out; ∞ − ∞ and 0·∞ are NaN;
 * x/0 is a signed ∞ and 0/0 NaN; the square root of a negative number is NaN): then the
 * claim must equal the IEEE result after canonicalization. An exact result of magnitude
 * 2^127 or more might round to ∞ or to the largest finite value: unchecked.
 */
import {
  abs,
  add,
  cmp,
  mul,
  negate,
  onGrid,
  pow2,
  product,
  rational,
  ratOf,
  sub,
  termOf,
  type Rational,
  type Term,
} from "./dyadic.ts";
import { canonicalize, decode, fromBits, isFinite32, toBits } from "./f32.ts";
import { assertSupported, type NumericsPolicy } from "./policy.ts";
import { OVERFLOW_EXPONENT } from "./sum.ts";
import { Verdict } from "./verdict.ts";

export const ElementwiseOp = { ADD: 0, SUB: 1, MUL: 2, DIV: 3, SQRT: 4 } as const;
export type ElementwiseOp = (typeof ElementwiseOp)[keyof typeof ElementwiseOp];
export const ELEMENTWISE_NAME: Record<ElementwiseOp, string> = { 0: "Add", 1: "Sub", 2: "Mul", 3: "Div", 4: "Sqrt" };

export interface ElementwiseElement {
  readonly op: ElementwiseOp;
  readonly a: number;
  /** The second operand's bits (ignored by Sqrt). */
  readonly b: number;
  readonly claimed: number;
}

/** Bits below the top of the largest quantity that the grid keeps (everything then fits in 2^202 units). */
export const ELEMENTWISE_SPAN = 200;
/** The same for Sqrt, whose quantities are squared. */
export const SQRT_SPAN = 100;

const isZero = (bits: number) => (bits & 0x7fffffff) === 0;
const isNegative = (bits: number) => bits >>> 31 === 1 && !isZero(bits);

/**
 * The IEEE result when the element is special (a non-finite operand, a zero divisor, the
 * square root of a negative number), else undefined. Every special result is ±0, ±∞ or
 * NaN, which double arithmetic gives exactly.
 */
export function specialResult(e: ElementwiseElement): number | undefined {
  const a = fromBits(e.a);
  if (e.op === ElementwiseOp.SQRT) {
    return isFinite32(e.a) && !isNegative(e.a) ? undefined : toBits(Math.sqrt(a));
  }
  const special = !isFinite32(e.a) || !isFinite32(e.b) || (e.op === ElementwiseOp.DIV && isZero(e.b));
  if (!special) return undefined;
  const b = fromBits(e.b);
  const r =
    e.op === ElementwiseOp.ADD
      ? a + b
      : e.op === ElementwiseOp.SUB
        ? a - b
        : e.op === ElementwiseOp.MUL
          ? a * b
          : a / b;
  return toBits(r);
}

/** A dyadic quantity of the check with the width of its integer mantissa (24 for a value, 48 for a product, 1 for η). */
interface Part extends Term {
  readonly width: number;
}

const part = (t: Term, width: number): Part => ({ ...t, width });

/** The grid: as fine as the finest part, but at most `span` bits below the top of the largest. */
export function elementwiseGrid(parts: readonly Part[], span: number): number {
  const low = Math.min(...parts.map((p) => p.exp));
  const top = Math.max(...parts.map((p) => p.exp + p.width));
  return Math.max(low, top - span);
}

/** Σ of signed parts on grid z, and how many lost bits. */
function onGridSum(parts: readonly Part[], z: number): { value: bigint; inexact: bigint } {
  let value = 0n;
  let inexact = 0n;
  for (const p of parts) {
    const { q, inexact: cut } = onGrid(p, z);
    value += p.negative ? -q : q;
    if (cut) inexact += 1n;
  }
  return { value, inexact };
}

const absBig = (x: bigint) => (x < 0n ? -x : x);

/** The quantities of |D| ≤ 2u·R + E: D = ŷ − y (Div: ŷ·b − a), R = |y| (Div: |a|), E = η (Div: η·|b|). */
function boundParts(e: ElementwiseElement, policy: NumericsPolicy): { d: Part[]; r: Part[]; eta: Part } {
  const c = termOf(e.claimed);
  const a = termOf(e.a);
  const b = termOf(e.b);
  const eta: Term = { negative: false, mag: 1n, exp: policy.etaExponent };
  switch (e.op) {
    case ElementwiseOp.ADD:
      return {
        d: [part(c, 24), part(negate(a), 24), part(negate(b), 24)],
        r: [part(a, 24), part(b, 24)],
        eta: part(eta, 1),
      };
    case ElementwiseOp.SUB:
      return {
        d: [part(c, 24), part(negate(a), 24), part(b, 24)],
        r: [part(a, 24), part(negate(b), 24)],
        eta: part(eta, 1),
      };
    case ElementwiseOp.MUL: {
      const y = product(a, b);
      return { d: [part(c, 24), part(negate(y), 48)], r: [part(y, 48)], eta: part(eta, 1) };
    }
    default: {
      const absB = { ...b, negative: false };
      return {
        d: [part(product(c, b), 48), part(negate(a), 24)],
        r: [part(a, 24)],
        eta: part(product(eta, absB), 24),
      };
    }
  }
}

/** |a| ≥ 2^127·|b|: the quotient might overflow. */
function quotientOverflows(aBits: number, bBits: number): boolean {
  const a = termOf(aBits);
  const b = termOf(bBits);
  return (
    a.mag !== 0n &&
    cmp(rational({ ...a, negative: false }), mul(pow2(OVERFLOW_EXPONENT), rational({ ...b, negative: false }))) >= 0
  );
}

/**
 * The contract's rule for Add, Sub, Mul, Div. Overflow is judged on y's own parts (a grid
 * of {@link elementwiseGrid} over them alone), so it never depends on the claim; the bound
 * then on one grid over every quantity, roundings in the provider's favour.
 */
function gridArithmeticVerdict(e: ElementwiseElement, policy: NumericsPolicy): Verdict {
  const claimed = decode(e.claimed);
  const { d, r, eta } = boundParts({ ...e, claimed: claimed.kind === "finite" ? e.claimed : 0 }, policy);
  if (e.op === ElementwiseOp.DIV) {
    if (quotientOverflows(e.a, e.b)) return Verdict.UNCHECKED;
  } else {
    const zy = elementwiseGrid(r, ELEMENTWISE_SPAN);
    const y = onGridSum(r, zy);
    if (reaches(absBig(y.value) + y.inexact, zy)) return Verdict.UNCHECKED;
  }
  if (claimed.kind !== "finite") return Verdict.VIOLATES;
  const z = elementwiseGrid([...d, ...r, eta], ELEMENTWISE_SPAN);
  const rSum = onGridSum(r, z);
  const rUp = absBig(rSum.value) + rSum.inexact;
  const dSum = onGridSum(d, z);
  const dLow = absBig(dSum.value) > dSum.inexact ? absBig(dSum.value) - dSum.inexact : 0n;
  const etaGrid = onGrid(eta, z);
  const etaUp = etaGrid.q + (etaGrid.inexact ? 1n : 0n);
  if (dLow <= etaUp) return Verdict.ADMISSIBLE;
  return (dLow - etaUp) << BigInt(policy.accumulationBits - 1) > rUp ? Verdict.VIOLATES : Verdict.ADMISSIBLE;
}

function reaches(value: bigint, z: number): boolean {
  const e = OVERFLOW_EXPONENT - z;
  return e <= 0 ? value > 0n : value >= 1n << BigInt(e);
}

/**
 * The contract's rule for Sqrt, r = √a, a ≥ 0: admissible iff (1 − 2u)·r ≤ ŷ + η and
 * ŷ − η ≤ (1 + 2u)·r, i.e. with P = ŷ + η, Q = ŷ − η and u = 2^−p:
 *   P ≥ 0 and (2^(p−1) − 1)²·a ≤ 2^(2p−2)·P², and
 *   Q ≤ 0 or 2^(2p−2)·Q² ≤ (2^(p−1) + 1)²·a.
 * On a grid z for ŷ and η (2z for a), P rounded up, Q down, a down in the first test and
 * up in the second: a violation is flagged only when it holds for every value they enclose.
 */
function gridSqrtVerdict(e: ElementwiseElement, policy: NumericsPolicy): Verdict {
  const claimed = decode(e.claimed);
  if (claimed.kind !== "finite") return Verdict.VIOLATES;
  const c = termOf(e.claimed);
  const eta: Term = { negative: false, mag: 1n, exp: policy.etaExponent };
  const z = elementwiseGrid([part(c, 24), part(eta, 1)], SQRT_SPAN);
  const cg = onGrid(c, z);
  const cLo = c.negative ? -cg.q - (cg.inexact ? 1n : 0n) : cg.q;
  const cHi = c.negative ? -cg.q : cg.q + (cg.inexact ? 1n : 0n);
  const eg = onGrid(eta, z);
  const etaHi = eg.q + (eg.inexact ? 1n : 0n);
  const a = termOf(e.a);
  const ag = onGrid(a, 2 * z);
  const aLo = ag.q;
  const aHi = ag.q + (ag.inexact ? 1n : 0n);
  const p = BigInt(policy.accumulationBits);
  const h = 1n << (p - 1n);
  const pUp = cHi + etaHi;
  if (pUp < 0n || (h - 1n) * (h - 1n) * aLo > h * h * pUp * pUp) return Verdict.VIOLATES;
  const qLo = cLo - etaHi;
  if (qLo > 0n && h * h * qLo * qLo > (h + 1n) * (h + 1n) * aHi) return Verdict.VIOLATES;
  return Verdict.ADMISSIBLE;
}

/** The contract's decision for one elementwise element. */
export function elementwiseVerdict(e: ElementwiseElement, policy: NumericsPolicy): Verdict {
  assertSupported(policy);
  const special = specialResult(e);
  if (special !== undefined) {
    return canonicalize(e.claimed) === canonicalize(special) ? Verdict.ADMISSIBLE : Verdict.VIOLATES;
  }
  return e.op === ElementwiseOp.SQRT ? gridSqrtVerdict(e, policy) : gridArithmeticVerdict(e, policy);
}

/** The exact result y of a non-special element (Sqrt: y², since √a is irrational in general). */
export function exactResult(e: ElementwiseElement): Rational {
  const a = rational(termOf(e.a));
  const b = e.op === ElementwiseOp.SQRT ? ratOf(0n) : rational(termOf(e.b));
  switch (e.op) {
    case ElementwiseOp.ADD:
      return add(a, b);
    case ElementwiseOp.SUB:
      return sub(a, b);
    case ElementwiseOp.MUL:
      return mul(a, b);
    case ElementwiseOp.DIV:
      return ratOf(a.num * b.den, a.den * b.num);
    default:
      return a;
  }
}

/** The definition with exact rationals: |ŷ − y| > 2u·|y| + η (Sqrt through the squared inequalities, no grid). */
export function exactElementwiseVerdict(e: ElementwiseElement, policy: NumericsPolicy): Verdict {
  assertSupported(policy);
  const special = specialResult(e);
  if (special !== undefined) {
    return canonicalize(e.claimed) === canonicalize(special) ? Verdict.ADMISSIBLE : Verdict.VIOLATES;
  }
  const twoU = pow2(1 - policy.accumulationBits);
  const eta = pow2(policy.etaExponent);
  if (e.op === ElementwiseOp.SQRT) {
    if (!isFinite32(e.claimed)) return Verdict.VIOLATES;
    const a = rational(termOf(e.a));
    const c = rational(termOf(e.claimed));
    const P = add(c, eta);
    const Q = sub(c, eta);
    const lo = sub(ratOf(1n), twoU);
    const hi = add(ratOf(1n), twoU);
    if (P.num < 0n || cmp(mul(mul(lo, lo), a), mul(P, P)) > 0) return Verdict.VIOLATES;
    if (Q.num > 0n && cmp(mul(Q, Q), mul(mul(hi, hi), a)) > 0) return Verdict.VIOLATES;
    return Verdict.ADMISSIBLE;
  }
  const y = exactResult(e);
  if (cmp(abs(y), pow2(OVERFLOW_EXPONENT)) >= 0) return Verdict.UNCHECKED;
  if (!isFinite32(e.claimed)) return Verdict.VIOLATES;
  const distance = abs(sub(rational(termOf(e.claimed)), y));
  return cmp(distance, add(mul(twoU, abs(y)), eta)) > 0 ? Verdict.VIOLATES : Verdict.ADMISSIBLE;
}

/** The bound 2u·|y| + η of a non-special Add/Sub/Mul/Div element, exactly. */
export function elementwiseBound(e: ElementwiseElement, policy: NumericsPolicy): Rational {
  return add(mul(pow2(1 - policy.accumulationBits), abs(exactResult(e))), pow2(policy.etaExponent));
}
