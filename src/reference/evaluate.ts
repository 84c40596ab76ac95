/**
 * The element-level reference evaluator of the exact integer profile
 * (docs/PROTOCOL.md §6, §6.1).
 *
 * - `dependencies(desc, operands, o)`: the runs of COMMITTED positions that
 *   output element `o` reads, per operand, in the fixed order of §6.1 — what a
 *   one-step proof opens.
 * - `evaluateFromOpenings(desc, o, openings)`: recomputes element `o` from
 *   those openings alone, after checking they are exactly the runs §6.1
 *   prescribes — the computation the Solidity one-step evaluator performs.
 * - `evaluateElement(desc, operands, o)`: the two above combined.
 * - `evaluateNode(desc, operands)`: the whole output tensor (typed-array fast
 *   path), to cross-check whole traces without onnxruntime.
 *
 * Order of the runs, per opcode. Every group is one run: single elements
 * trivially, and the multi-element groups because MatMulInteger requires A
 * row-major and B transposed and ArgMax a row-major input (as on chain). The
 * planner still splits a group into maximal runs of consecutive positions,
 * in read order, should an op ever read a non-contiguous group.
 *   MatMulInteger  A row [r·K, K); B column [n·K, K); a_zero_point [0, 1) if present;
 *                  b_zero_point [0, 1) (one element) or [n, 1) ([N]) if present   (o = r·N + n)
 *   Add … Min      one element per operand, in input order, at its broadcast index
 *   Clip           x [o, 1); min [0, 1) if present; max [0, 1) if present
 *   Relu, Cast, Reshape, Flatten, Identity   x/data [o, 1) (Reshape's shape operand is not opened)
 *   Gather         indices [j, 1); then data [(i_outer·dim + idx)·inner + i_inner, 1)
 *   ArgMax         the row [o·L, L)
 */
import { Source, type NodeDescriptor } from "../graph/descriptor.ts";
import { Opcode } from "../graph/opcode.ts";
import { dtypeInfo } from "../tensor/dtype.ts";
import { at } from "../tensor/at.ts";
import { committedPosition, elementCount, Layout, transposedPlane, type TensorSpec } from "../tensor/spec.ts";
import type { Tensor } from "../tensor/tensor.ts";
import { checkOperands, fail, requireSpec } from "./common.ts";
import { argmax } from "./ops/argmax.ts";
import { cast } from "./ops/cast.ts";
import { clip } from "./ops/clip.ts";
import { elementwise } from "./ops/elementwise.ts";
import { gather } from "./ops/gather.ts";
import { matmulInteger } from "./ops/matmulInteger.ts";
import { shape } from "./ops/shape.ts";
import {
  ReferenceEvalError,
  type OpImpl,
  type OperandOpening,
  type OperandRange,
  type Operands,
  type Peek,
  type ReadGroup,
} from "./types.ts";

export { ReferenceEvalError } from "./types.ts";
export type { OperandOpening, OperandRange, Operands } from "./types.ts";

// The exact integer profile only: float32 nodes are checked within bounds (src/float), not recomputed here.
const IMPLS: Readonly<Partial<Record<Opcode, OpImpl>>> = {
  [Opcode.MatMulInteger]: matmulInteger,
  [Opcode.Add]: elementwise,
  [Opcode.Sub]: elementwise,
  [Opcode.Mul]: elementwise,
  [Opcode.Div]: elementwise,
  [Opcode.Clip]: clip,
  [Opcode.Relu]: clip,
  [Opcode.Max]: elementwise,
  [Opcode.Min]: elementwise,
  [Opcode.Cast]: cast,
  [Opcode.Reshape]: shape,
  [Opcode.Flatten]: shape,
  [Opcode.Identity]: shape,
  [Opcode.Gather]: gather,
  [Opcode.ArgMax]: argmax,
};

function implOf(desc: NodeDescriptor): OpImpl {
  const impl = IMPLS[desc.opcode];
  if (impl === undefined) throw new ReferenceEvalError(`unknown opcode ${desc.opcode}`);
  return impl;
}

