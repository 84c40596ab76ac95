/**
 * ArgMax (docs/PROTOCOL.md §6, opcode 15), attrs `[axis, keepdims,
 * select_last_index]`, on the last axis only: for each row of length L (the
 * last dimension) the int64 index of the first maximum, or of the last one
 * when select_last_index = 1. The output shape is the input's without its last
 * axis, or with it set to 1 when keepdims = 1.
 *
 * Operand openings of output element o (§6.1): x (operand 0) [o·L, L) — the row.
 */
import type { NodeDescriptor } from "../../graph/descriptor.ts";
import { DType } from "../../tensor/dtype.ts";
import { Layout } from "../../tensor/spec.ts";
import { allocate, Tensor } from "../../tensor/tensor.ts";
import {
  attr,
  checkAttrCount,
  checkDType,
  checkInputCount,
  fail,
  normalizeAxis,
  operandTensor,
  readGroup,
  requireSpec,
} from "../common.ts";
import type { OpImpl } from "../types.ts";

const ALL_DTYPES: readonly DType[] = [DType.UINT8, DType.INT8, DType.INT32, DType.INT64];

function rowLength(desc: NodeDescriptor): number {
  const s = requireSpec(desc, 0, "input").shape;
  const L = s[s.length - 1];
  if (L === undefined) throw fail(desc, "input must have rank >= 1");
  return L;
}

function selectLast(desc: NodeDescriptor): boolean {
  return desc.attrs[2] === 1n;
}

export const argmax: OpImpl = {
  check(desc) {
    checkInputCount(desc, 1, 1);
    checkAttrCount(desc, 3);
    const x = requireSpec(desc, 0, "input");
    checkDType(desc, "input", x.dtype, ALL_DTYPES);
    if (x.shape.length < 1) throw fail(desc, "input must have rank >= 1");
    if (x.layout !== Layout.ROW_MAJOR)
      throw fail(desc, "the input must be committed row-major (its rows are the openings)");
    const axis = normalizeAxis(desc, attr(desc, 0), x.shape.length);
    if (axis !== x.shape.length - 1) throw fail(desc, `only the last axis is supported, got axis ${attr(desc, 0)}`);
    const keepdims = attr(desc, 1);
    const last = attr(desc, 2);
    if (keepdims !== 0n && keepdims !== 1n) throw fail(desc, `keepdims must be 0 or 1, got ${keepdims}`);
    if (last !== 0n && last !== 1n) throw fail(desc, `select_last_index must be 0 or 1, got ${last}`);
    const lead = x.shape.slice(0, -1);
    return { shape: keepdims === 1n ? [...lead, 1] : lead, dtype: DType.INT64 };
  },

  reads(desc, outIndex) {
    const L = rowLength(desc);
    return [{ operand: 0, indices: Array.from({ length: L }, (_, k) => outIndex * L + k) }];
  },

  compute(desc, _outIndex, values) {
    const row = readGroup(desc, values, 0);
    const last = selectLast(desc);
    let best = 0;
    let max: bigint | undefined;
    for (const [k, v] of row.entries()) {
      if (max === undefined || v > max || (last && v === max)) {
        best = k;
        max = v;
      }
    }
    return BigInt(best);
  },

  evaluateNode(desc, operands) {
    const x = operandTensor(operands, 0).data;
    const L = rowLength(desc);
    const rows = x.length / L;
    const out = allocate(DType.INT64, rows) as BigInt64Array;
    const last = selectLast(desc);
    for (let r = 0; r < rows; r++) {
      const base = r * L;
      // rows · L = x.length, so base + k < x.length for every k < L (L ≥ 1, a dimension).
      let best = 0;
      let max = x[base]!;
      for (let k = 1; k < L; k++) {
        const v = x[base + k]!;
        if (v > max || (last && v === max)) {
          best = k;
          max = v;
        }
      }
      out[r] = BigInt(best);
    }
    return new Tensor(desc.output, out);
  },
};
