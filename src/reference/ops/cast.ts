/**
 * Cast (docs/PROTOCOL.md §6, opcode 10), attrs `[to]`: between the profile's
 * integer dtypes by two's-complement truncation / sign or zero extension
 * (C++ static_cast), e.g. int32 300 → int8 44, int8 −1 → uint8 255.
 *
 * Operand openings of output element o (§6.1): x (operand 0) [o, 1).
 */
import { DType, isDType, wrap } from "../../tensor/dtype.ts";
import { allocate, Tensor } from "../../tensor/tensor.ts";
import {
  attr,
  checkAttrCount,
  checkDType,
  checkInputCount,
  fail,
  operandTensor,
  readValue,
  requireSpec,
} from "../common.ts";
import type { OpImpl } from "../types.ts";

const ALL_DTYPES: readonly DType[] = [DType.UINT8, DType.INT8, DType.INT32, DType.INT64];

export const cast: OpImpl = {
  check(desc) {
    checkInputCount(desc, 1, 1);
    checkAttrCount(desc, 1);
    const x = requireSpec(desc, 0, "input");
    checkDType(desc, "input", x.dtype, ALL_DTYPES);
    const to = Number(attr(desc, 0));
    if (!isDType(to)) throw fail(desc, `to=${attr(desc, 0)} is not a profile dtype`);
    return { shape: [...x.shape], dtype: to };
  },

  reads(_desc, outIndex) {
    return [{ operand: 0, indices: [outIndex] }];
  },

  compute(desc, _outIndex, values) {
    return wrap(readValue(desc, values, 0), desc.output.dtype);
  },

  evaluateNode(desc, operands) {
    const x = operandTensor(operands, 0).data;
    const out = allocate(desc.output.dtype, x.length);
    if (out instanceof BigInt64Array) {
      for (let i = 0; i < x.length; i++) out[i] = BigInt(x[i]!);
    } else if (x instanceof BigInt64Array) {
      const o = out as Int8Array | Uint8Array | Int32Array;
      // BigInt.asIntN(32, …) first: Number() of a large int64 would lose low bits.
      for (let i = 0; i < x.length; i++) o[i] = Number(BigInt.asIntN(32, x[i]!));
    } else {
      const o = out as Int8Array | Uint8Array | Int32Array;
      o.set(x); // between number arrays, set stores each element as an assignment would: truncated modulo 2^width
    }
    return new Tensor(desc.output, out);
  },
};
