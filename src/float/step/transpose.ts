/**
 * Transpose's element map (docs/PROTOCOL.md §11.7, opcode 24): output axis i is input axis
 * perm[i], so output element o copies the input element whose coordinates are o's, permuted
 * back. The mirror of `FloatPointwiseStep._transposeSource`.
 */

/** The row-major input index that output element `outIndex` of a transpose by `perm` copies. */
export function transposeSource(shape: readonly number[], perm: readonly number[], outIndex: number): number {
  const rank = shape.length;
  if (
    perm.length !== rank ||
    new Set(perm).size !== rank ||
    perm.some((p) => !Number.isInteger(p) || p < 0 || p >= rank)
  ) {
    throw new RangeError(`perm [${perm.join(",")}] is not a permutation of ${rank} axes`);
  }
  const strides = new Array<number>(rank);
  let stride = 1;
  for (let i = rank - 1; i >= 0; i--) {
    strides[i] = stride;
    stride *= shape[i] as number;
  }
  if (!Number.isInteger(outIndex) || outIndex < 0 || outIndex >= stride) {
    throw new RangeError(`output index ${outIndex} outside ${stride}`);
  }
  let source = 0;
  let rest = outIndex;
  for (let i = rank - 1; i >= 0; i--) {
    const axis = perm[i] as number;
    const dim = shape[axis] as number;
    source += (rest % dim) * (strides[axis] as number);
    rest = Math.floor(rest / dim);
  }
  return source;
}