/**
 * Checks a descriptor against the op's rules and returns its implementation:
 * arity, dtypes, attrs, and that the output spec (row-major) is exactly what
 * the op produces from its operand specs.
 */
export function checkNode(desc: NodeDescriptor): OpImpl {
  const impl = implOf(desc);
  const { shape: outShape, dtype } = impl.check(desc);
  const got = desc.output;
  if (got.layout !== Layout.ROW_MAJOR) throw fail(desc, "the output must be row-major");
  if (got.dtype !== dtype || got.shape.length !== outShape.length || got.shape.some((d, i) => d !== outShape[i])) {
    throw fail(
      desc,
      `output spec is ${dtypeInfo(got.dtype).name}[${got.shape.join(",")}], the op produces ${dtypeInfo(dtype).name}[${outShape.join(",")}]`,
    );
  }
  return impl;
}

function checkOutIndex(desc: NodeDescriptor, outIndex: number): void {
  const n = elementCount(desc.output.shape);
  if (!Number.isInteger(outIndex) || outIndex < 0 || outIndex >= n) {
    throw fail(desc, `output index ${outIndex} is outside 0 … ${n - 1}`);
  }
}

/** Inverse of `committedPosition`: the row-major index of the element at committed position `pos`. */
export function rowMajorIndexOf(spec: TensorSpec, pos: number): number {
  if (spec.layout === Layout.ROW_MAJOR) return pos;
  const { rows, cols } = transposedPlane(spec);
  const plane = rows * cols;
  const within = pos % plane;
  const c = Math.floor(within / rows);
  const i = within % rows;
  return pos - within + i * cols + c;
}

/** One read group as maximal runs of consecutive committed positions, in read order. */
function groupRuns(desc: NodeDescriptor, group: ReadGroup): OperandRange[] {
  const spec = requireSpec(desc, group.operand, `input ${group.operand}`);
  const runs: OperandRange[] = [];
  let start = -1;
  let count = 0;
  for (const idx of group.indices) {
    const pos = committedPosition(spec, idx);
    if (count > 0 && pos === start + count) {
      count++;
      continue;
    }
    if (count > 0) runs.push({ operand: group.operand, start, count });
    start = pos;
    count = 1;
  }
  if (count > 0) runs.push({ operand: group.operand, start, count });
  return runs;
}

function plan(desc: NodeDescriptor, outIndex: number, peek: Peek): { groups: ReadGroup[]; runs: OperandRange[][] } {
  const impl = checkNode(desc);
  checkOutIndex(desc, outIndex);
  const groups = impl.reads(desc, outIndex, peek);
  return { groups, runs: groups.map((g) => groupRuns(desc, g)) };
}

function tensorPeek(desc: NodeDescriptor, operands: Operands): Peek {
  return (operand, rowMajorIndex) => {
    const t = operands[operand];
    if (t === undefined) throw fail(desc, `input ${operand} is missing`);
    return t.at(rowMajorIndex);
  };
}

/**
 * The runs of committed positions output element `outIndex` reads, in the
 * order of §6.1. `operands` are needed only for Gather (whose data position
 * depends on the index value); other ops never look at them.
 */
export function dependencies(desc: NodeDescriptor, operands: Operands, outIndex: number): OperandRange[] {
  return plan(desc, outIndex, tensorPeek(desc, operands)).runs.flat();
}

/**
 * `dependencies` for an operator whose reads the float32 profile shares with this profile
 * (Add … Div and Max, Min with broadcasting, Relu, Reshape, Flatten, Identity, Gather, ArgMax;
 * docs/PROTOCOL.md §11.7): the same runs in the same order, without this profile's dtype and
 * output checks (the float32 profile's descriptors hold fp32 data, which `checkNode` refuses).
 */
