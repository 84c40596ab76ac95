import type { NodeDescriptor } from "../graph/descriptor.ts";
import type { DType } from "../tensor/dtype.ts";
import type { Tensor } from "../tensor/tensor.ts";

/**
 * A run of COMMITTED positions of one operand (docs/PROTOCOL.md §2: the
 * position of an element in its tensor's committed order, see
 * `committedPosition`): positions `start … start + count − 1`.
 */
export interface OperandRange {
  /** Index of the operand in the descriptor's `inputs` (ONNX input order). */
  readonly operand: number;
  readonly start: number;
  readonly count: number;
}

/** An OperandRange with the opened values, in committed order. */
export interface OperandOpening extends OperandRange {
  readonly values: readonly bigint[];
}

/** Operand tensors of a node in ONNX input order; `undefined` for an ABSENT (omitted optional) input. */
export type Operands = readonly (Tensor | undefined)[];

/**
 * Looks up one element of an operand, by ROW-MAJOR index, while the element's
 * reads are being planned. Only Gather uses it (the data element it reads
 * depends on the value of the index element it has already read).
 */
export type Peek = (operand: number, rowMajorIndex: number) => bigint;

/** One group of reads of one operand: row-major indices, in the order the op consumes them. */
export interface ReadGroup {
  readonly operand: number;
  readonly indices: readonly number[];
}

/**
 * One operator family. `reads` plans which elements an output element needs,
 * `compute` computes it from exactly those values (what the on-chain one-step
 * evaluator does), `evaluateNode` is the whole-tensor fast path.
 */
export interface OpImpl {
  /** Checks arity, dtypes, shapes and attrs; returns the output shape and dtype the op produces. */
  check(desc: NodeDescriptor): { shape: number[]; dtype: DType };
  reads(desc: NodeDescriptor, outIndex: number, peek: Peek): ReadGroup[];
  /** `values[g]` holds the values of `reads(...)[g]`, in the same order. */
  compute(desc: NodeDescriptor, outIndex: number, values: readonly (readonly bigint[])[]): bigint;
  evaluateNode(desc: NodeDescriptor, operands: Operands): Tensor;
}

/** The node or its operands break the op's rules (arity, dtype, shape, attrs, a value out of range). */
export class ReferenceEvalError extends Error {
  override readonly name = "ReferenceEvalError";
}
