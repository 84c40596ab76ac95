/**
 * Add, Sub, Mul, Div, Max, Min (docs/PROTOCOL.md §6, opcodes 2–5, 8, 9):
 * same-dtype operands with numpy broadcasting; arithmetic wraps to the dtype
 * (two's complement, as onnxruntime's C++ kernels do), Div truncates toward zero.
 *
 * Operand openings of output element o (§6.1): one element per operand, in
 * input order, at its broadcast index.
 */
import type { NodeDescriptor } from "../../graph/descriptor.ts";
import { Opcode } from "../../graph/opcode.ts";
import { DType, wrap } from "../../tensor/dtype.ts";
import { allocate, Tensor } from "../../tensor/tensor.ts";
import { broadcastIndex, broadcastIndexTables, broadcastShape, sameShape } from "../broadcast.ts";
import { checkInputCount, fail, operandTensor, readValue, requireSpec } from "../common.ts";
import type { OpImpl } from "../types.ts";

const ALL_DTYPES: readonly DType[] = [DType.UINT8, DType.INT8, DType.INT32, DType.INT64];

function isVariadic(desc: NodeDescriptor): boolean {
  return desc.opcode === Opcode.Max || desc.opcode === Opcode.Min;
}

function inputShapes(desc: NodeDescriptor): (readonly number[])[] {
  return desc.inputs.map((_, i) => requireSpec(desc, i, `input ${i}`).shape);
}

/** One step of the op on bigints, wrapped to `dtype`. */
export function binaryElement(desc: NodeDescriptor, a: bigint, b: bigint, dtype: DType): bigint {
  switch (desc.opcode) {
    case Opcode.Add:
      return wrap(a + b, dtype);
    case Opcode.Sub:
      return wrap(a - b, dtype);
    case Opcode.Mul:
      return wrap(a * b, dtype);
    case Opcode.Div:
      if (b === 0n) throw fail(desc, "division by zero");
      return wrap(a / b, dtype); // bigint division truncates toward zero, like C++
    case Opcode.Max:
      return a >= b ? a : b;
    case Opcode.Min:
      return a <= b ? a : b;
    default:
      throw fail(desc, "not an elementwise op");
  }
}

export const elementwise: OpImpl = {
  check(desc) {
    if (isVariadic(desc)) checkInputCount(desc, 1, Number.MAX_SAFE_INTEGER);
    else checkInputCount(desc, 2, 2);
    const dtype = requireSpec(desc, 0, "input 0").dtype;
    if (!ALL_DTYPES.includes(dtype)) throw fail(desc, `unsupported dtype ${dtype}`);
    desc.inputs.forEach((_, i) => {
      if (requireSpec(desc, i, `input ${i}`).dtype !== dtype)
        throw fail(desc, `input ${i} has another dtype than input 0`);
    });
    return { shape: broadcastShape(inputShapes(desc)), dtype };
  },

  reads(desc, outIndex) {
    const outShape = desc.output.shape;
    return desc.inputs.map((op, i) => ({ operand: i, indices: [broadcastIndex(outShape, op.spec.shape, outIndex)] }));
  },

  compute(desc, _outIndex, values) {
    const dtype = desc.output.dtype;
    let acc = readValue(desc, values, 0);
    for (let i = 1; i < values.length; i++) acc = binaryElement(desc, acc, readValue(desc, values, i), dtype);
    return acc;
  },

  evaluateNode(desc, operands) {
    const outShape = desc.output.shape;
    const dtype = desc.output.dtype;
    const tensors = desc.inputs.map((_, i) => operandTensor(operands, i));
    const n = outShape.reduce((a, b) => a * b, 1);
    const out = allocate(dtype, n);
    const needsTables = tensors.some((t) => !sameShape(t.spec.shape, outShape));
    const idx = needsTables
      ? broadcastIndexTables(
          outShape,
          tensors.map((t) => t.spec.shape),
        )
      : undefined;
    // Bounds, for every k < ins.length (one entry per operand, at least one: checkInputCount) and o < n:
    // with tables, table k has n entries, each an index into operand k; without, every operand
    // has the output's shape, so n elements.
    const at = (k: number, o: number) => (idx === undefined ? o : idx[k]![o]!);

    if (out instanceof BigInt64Array) {
      const ins = tensors.map((t) => t.data as BigInt64Array);
      for (let o = 0; o < n; o++) {
        let acc = ins[0]![at(0, o)]!;
        for (let k = 1; k < ins.length; k++) acc = binaryElement(desc, acc, ins[k]![at(k, o)]!, dtype);
        out[o] = acc; // BigInt64Array stores modulo 2^64
      }
    } else {
      const ins = tensors.map((t) => t.data as Int8Array | Uint8Array | Int32Array);
      const step = numberStep(desc, dtype);
      for (let o = 0; o < n; o++) {
        let acc = ins[0]![at(0, o)]!;
        for (let k = 1; k < ins.length; k++) acc = step(acc, ins[k]![at(k, o)]!);
        out[o] = acc; // typed-array stores wrap (ToInt8 / ToUint8 / ToInt32)
      }
    }
    return new Tensor(desc.output, out);
  },
};

/**
 * The op on numbers for 8- and 32-bit dtypes. Results are exact before the
 * wrapping store (int32 Mul uses Math.imul, which wraps itself); intermediate
 * accumulators of variadic Max/Min stay in range.
 */
function numberStep(desc: NodeDescriptor, dtype: DType): (a: number, b: number) => number {
  const wrapNum =
    dtype === DType.INT32
      ? (v: number) => v | 0
      : dtype === DType.INT8
        ? (v: number) => (v << 24) >> 24
        : (v: number) => v & 0xff;
  switch (desc.opcode) {
    case Opcode.Add:
      return (a, b) => wrapNum(a + b);
    case Opcode.Sub:
      return (a, b) => wrapNum(a - b);
    case Opcode.Mul:
      return (a, b) => wrapNum(Math.imul(a, b));
    case Opcode.Div:
      return (a, b) => {
        if (b === 0) throw fail(desc, "division by zero");
        return wrapNum(Math.trunc(a / b));
      };
    case Opcode.Max:
      return (a, b) => (a >= b ? a : b);
    case Opcode.Min:
      return (a, b) => (a <= b ? a : b);
    default:
      throw fail(desc, "not an elementwise op");
  }
}
