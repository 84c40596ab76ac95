/**
 * Kernels of elementwise arithmetic — Add, Sub, Mul, Div with broadcasting, Sqrt
 * (docs/PROTOCOL.md §11.5): the claim must be within 2u·|y| + η of the exact y. Special
 * operands (∞, NaN, a zero divisor, the root of a negative number) are rare and exact in
 * IEEE: they go straight to the contract's rule, as do borderline elements.
 */
import { ELEMENTWISE_SPAN, ElementwiseOp, elementwiseVerdict, SQRT_SPAN } from "../elementwise.ts";
import type { NumericsPolicy } from "../policy.ts";
import { BORDERLINE, decideFaithful, faithfulSlack } from "./decide.ts";
import type { ElementCheck, ElementKernel } from "./kernel.ts";
import {
  bitsView,
  broadcastDims,
  broadcastOffsets,
  CheckInputError,
  expectDims,
  floatData,
  sizeOf,
  type NodeTensor,
  valueOfBits,
} from "./tensor.ts";

const OPS: Readonly<Record<string, ElementwiseOp>> = {
  Add: ElementwiseOp.ADD,
  Sub: ElementwiseOp.SUB,
  Mul: ElementwiseOp.MUL,
  Div: ElementwiseOp.DIV,
  Sqrt: ElementwiseOp.SQRT,
};

class ElementwiseKernel implements ElementKernel {
  readonly family = "elementwise" as const;
  readonly size: number;
  private readonly aBits: Uint32Array;
  private readonly bBits: Uint32Array;
  private readonly u: number;
  private readonly eta: number;

  constructor(
    readonly opType: string,
    private readonly op: ElementwiseOp,
    private readonly a: Float32Array,
    private readonly b: Float32Array,
    /** Offsets of each output element into a and b (broadcasting); undefined when they are the identity. */
    private readonly aAt: Int32Array | undefined,
    private readonly bAt: Int32Array | undefined,
    size: number,
    private readonly policy: NumericsPolicy,
  ) {
    this.size = size;
    this.aBits = bitsView(a);
    this.bBits = bitsView(b);
    this.u = 2 ** -policy.accumulationBits;
    this.eta = 2 ** policy.etaExponent;
  }

  check(index: number, claimed: number, out: ElementCheck): void {
    const ia = this.aAt === undefined ? index : this.aAt[index]!;
    const ib = this.bAt === undefined ? index : this.bAt[index]!;
    const a = this.a[ia]!;
    const b = this.b[ib]!;
    out.deferred = false;
    let y: number;
    let special = !(Math.abs(a) < Infinity) || !(Math.abs(b) < Infinity);
    switch (this.op) {
      case ElementwiseOp.ADD:
        y = a + b;
        break;
      case ElementwiseOp.SUB:
        y = a - b;
        break;
      case ElementwiseOp.MUL:
        y = a * b;
        break;
      case ElementwiseOp.DIV:
        special ||= b === 0;
        y = a / b;
        break;
      default:
        special = !(a >= 0) || a === Infinity;
        y = Math.sqrt(a);
    }
    const c = valueOfBits(claimed);
    const ac = Math.abs(c);
    const ay = Math.abs(y);
    // the largest quantity on the contract's grid, in units of the result (see decide.ts)
    const largest =
      this.op === ElementwiseOp.ADD || this.op === ElementwiseOp.SUB
        ? Math.max(Math.abs(a), Math.abs(b), ac)
        : Math.max(ay, ac, this.eta);
    const span = this.op === ElementwiseOp.SQRT ? SQRT_SPAN : ELEMENTWISE_SPAN;
    const verdict = special ? BORDERLINE : decideFaithful(y, c, this.u, this.eta, faithfulSlack(largest, span), out);
    if (special) {
      out.estimate = y;
      out.bound = 0;
      out.distance = NaN;
    }
    if (verdict !== BORDERLINE) {
      out.verdict = verdict;
      return;
    }
    out.deferred = !special;
    out.verdict = elementwiseVerdict({ op: this.op, a: this.aBits[ia]!, b: this.bBits[ib]!, claimed }, this.policy);
  }
}

export function elementwiseKernel(
  opType: string,
  inputs: readonly (NodeTensor | undefined)[],
  output: NodeTensor,
  policy: NumericsPolicy,
): ElementKernel {
  const op = OPS[opType];
  if (op === undefined) throw new CheckInputError(`${opType} is not elementwise arithmetic`);
  const a = floatData(inputs[0], `${opType} A`);
  if (op === ElementwiseOp.SQRT) {
    expectDims(output.dims, inputs[0]!.dims, opType);
    return new ElementwiseKernel(opType, op, a, a, undefined, undefined, a.length, policy);
  }
  const b = floatData(inputs[1], `${opType} B`);
  const dims = broadcastDims([inputs[0]!.dims, inputs[1]!.dims]);
  expectDims(output.dims, dims, opType);
  const same = (d: readonly number[]) => d.length === dims.length && d.every((x, i) => x === dims[i]);
  const aAt = same(inputs[0]!.dims) ? undefined : broadcastOffsets(dims, inputs[0]!.dims);
  const bAt = same(inputs[1]!.dims) ? undefined : broadcastOffsets(dims, inputs[1]!.dims);
  return new ElementwiseKernel(opType, op, a, b, aAt, bAt, sizeOf(dims), policy);
}
