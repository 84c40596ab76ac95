/**
 * Element `i` of an array or typed array, for a read whose index is in range
 * by construction (a loop bound, a length checked earlier). Should that
 * invariant ever break, the read fails here with a RangeError naming the
 * index, instead of an `undefined` turning into NaN or a wrong value further on.
 * Not for arrays whose elements may themselves be `undefined`.
 */
export function at<T>(arr: ArrayLike<T>, i: number): T {
  const v = arr[i];
  if (v === undefined) throw new RangeError(`index ${i} is outside 0 … ${arr.length - 1}`);
  return v;
}
