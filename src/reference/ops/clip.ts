/**
 * Clip (opcode 6) and Relu (opcode 7), docs/PROTOCOL.md §6.
 *
 *   Clip: y = min(max(x, lo), hi), lo/hi the min/max inputs or, when absent,
 *         the dtype's limits. When lo > hi every element becomes hi (ONNX's
 *         rule, which this formula gives).
 *   Relu: y = max(x, 0).
 *
 * Operand openings of output element o (§6.1), in this order:
 *   Clip: x (operand 0) [o, 1); min (operand 1) [0, 1) if present; max (operand 2) [0, 1) if present.
 *   Relu: x (operand 0) [o, 1).
 */
import type { NodeDescriptor } from "../../graph/descriptor.ts";
import { Opcode } from "../../graph/opcode.ts";
import { DType, dtypeInfo } from "../../tensor/dtype.ts";
import { elementCount } from "../../tensor/spec.ts";
import { allocate, Tensor } from "../../tensor/tensor.ts";
import { checkDType, checkInputCount, fail, operandSpec, operandTensor, readValue, requireSpec } from "../common.ts";
import type { OpImpl, ReadGroup } from "../types.ts";

const ALL_DTYPES: readonly DType[] = [DType.UINT8, DType.INT8, DType.INT32, DType.INT64];

function bounds(desc: NodeDescriptor, lo: bigint | undefined, hi: bigint | undefined): { lo: bigint; hi: bigint } {
  const info = dtypeInfo(desc.output.dtype);
  return { lo: lo ?? info.min, hi: hi ?? info.max };
}

function clamp(x: bigint, lo: bigint, hi: bigint): bigint {
  const y = x < lo ? lo : x;
  return y > hi ? hi : y;
}

export const clip: OpImpl = {
  check(desc) {
    const x = requireSpec(desc, 0, "input");
    if (desc.opcode === Opcode.Relu) {
      checkInputCount(desc, 1, 1);
      checkDType(desc, "input", x.dtype, [DType.INT8, DType.INT32, DType.INT64]);
    } else {
      checkInputCount(desc, 1, 3);
      checkDType(desc, "input", x.dtype, ALL_DTYPES);
      for (const [i, role] of [
        [1, "min"],
        [2, "max"],
      ] as const) {
        const s = operandSpec(desc, i);
        if (s === undefined) continue;
        if (s.dtype !== x.dtype) throw fail(desc, `${role} must have the input's dtype`);
        if (elementCount(s.shape) !== 1 || s.shape.length > 1) throw fail(desc, `${role} must be a scalar`);
      }
    }
    return { shape: [...x.shape], dtype: x.dtype };
  },

  reads(desc, outIndex) {
    const groups: ReadGroup[] = [{ operand: 0, indices: [outIndex] }];
    if (desc.opcode === Opcode.Clip) {
      if (operandSpec(desc, 1) !== undefined) groups.push({ operand: 1, indices: [0] });
      if (operandSpec(desc, 2) !== undefined) groups.push({ operand: 2, indices: [0] });
    }
    return groups;
  },

  compute(desc, _outIndex, values) {
    const x = readValue(desc, values, 0);
    if (desc.opcode === Opcode.Relu) return x > 0n ? x : 0n;
    let g = 1;
    const lo = operandSpec(desc, 1) !== undefined ? readValue(desc, values, g++) : undefined;
    const hi = operandSpec(desc, 2) !== undefined ? readValue(desc, values, g++) : undefined;
    const b = bounds(desc, lo, hi);
    return clamp(x, b.lo, b.hi);
  },

  evaluateNode(desc, operands) {
    const x = operandTensor(operands, 0).data;
    const out = allocate(desc.output.dtype, x.length);
    let lo: bigint;
    let hi: bigint;
    if (desc.opcode === Opcode.Relu) {
      lo = 0n;
      hi = dtypeInfo(desc.output.dtype).max;
    } else {
      const b = bounds(
        desc,
        operandSpec(desc, 1) !== undefined ? operandTensor(operands, 1).at(0) : undefined,
        operandSpec(desc, 2) !== undefined ? operandTensor(operands, 2).at(0) : undefined,
      );
      lo = b.lo;
      hi = b.hi;
    }
    if (x instanceof BigInt64Array) {
      const o = out as BigInt64Array;
      for (let i = 0; i < x.length; i++) o[i] = clamp(x[i]!, lo, hi);
    } else {
      const o = out as Int8Array | Uint8Array | Int32Array;
      const l = Number(lo);
      const h = Number(hi);
      for (let i = 0; i < x.length; i++) {
        const xi = x[i]!;
        const v = xi < l ? l : xi;
        o[i] = v > h ? h : v;
      }
    }
    return new Tensor(desc.output, out);
  },
};
