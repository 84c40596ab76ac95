import { Source, type NodeDescriptor } from "../graph/descriptor.ts";
import { opName } from "../graph/opcode.ts";
import { dtypeInfo, isDType, type DType } from "../tensor/dtype.ts";
import type { TensorSpec } from "../tensor/spec.ts";
import type { Tensor, TensorData } from "../tensor/tensor.ts";
import { ReferenceEvalError, type Operands } from "./types.ts";

/** The spec of operand `i`, or undefined when it is ABSENT (or omitted at the end of the input list). */
export function operandSpec(desc: NodeDescriptor, i: number): TensorSpec | undefined {
  const op = desc.inputs[i];
  if (op === undefined || op.source === Source.ABSENT) return undefined;
  return op.spec;
}

export function requireSpec(desc: NodeDescriptor, i: number, role: string): TensorSpec {
  const spec = operandSpec(desc, i);
  if (spec === undefined) throw fail(desc, `${role} (input ${i}) is absent`);
  return spec;
}

export function fail(desc: NodeDescriptor, message: string): ReferenceEvalError {
  return new ReferenceEvalError(`${opName(desc.opcode)}: ${message}`);
}

export function checkInputCount(desc: NodeDescriptor, min: number, max: number): void {
  const n = desc.inputs.length;
  if (n < min || n > max) throw fail(desc, `has ${n} inputs, expected ${min === max ? min : `${min} … ${max}`}`);
}

export function checkAttrCount(desc: NodeDescriptor, n: number): void {
  if (desc.attrs.length !== n) throw fail(desc, `has ${desc.attrs.length} attrs, expected ${n}`);
}

/** Attribute `i` of the descriptor (its count is checked by `checkAttrCount`). */
export function attr(desc: NodeDescriptor, i: number): bigint {
  const a = desc.attrs[i];
  if (a === undefined) throw fail(desc, `attr ${i} is missing (has ${desc.attrs.length})`);
  return a;
}

/** Read group `g` of the values `compute` receives (`values[g]` holds the values of `reads(...)[g]`). */
export function readGroup(desc: NodeDescriptor, values: readonly (readonly bigint[])[], g: number): readonly bigint[] {
  const group = values[g];
  if (group === undefined) throw fail(desc, `read group ${g} is missing (got ${values.length})`);
  return group;
}

/** The value of a one-element read group (an element of x, a zero point, a bound, an index). */
export function readValue(desc: NodeDescriptor, values: readonly (readonly bigint[])[], g: number): bigint {
  const v = readGroup(desc, values, g)[0];
  if (v === undefined) throw fail(desc, `read group ${g} is empty`);
  return v;
}

export function checkDType(desc: NodeDescriptor, role: string, dtype: number, allowed: readonly DType[]): void {
  if (!allowed.includes(dtype as DType)) {
    const name = isDType(dtype) ? dtypeInfo(dtype).name : `dtype ${dtype}`;
    throw fail(desc, `${role} has ${name}, expected one of ${allowed.map((d) => dtypeInfo(d).name).join(", ")}`);
  }
}

/**
 * An axis attribute of a descriptor. The compiler stores axes normalized
 * (0 ≤ axis < rank; Flatten 0 ≤ axis ≤ rank); like the on-chain evaluators, a
 * negative axis is also accepted and counts from the end (ONNX), so
 * −rank ≤ axis < rank (Flatten −rank ≤ axis ≤ rank). Returns it normalized.
 */
export function normalizeAxis(desc: NodeDescriptor, axis: bigint, rank: number, inclusive = false): number {
  const r = BigInt(rank);
  const limit = inclusive ? r : r - 1n;
  if (axis < -r || axis > limit) throw fail(desc, `axis ${axis} is out of range for rank ${rank}`);
  return Number(axis < 0n ? axis + r : axis);
}

/**
 * Checks that every present operand tensor matches its descriptor spec
 * (dtype and shape; the layout only changes how it is committed).
 */
export function checkOperands(desc: NodeDescriptor, operands: Operands): void {
  const n = Math.max(desc.inputs.length, operands.length);
  for (let i = 0; i < n; i++) {
    const spec = operandSpec(desc, i);
    const t = operands[i];
    if (spec === undefined) {
      if (t !== undefined) throw fail(desc, `input ${i} is ABSENT in the descriptor but a tensor was given`);
      continue;
    }
    if (t === undefined) throw fail(desc, `input ${i} is missing`);
    if (t.spec.dtype !== spec.dtype || !sameDims(t.spec.shape, spec.shape)) {
      throw fail(
        desc,
        `input ${i} is ${dtypeInfo(t.spec.dtype).name}[${t.spec.shape.join(",")}], descriptor says ${dtypeInfo(spec.dtype).name}[${spec.shape.join(",")}]`,
      );
    }
  }
}

function sameDims(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

export function operandTensor(operands: Operands, i: number): Tensor {
  const t = operands[i];
  if (t === undefined) throw new ReferenceEvalError(`input ${i} is missing`);
  return t;
}

/** All values as bigints (for small operands: zero points, clip bounds, indices). */
export function toBigInts(data: TensorData): bigint[] {
  const out: bigint[] = new Array<bigint>(data.length);
  for (let i = 0; i < data.length; i++) out[i] = BigInt(data[i]!);
  return out;
}

export function product(dims: readonly number[]): number {
  let p = 1;
  for (const d of dims) p *= d;
  return p;
}
