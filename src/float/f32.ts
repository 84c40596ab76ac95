/**
 * fp32 elements of the float profile (docs/PROTOCOL.md §11.1): IEEE 754 binary32 bit
 * patterns, decoded to exact integers. A finite value is `(−1)^sign · mantissa · 2^exponent`
 * with `mantissa < 2^24` and `exponent ≥ −149`, so every product and sum of such values is
 * a dyadic number the reference can hold exactly in bigints.
 */

/** The one NaN pattern a committed tensor may hold. */
export const CANONICAL_NAN = 0x7fc00000;
/** +∞ and −∞. */
export const POSITIVE_INFINITY = 0x7f800000;
export const NEGATIVE_INFINITY = 0xff800000;
/** The largest finite magnitude, (2 − 2⁻²³)·2¹²⁷. */
export const MAX_FINITE = 0x7f7fffff;
/** Bits of 1.0 (Gemm's α and β when absent). */
export const ONE = 0x3f800000;

/** Exponent of the smallest subnormal: every finite value is an integer multiple of 2^MIN_EXPONENT. */
export const MIN_EXPONENT = -149;

export type Decoded =
  | { readonly kind: "finite"; readonly negative: boolean; readonly mantissa: bigint; readonly exponent: number }
  | { readonly kind: "infinite"; readonly negative: boolean }
  | { readonly kind: "nan" };

/** A 32-bit pattern as an unsigned integer (the form every API here takes). */
export function bitsOf(x: number): number {
  if (!Number.isInteger(x) || x < 0 || x > 0xffffffff) throw new RangeError(`not a 32-bit pattern: ${x}`);
  return x;
}

/**
 * The exact value behind a pattern. Normal: mantissa `2^23 + fraction`, exponent `E − 150`;
 * subnormal and zero (`E = 0`): mantissa `fraction`, exponent −149. Both zeros decode to
 * mantissa 0, which is how −0 compares equal to +0.
 */
export function decode(bits: number): Decoded {
  bitsOf(bits);
  const negative = bits >>> 31 === 1;
  const biased = (bits >>> 23) & 0xff;
  const fraction = bits & 0x7fffff;
  if (biased === 0xff) return fraction === 0 ? { kind: "infinite", negative } : { kind: "nan" };
  const mantissa = BigInt(biased === 0 ? fraction : fraction | 0x800000);
  return { kind: "finite", negative, mantissa, exponent: Math.max(biased, 1) - 150 };
}

export function isFinite32(bits: number): boolean {
  return ((bits >>> 23) & 0xff) !== 0xff;
}

export function isNaN32(bits: number): boolean {
  return ((bits >>> 23) & 0xff) === 0xff && (bits & 0x7fffff) !== 0;
}

/**
 * The canonical form used for comparisons: every NaN becomes {@link CANONICAL_NAN} and −0
 * becomes +0; everything else is unchanged.
 */
export function canonicalize(bits: number): number {
  bitsOf(bits);
  if (isNaN32(bits)) return CANONICAL_NAN;
  if (bits === 0x80000000) return 0;
  return bits;
}

/** Whether a pattern may appear in a committed tensor: any pattern but a non-canonical NaN (−0 and subnormals included). */
export function isCanonical(bits: number): boolean {
  return !isNaN32(bits) || bits === CANONICAL_NAN;
}

/** Equality after canonicalization (−0 = +0, all NaNs equal). */
export function equal32(a: number, b: number): boolean {
  return canonicalize(a) === canonicalize(b);
}

const view = new DataView(new ArrayBuffer(4));

/** The binary32 pattern of `Math.fround(x)`. */
export function toBits(x: number): number {
  view.setFloat32(0, x);
  return view.getUint32(0);
}

/** The number a pattern stands for (NaN for every NaN pattern). */
export function fromBits(bits: number): number {
  view.setUint32(0, bitsOf(bits));
  return view.getFloat32(0);
}

/**
 * The pattern `steps` ulps away from zero (toward zero when negative), keeping the sign:
 * consecutive finite patterns of one sign are consecutive integers.
 */
export function stepUlps(bits: number, steps: number): number {
  const magnitude = (bits & 0x7fffffff) + steps;
  if (magnitude < 0 || magnitude > 0x7f800000)
    throw new RangeError(`stepping ${bits} by ${steps} leaves its sign's range`);
  return ((bits & 0x80000000) | magnitude) >>> 0;
}
