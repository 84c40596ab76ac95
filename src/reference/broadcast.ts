import { at } from "../tensor/at.ts";
import { ReferenceEvalError } from "./types.ts";

/**
 * numpy's multidirectional broadcasting (docs/PROTOCOL.md §6): shapes are
 * aligned on the right; a dimension of 1 repeats.
 */
export function broadcastShape(shapes: readonly (readonly number[])[]): number[] {
  const rank = Math.max(0, ...shapes.map((s) => s.length));
  const out: number[] = new Array<number>(rank).fill(1);
  for (const s of shapes) {
    for (const [i, d] of s.entries()) {
      const axis = rank - s.length + i;
      if (d === 1) continue;
      if (out[axis] === 1) out[axis] = d;
      else if (out[axis] !== d) {
        throw new ReferenceEvalError(`shapes ${shapes.map((x) => `[${x.join(",")}]`).join(" ")} do not broadcast`);
      }
    }
  }
  return out;
}

/** Row-major strides of a shape. */
export function strides(shape: readonly number[]): number[] {
  const s: number[] = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= at(shape, i);
  }
  return s;
}

/**
 * Row-major index, in an operand of shape `inShape`, of the element that
 * output element `outIndex` (row-major in `outShape`) reads: the output
 * coordinates restricted to the operand's trailing axes, 0 where its
 * dimension is 1.
 */
export function broadcastIndex(outShape: readonly number[], inShape: readonly number[], outIndex: number): number {
  const offset = outShape.length - inShape.length;
  let rem = outIndex;
  let index = 0;
  let inStride = 1;
  for (let axis = outShape.length - 1; axis >= offset; axis--) {
    const d = at(outShape, axis);
    const c = rem % d;
    rem = (rem - c) / d;
    const inDim = at(inShape, axis - offset);
    if (inDim !== 1) index += c * inStride;
    inStride *= inDim;
  }
  return index;
}

/**
 * For each operand, the row-major index it reads for every output element,
 * computed with an odometer (no per-element division). Operand strides are 0
 * along broadcast axes.
 */
export function broadcastIndexTables(
  outShape: readonly number[],
  inShapes: readonly (readonly number[])[],
): Int32Array[] {
  const n = outShape.reduce((a, b) => a * b, 1);
  const rank = outShape.length;
  return inShapes.map((s) => {
    const st = strides(s);
    // The operand's stride along each output axis: 0 where it broadcasts (dimension 1, or an axis it lacks).
    const axisStride = new Array<number>(rank).fill(0);
    s.forEach((d, i) => {
      if (d !== 1) axisStride[rank - s.length + i] = at(st, i);
    });
    const table = new Int32Array(n);
    const coord = new Array<number>(rank).fill(0);
    let cur = 0;
    for (let o = 0; o < n; o++) {
      table[o] = cur;
      for (let axis = rank - 1; axis >= 0; axis--) {
        // coord, axisStride and outShape all have `rank` entries, so 0 ≤ axis < rank indexes each.
        const c = coord[axis]! + 1;
        const step = axisStride[axis]!;
        cur += step;
        if (c < outShape[axis]!) {
          coord[axis] = c;
          break;
        }
        cur -= step * c;
        coord[axis] = 0;
      }
    }
    return table;
  });
}

export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}
