/**
 * MatMulInteger (docs/PROTOCOL.md §6, opcode 1): A [M,K] (int8/uint8, any
 * rank ≥ 1: leading axes are rows; committed row-major), B [K,N] (int8/uint8,
 * rank 2, committed transposed), optional a_zero_point (one element, A's dtype) and
 * b_zero_point (one element or [N], B's dtype).
 *
 *   Y[r, n] = Σ_k (A[r,k] − azp) · (B[k,n] − bzp[n])   wrapped to int32
 *
 * The sum is taken modulo 2³², so the order of accumulation (and any
 * zero-point correction scheme) cannot change it.
 *
 * Operand openings of output element o = r·N + n (§6.1), in this order:
 *   1. A (operand 0): the row, committed positions [r·K, K)
 *   2. B (operand 1): the column n, committed positions [n·K, K) (transposed layout)
 *   3. a_zero_point (operand 2), if present: [0, 1)
 *   4. b_zero_point (operand 3), if present: [0, 1) when it has one element, else [n, 1)
 */
import type { NodeDescriptor } from "../../graph/descriptor.ts";
import { at } from "../../tensor/at.ts";
import { DType, wrap } from "../../tensor/dtype.ts";
import { elementCount, Layout } from "../../tensor/spec.ts";
import { allocate, Tensor } from "../../tensor/tensor.ts";
import {
  checkDType,
  checkInputCount,
  fail,
  operandSpec,
  operandTensor,
  readGroup,
  readValue,
  requireSpec,
} from "../common.ts";
import type { OpImpl, ReadGroup } from "../types.ts";

const BYTE_DTYPES: readonly DType[] = [DType.UINT8, DType.INT8];

function dims(desc: NodeDescriptor): { K: number; N: number } {
  const b = requireSpec(desc, 1, "B").shape;
  const [K, N] = b;
  if (K === undefined || N === undefined || b.length !== 2)
    throw fail(desc, `B must have rank 2, got [${b.join(",")}]`);
  return { K, N };
}

export const matmulInteger: OpImpl = {
  check(desc) {
    checkInputCount(desc, 2, 4);
    const a = requireSpec(desc, 0, "A");
    const b = requireSpec(desc, 1, "B");
    checkDType(desc, "A", a.dtype, BYTE_DTYPES);
    checkDType(desc, "B", b.dtype, BYTE_DTYPES);
    if (a.shape.length < 1) throw fail(desc, "A must have rank >= 1");
    const { K, N } = dims(desc);
    // The openings are one row of A and one column of B only in these layouts (as on chain).
    if (a.layout !== Layout.ROW_MAJOR) throw fail(desc, "A must be committed row-major");
    if (b.layout !== Layout.TRANSPOSED) throw fail(desc, "B must be committed transposed");
    if (a.shape[a.shape.length - 1] !== K)
      throw fail(desc, `A [${a.shape.join(",")}] and B [${b.shape.join(",")}] disagree on K`);
    const azp = operandSpec(desc, 2);
    if (azp !== undefined) {
      if (azp.dtype !== a.dtype) throw fail(desc, "a_zero_point must have A's dtype");
      if (elementCount(azp.shape) !== 1 || azp.shape.length > 1)
        throw fail(desc, "a_zero_point must be a scalar (per-tensor)");
    }
    const bzp = operandSpec(desc, 3);
    if (bzp !== undefined) {
      if (bzp.dtype !== b.dtype) throw fail(desc, "b_zero_point must have B's dtype");
      const ok = bzp.shape.length === 0 || (bzp.shape.length === 1 && (bzp.shape[0] === 1 || bzp.shape[0] === N));
      if (!ok) throw fail(desc, `b_zero_point must be a scalar or [${N}], got [${bzp.shape.join(",")}]`);
    }
    const shape = a.shape.length === 1 ? [N] : [...a.shape.slice(0, -1), N];
    return { shape, dtype: DType.INT32 };
  },

  reads(desc, outIndex) {
    const { K, N } = dims(desc);
    const r = Math.floor(outIndex / N);
    const n = outIndex % N;
    const aIdx: number[] = new Array<number>(K);
    const bIdx: number[] = new Array<number>(K);
    for (let k = 0; k < K; k++) {
      aIdx[k] = r * K + k;
      bIdx[k] = k * N + n;
    }
    const groups: ReadGroup[] = [
      { operand: 0, indices: aIdx },
      { operand: 1, indices: bIdx },
    ];
    if (operandSpec(desc, 2) !== undefined) groups.push({ operand: 2, indices: [0] });
    const bzp = operandSpec(desc, 3);
    if (bzp !== undefined) groups.push({ operand: 3, indices: [elementCount(bzp.shape) === 1 ? 0 : n] });
    return groups;
  },

  compute(desc, _outIndex, values) {
    const aRow = readGroup(desc, values, 0);
    const bCol = readGroup(desc, values, 1);
    if (aRow.length !== bCol.length) throw fail(desc, `row of ${aRow.length} and column of ${bCol.length} values`);
    let g = 2;
    const azp = operandSpec(desc, 2) !== undefined ? readValue(desc, values, g++) : 0n;
    const bzp = operandSpec(desc, 3) !== undefined ? readValue(desc, values, g++) : 0n;
    let acc = 0n;
    for (const [k, a] of aRow.entries()) acc += (a - azp) * (at(bCol, k) - bzp);
    return wrap(acc, DType.INT32);
  },

  evaluateNode(desc, operands) {
    const { K, N } = dims(desc);
    const a = operandTensor(operands, 0).data as Int8Array | Uint8Array;
    const b = operandTensor(operands, 1).data as Int8Array | Uint8Array;
    const azp = operandSpec(desc, 2) !== undefined ? Number(operandTensor(operands, 2).at(0)) : 0;
    const bzpData =
      operandSpec(desc, 3) !== undefined ? (operandTensor(operands, 3).data as Int8Array | Uint8Array) : undefined;
    // B − bzp, column-major, so the inner loop walks both operands contiguously.
    // Index bounds below: b holds K · N elements (spec [K, N], checkOperands), bT K · N, aRow K,
    // and a rows · K, so with k < K, n < N, r < rows every read is in range.
    const bT = new Int32Array(K * N);
    for (let n = 0; n < N; n++) {
      // check() allows one element or N.
      const zp = bzpData === undefined ? 0 : at(bzpData, bzpData.length === 1 ? 0 : n);
      for (let k = 0; k < K; k++) bT[n * K + k] = b[k * N + n]! - zp;
    }
    const rows = a.length / K;
    const out = allocate(DType.INT32, rows * N) as Int32Array;
    const aRow = new Int32Array(K);
    for (let r = 0; r < rows; r++) {
      for (let k = 0; k < K; k++) aRow[k] = a[r * K + k]! - azp;
      for (let n = 0; n < N; n++) {
        // |(a − azp)(b − bzp)| ≤ 255², so the exact sum stays below 2⁵³ for any K ≤ 2²⁶
        // and a double holds it; `| 0` then reduces it modulo 2³² (ToInt32).
        let acc = 0;
        const base = n * K;
        for (let k = 0; k < K; k++) acc += aRow[k]! * bT[base + k]!;
        out[r * N + n] = acc | 0;
      }
    }
    return new Tensor(desc.output, out);
  },
};
