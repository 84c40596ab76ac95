/**
 * Gather (docs/PROTOCOL.md §6, opcode 14), attrs `[axis]`: data of rank r,
 * indices (int32/int64) of rank q; the output has shape
 * data[:axis] ‖ indices.shape ‖ data[axis+1:]. A negative index counts from
 * the end of the axis (index + dim); an index outside [−dim, dim) is an error.
 *
 * Output element o has coordinates (i_outer, j, i_inner) with
 *   inner = Π data[axis+1:], Q = |indices|, i_inner = o mod inner,
 *   j = ⌊o / inner⌋ mod Q, i_outer = ⌊o / (inner·Q)⌋,
 * and reads data[(i_outer·dim + idx)·inner + i_inner] with idx = indices[j] (+ dim if < 0).
 *
 * Operand openings of output element o (§6.1), in this order:
 *   1. indices (operand 1): [j, 1)
 *   2. data (operand 0): [(i_outer·dim + idx)·inner + i_inner, 1)
 * The second position depends on the value opened first.
 */
import type { NodeDescriptor } from "../../graph/descriptor.ts";
import { at } from "../../tensor/at.ts";
import { DType } from "../../tensor/dtype.ts";
import { elementCount } from "../../tensor/spec.ts";
import { allocate, Tensor } from "../../tensor/tensor.ts";
import {
  attr,
  checkAttrCount,
  checkDType,
  checkInputCount,
  fail,
  normalizeAxis,
  operandTensor,
  product,
  readValue,
  requireSpec,
  toBigInts,
} from "../common.ts";
import type { OpImpl } from "../types.ts";

const ALL_DTYPES: readonly DType[] = [DType.UINT8, DType.INT8, DType.INT32, DType.INT64];

function geometry(desc: NodeDescriptor) {
  const data = requireSpec(desc, 0, "data").shape;
  const indices = requireSpec(desc, 1, "indices").shape;
  const axis = normalizeAxis(desc, attr(desc, 0), data.length);
  return { axis, dim: at(data, axis), inner: product(data.slice(axis + 1)), Q: elementCount(indices) };
}

/** An index value checked against [−dim, dim) and made non-negative. */
export function gatherIndex(desc: NodeDescriptor, value: bigint, dim: number): number {
  const d = BigInt(dim);
  if (value < -d || value >= d) throw fail(desc, `index ${value} is out of range for an axis of ${dim}`);
  return Number(value < 0n ? value + d : value);
}

export const gather: OpImpl = {
  check(desc) {
    checkInputCount(desc, 2, 2);
    checkAttrCount(desc, 1);
    const data = requireSpec(desc, 0, "data");
    const indices = requireSpec(desc, 1, "indices");
    checkDType(desc, "data", data.dtype, ALL_DTYPES);
    checkDType(desc, "indices", indices.dtype, [DType.INT32, DType.INT64]);
    if (data.shape.length < 1) throw fail(desc, "data must have rank >= 1");
    const axis = normalizeAxis(desc, attr(desc, 0), data.shape.length);
    return {
      shape: [...data.shape.slice(0, axis), ...indices.shape, ...data.shape.slice(axis + 1)],
      dtype: data.dtype,
    };
  },

  reads(desc, outIndex, peek) {
    const { dim, inner, Q } = geometry(desc);
    const iInner = outIndex % inner;
    const j = Math.floor(outIndex / inner) % Q;
    const iOuter = Math.floor(outIndex / (inner * Q));
    const idx = gatherIndex(desc, peek(1, j), dim);
    return [
      { operand: 1, indices: [j] },
      { operand: 0, indices: [(iOuter * dim + idx) * inner + iInner] },
    ];
  },

  compute(desc, _outIndex, values) {
    return readValue(desc, values, 1);
  },

  evaluateNode(desc, operands) {
    const { dim, inner, Q } = geometry(desc);
    const data = operandTensor(operands, 0).data;
    const indices = operandTensor(operands, 1).data;
    const n = elementCount(desc.output.shape);
    const out = allocate(desc.output.dtype, n);
    const idx = toBigInts(indices).map((v) => gatherIndex(desc, v, dim));
    const outer = n / (inner * Q);
    let o = 0;
    for (let io = 0; io < outer; io++) {
      for (const i of idx) {
        const base = (io * dim + i) * inner;
        // Same dtype in and out: a plain element copy. In range: io < outer, i < dim (gatherIndex) and
        // ii < inner, so base + ii < outer · dim · inner = data.length.
        for (let ii = 0; ii < inner; ii++) out[o++] = data[base + ii]!;
      }
    }
    return new Tensor(desc.output, out);
  },
};