export function sharedDependencies(desc: NodeDescriptor, operands: Operands, outIndex: number): OperandRange[] {
  checkOutIndex(desc, outIndex);
  return implOf(desc)
    .reads(desc, outIndex, tensorPeek(desc, operands))
    .flatMap((g) => groupRuns(desc, g));
}

/** `dependencies` with the values at those positions (committed order), read from the operand tensors. */
export function openings(desc: NodeDescriptor, operands: Operands, outIndex: number): OperandOpening[] {
  checkOperands(desc, operands);
  return dependencies(desc, operands, outIndex).map((run) => {
    const t = operands[run.operand] as Tensor;
    const spec = requireSpec(desc, run.operand, `input ${run.operand}`);
    const values: bigint[] = new Array<bigint>(run.count);
    for (let i = 0; i < run.count; i++) values[i] = t.at(rowMajorIndexOf(spec, run.start + i));
    return { ...run, values };
  });
}

/**
 * Recomputes output element `outIndex` from openings alone, as the on-chain
 * one-step evaluator does: the openings must be exactly the runs §6.1
 * prescribes (same operands, starts, counts, order), with values in the
 * operand's dtype range.
 */
export function evaluateFromOpenings(desc: NodeDescriptor, outIndex: number, given: readonly OperandOpening[]): bigint {
  const peek: Peek = (operand, rowMajorIndex) => {
    const spec = requireSpec(desc, operand, `input ${operand}`);
    const pos = committedPosition(spec, rowMajorIndex);
    const o = given.find((g) => g.operand === operand && pos >= g.start && pos < g.start + g.count);
    if (o === undefined) throw fail(desc, `no opening covers input ${operand} position ${pos}`);
    const v = o.values[pos - o.start];
    if (v === undefined) throw fail(desc, `the opening of input ${operand} holds no value at position ${pos}`);
    return v;
  };
  const { runs } = plan(desc, outIndex, peek);
  const expected = runs.flat();
  if (given.length !== expected.length) throw fail(desc, `expected ${expected.length} openings, got ${given.length}`);
  expected.forEach((e, i) => {
    const g = at(given, i); // as many openings as expected runs, checked above
    if (g.operand !== e.operand || g.start !== e.start || g.count !== e.count || g.values.length !== e.count) {
      throw fail(
        desc,
        `opening ${i} is input ${g.operand} [${g.start}, +${g.count}), expected input ${e.operand} [${e.start}, +${e.count})`,
      );
    }
    const { min, max } = dtypeInfo(requireSpec(desc, e.operand, `input ${e.operand}`).dtype);
    for (const v of g.values) if (v < min || v > max) throw fail(desc, `opening ${i} holds ${v}, outside its dtype`);
  });
  let k = 0;
  const values = runs.map((groupRunList) => {
    const vals: bigint[] = [];
    // One opening per run, in run order (checked above).
    for (let r = 0; r < groupRunList.length; r++) vals.push(...at(given, k++).values);
    return vals;
  });
  const result = implOf(desc).compute(desc, outIndex, values);
  const { min, max } = dtypeInfo(desc.output.dtype);
  if (result < min || result > max) throw fail(desc, `result ${result} is outside the output dtype`);
  return result;
}

/** The value of output element `outIndex` (row-major), computed only from the elements it depends on. */
export function evaluateElement(desc: NodeDescriptor, operands: Operands, outIndex: number): bigint {
  return evaluateFromOpenings(desc, outIndex, openings(desc, operands, outIndex));
}

/** The whole output tensor (row-major, the descriptor's output spec). */
export function evaluateNode(desc: NodeDescriptor, operands: Operands): Tensor {
  const impl = checkNode(desc);
  checkOperands(desc, operands);
  return impl.evaluateNode(desc, operands);
}

/** Whether operand `i` of the descriptor is ABSENT (or omitted at the end of the input list). */
export function isAbsent(desc: NodeDescriptor, i: number): boolean {
  const op = desc.inputs[i];
  return op === undefined || op.source === Source.ABSENT;
}
