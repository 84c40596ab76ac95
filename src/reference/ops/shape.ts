/**
 * Reshape (opcode 11), Flatten (opcode 12, attrs `[axis]`) and Identity
 * (opcode 13), docs/PROTOCOL.md §6: the output holds the input's elements in
 * the same row-major order, so element o of the output is element o of the data.
 *
 * Operand openings of output element o (§6.1): data (operand 0) [o, 1) — for
 * Reshape only the data: the shape operand (a constant) is never opened, the
 * output spec in the descriptor already fixes the shape.
 */
import type { NodeDescriptor } from "../../graph/descriptor.ts";
import { Opcode } from "../../graph/opcode.ts";
import { DType } from "../../tensor/dtype.ts";
import { elementCount } from "../../tensor/spec.ts";
import { Tensor } from "../../tensor/tensor.ts";
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
} from "../common.ts";
import type { OpImpl, Operands } from "../types.ts";

const ALL_DTYPES: readonly DType[] = [DType.UINT8, DType.INT8, DType.INT32, DType.INT64];

/** ONNX Reshape's target shape (allowzero = 0): 0 copies the input dimension, one −1 is inferred. */
export function reshapeTarget(desc: NodeDescriptor, input: readonly number[], shape: readonly bigint[]): number[] {
  const out: number[] = [];
  let infer = -1;
  for (const [i, s] of shape.entries()) {
    if (s === 0n) {
      const d = input[i];
      if (d === undefined) throw fail(desc, `shape[${i}] = 0 has no input dimension to copy`);
      out.push(d);
    } else if (s === -1n) {
      if (infer >= 0) throw fail(desc, "shape has more than one -1");
      infer = i;
      out.push(1);
    } else if (s > 0n) out.push(Number(s));
    else throw fail(desc, `shape[${i}] = ${s} is invalid`);
  }
  if (infer >= 0) {
    const rest = product(out);
    const total = product(input);
    if (total % rest !== 0) throw fail(desc, `cannot infer -1 for ${total} elements`);
    out[infer] = total / rest;
  }
  return out;
}

export const shape: OpImpl = {
  check(desc) {
    const x = requireSpec(desc, 0, "data");
    checkDType(desc, "data", x.dtype, ALL_DTYPES);
    switch (desc.opcode) {
      case Opcode.Reshape: {
        checkInputCount(desc, 2, 2);
        checkAttrCount(desc, 0);
        const s = requireSpec(desc, 1, "shape");
        if (s.dtype !== DType.INT64 || s.shape.length !== 1) throw fail(desc, "shape must be a 1-D int64 tensor");
        if (elementCount(desc.output.shape) !== elementCount(x.shape)) {
          throw fail(desc, `cannot reshape [${x.shape.join(",")}] to [${desc.output.shape.join(",")}]`);
        }
        return { shape: [...desc.output.shape], dtype: x.dtype };
      }
      case Opcode.Flatten: {
        checkInputCount(desc, 1, 1);
        checkAttrCount(desc, 1);
        const axis = normalizeAxis(desc, attr(desc, 0), x.shape.length, true);
        return { shape: [product(x.shape.slice(0, axis)), product(x.shape.slice(axis))], dtype: x.dtype };
      }
      case Opcode.Identity:
        checkInputCount(desc, 1, 1);
        checkAttrCount(desc, 0);
        return { shape: [...x.shape], dtype: x.dtype };
      default:
        throw fail(desc, "not a shape op");
    }
  },

  reads(_desc, outIndex) {
    return [{ operand: 0, indices: [outIndex] }];
  },

  compute(desc, _outIndex, values) {
    return readValue(desc, values, 0);
  },

  evaluateNode(desc: NodeDescriptor, operands: Operands) {
    const x = operandTensor(operands, 0);
    if (desc.opcode === Opcode.Reshape) {
      const s = operandTensor(operands, 1).data as BigInt64Array;
      const target = reshapeTarget(desc, x.spec.shape, Array.from(s));
      if (target.length !== desc.output.shape.length || target.some((d, i) => d !== desc.output.shape[i])) {
        throw fail(
          desc,
          `shape operand gives [${target.join(",")}], the descriptor's output is [${desc.output.shape.join(",")}]`,
        );
      }
    }
    return new Tensor(desc.output, x.data.slice());
  },
};
