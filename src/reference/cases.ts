/**
 * Seeded random single-op cases of the exact integer profile, each with its
 * NodeDescriptor, its operand tensors and the equivalent one-node ONNX model.
 * Shared by the differential tests (test/reference/differential.test.ts) and
 * the golden op vectors (scripts/vectors-ops.ts). Values are biased towards
 * the edges (dtype min/max, −1, 0, 1) so wrap-around, saturation and ties
 * come up often.
 */
import { Source, ZERO_ROOT, type NodeDescriptor, type Operand } from "../graph/descriptor.ts";
import { Opcode, type IntegerOpName as OpName } from "../graph/opcode.ts";
import { GraphBuilder, type AttrValue } from "../onnx/builder.ts";
import { at } from "../tensor/at.ts";
import { DType, dtypeInfo } from "../tensor/dtype.ts";
import { elementCount, Layout, type TensorSpec } from "../tensor/spec.ts";
import { Tensor } from "../tensor/tensor.ts";
import { broadcastShape } from "./broadcast.ts";
import { reshapeTarget } from "./ops/shape.ts";
import { MAX_OPSET, SUPPORTED_DTYPES, type DTypeOpsets } from "./support.ts";

/** mulberry32: a tiny seeded PRNG, so cases and vectors are reproducible. */
export class CaseRng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  u32(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }
  /** Uniform integer in [lo, hi] (inclusive; hi − lo < 2³²). */
  int(lo: number, hi: number): number {
    return lo + (this.u32() % (hi - lo + 1));
  }
  bool(p = 0.5): boolean {
    return this.u32() / 2 ** 32 < p;
  }
  pick<T>(items: readonly T[]): T {
    return at(items, this.int(0, items.length - 1));
  }
  /** Uniform bigint in [lo, hi]. */
  big(lo: bigint, hi: bigint): bigint {
    const span = hi - lo + 1n;
    const r = (BigInt(this.u32()) << 32n) | BigInt(this.u32());
    return lo + (r % span);
  }
}

/** An operand of a case: its tensor, and whether it is an initializer (CONSTANT) or a graph input. */
export interface CaseInput {
  readonly tensor: Tensor;
  readonly constant: boolean;
}

export interface OpCase {
  readonly name: string;
  readonly opType: OpName;
  readonly opset: number;
  /** ONNX attributes of the node. */
  readonly onnxAttrs: Readonly<Record<string, AttrValue>>;
  /** The node's inputs in ONNX order; undefined for an omitted optional input ('' in ONNX). */
  readonly inputs: readonly (CaseInput | undefined)[];
  readonly desc: NodeDescriptor;
}

/** Kinds of values a generator asks for. */
export type ValueMode = "edge" | "small" | "ties";

function edgeValues(dtype: DType): bigint[] {
  const { min, max } = dtypeInfo(dtype);
  return [min, min + 1n, -2n, -1n, 0n, 1n, 2n, max - 1n, max].filter((v) => v >= min && v <= max);
}

/** One random value: a third edge values, a third small, a third uniform over the range. */
export function randomValue(rng: CaseRng, dtype: DType, mode: ValueMode = "edge"): bigint {
  const { min, max } = dtypeInfo(dtype);
  if (mode === "ties") return rng.pick([min, max, 0n, 1n, -1n].filter((v) => v >= min && v <= max));
  const r = rng.int(0, 2);
  if (mode === "small" || r === 1) {
    const v = BigInt(rng.int(-12, 12));
    return v < min ? min + (min - v) : v > max ? max : v;
  }
  if (r === 0) return rng.pick(edgeValues(dtype));
  return rng.big(min, max);
}

export function randomTensor(
  rng: CaseRng,
  dtype: DType,
  shape: readonly number[],
  mode: ValueMode = "edge",
  layout: Layout = Layout.ROW_MAJOR,
): Tensor {
  const n = elementCount(shape);
  const values = Array.from({ length: n }, () => randomValue(rng, dtype, mode));
  return Tensor.fromBigInts({ dtype, layout, shape: [...shape] }, values);
}

export function randomShape(rng: CaseRng, minRank: number, maxRank: number, maxDim: number): number[] {
  return Array.from({ length: rng.int(minRank, maxRank) }, () => rng.int(1, maxDim));
}

/** Operand shapes that broadcast together: suffixes of one shape with some dimensions set to 1. */
function broadcastShapes(rng: CaseRng, count: number, maxRank: number, maxDim: number, minRank = 0): number[][] {
  const full = randomShape(rng, minRank, maxRank, maxDim);
  return Array.from({ length: count }, (_, i) => {
    if (i === 0 && rng.bool(0.5)) return [...full];
    const rank = rng.int(0, full.length);
    return full.slice(full.length - rank).map((d) => (rng.bool(0.3) ? 1 : d));
  });
}

/** Two shapes that broadcast together: `broadcastShapes` with a count of 2. */
function broadcastPair(rng: CaseRng, maxRank: number, maxDim: number, minRank = 0): [number[], number[]] {
  const shapes = broadcastShapes(rng, 2, maxRank, maxDim, minRank);
  return [at(shapes, 0), at(shapes, 1)];
}

function opsetFor(rng: CaseRng, ...mins: number[]): number {
  return rng.int(Math.max(...mins), MAX_OPSET);
}

function minOpset(table: DTypeOpsets | undefined, dtype: DType): number {
  const v = table?.[dtype];
  if (v === undefined) throw new RangeError(`dtype ${dtype} is not supported here`);
  return v;
}

function operandOf(input: CaseInput | undefined): Operand {
  if (input === undefined) {
    return {
      source: Source.ABSENT,
      index: 0,
      root: ZERO_ROOT,
      spec: { dtype: 0 as DType, layout: Layout.ROW_MAJOR, shape: [] },
    };
  }
  return {
    source: input.constant ? Source.CONSTANT : Source.JOB_INPUT,
    index: 0,
    root: ZERO_ROOT,
    spec: input.tensor.spec,
  };
}

function makeCase(
  name: string,
  opType: OpName,
  opset: number,
  inputs: readonly (CaseInput | undefined)[],
  output: TensorSpec,
  attrs: readonly bigint[] = [],
  onnxAttrs: Record<string, AttrValue> = {},
): OpCase {
  const desc: NodeDescriptor = { opcode: Opcode[opType], inputs: inputs.map(operandOf), output, attrs };
  return { name, opType, opset, onnxAttrs, inputs, desc };
}

const row = (dtype: DType, shape: readonly number[]): TensorSpec => ({
  dtype,
  layout: Layout.ROW_MAJOR,
  shape: [...shape],
});
const input = (tensor: Tensor): CaseInput => ({ tensor, constant: false });
const constant = (tensor: Tensor): CaseInput => ({ tensor, constant: true });

/** Options of a generator: `big` allows larger shapes (differential tests); vectors use small ones. */
export interface GenOptions {
  readonly big?: boolean;
}

// ---------------------------------------------------------------- generators

export function matmulIntegerCase(rng: CaseRng, a: DType, b: DType, opts: GenOptions = {}): OpCase {
  const big = opts.big ?? false;
  const M = rng.int(1, big ? 12 : 3);
  const K = rng.pick(big ? [1, 2, 7, 31, 32, 33, 64, rng.int(1, 100)] : [1, 3, 17, 32, 33, 40]);
  const N = rng.int(1, big ? 12 : 3);
  const aRank = rng.pick([2, 2, 2, 1, 3]);
  const aShape = aRank === 1 ? [K] : aRank === 2 ? [M, K] : [2, M, K];
  const A = randomTensor(rng, a, aShape);
  const B = randomTensor(rng, b, [K, N], "edge", Layout.TRANSPOSED);
  const inputs: (CaseInput | undefined)[] = [input(A), constant(B)];
  const zp = rng.int(0, 3); // 0 none, 1 azp, 2 bzp, 3 both
  if (zp & 1) inputs.push(input(randomTensor(rng, a, rng.pick([[], [1]]))));
  if (zp & 2) {
    if (!(zp & 1)) inputs.push(undefined);
    const bzpShape = rng.pick([[], [1], [N], [N]]);
    inputs.push(rng.bool() ? constant(randomTensor(rng, b, bzpShape)) : input(randomTensor(rng, b, bzpShape)));
  }
  const outShape = aRank === 1 ? [N] : [...aShape.slice(0, -1), N];
  const name = `MatMulInteger ${dtypeInfo(a).name}x${dtypeInfo(b).name} A[${aShape}] B[${K},${N}] zp=${zp}`;
  return makeCase(name, "MatMulInteger", opsetFor(rng, 13), inputs, row(DType.INT32, outShape));
}

/** A MatMulInteger whose int32 accumulator wraps (K large, extreme values). */
export function matmulIntegerOverflowCase(rng: CaseRng, a: DType, b: DType): OpCase {
  const K = 40_000;
  const N = 2;
  const aExt = a === DType.UINT8 ? 255n : -128n;
  const bExt = b === DType.UINT8 ? 255n : -128n;
  const A = Tensor.fromBigInts(
    row(a, [1, K]),
    Array.from({ length: K }, () => aExt),
  );
  const B = Tensor.fromBigInts(
    { dtype: b, layout: Layout.TRANSPOSED, shape: [K, N] },
    Array.from({ length: K * N }, (_, i) => (i % N === 0 ? bExt : randomValue(rng, b))),
  );
  const name = `MatMulInteger ${dtypeInfo(a).name}x${dtypeInfo(b).name} int32 overflow K=${K}`;
  return makeCase(name, "MatMulInteger", 13, [input(A), constant(B)], row(DType.INT32, [1, N]));
}

export function binaryCase(
  rng: CaseRng,
  op: "Add" | "Sub" | "Mul" | "Div",
  dtype: DType,
  opts: GenOptions = {},
): OpCase {
  const [sa, sb] = opts.big ? broadcastPair(rng, 4, 8, 2) : broadcastPair(rng, 3, 3);
  const A = randomTensor(rng, dtype, sa);
  let B: CaseInput;
  if (op === "Div") {
    // The profile's divisor is a constant with no zero and no −1.
    const values = Array.from({ length: elementCount(sb) }, () => {
      let v = 0n;
      while (v === 0n || v === -1n) v = randomValue(rng, dtype);
      return v;
    });
    B = constant(Tensor.fromBigInts(row(dtype, sb), values));
  } else {
    const t = randomTensor(rng, dtype, sb);
    B = rng.bool(0.3) ? constant(t) : input(t);
  }
  const out = broadcastShape([sa, sb]);
  const name = `${op} ${dtypeInfo(dtype).name} [${sa}]x[${sb}]`;
  return makeCase(name, op, opsetFor(rng, minOpset(SUPPORTED_DTYPES[op].T, dtype)), [input(A), B], row(dtype, out));
}

export function variadicCase(rng: CaseRng, op: "Max" | "Min", dtype: DType, opts: GenOptions = {}): OpCase {
  const count = rng.pick([1, 2, 2, 2, 3, 4]);
  const shapes = opts.big ? broadcastShapes(rng, count, 4, 8, 2) : broadcastShapes(rng, count, 3, 3);
  const mode: ValueMode = rng.bool(0.3) ? "ties" : "edge";
  const inputs = shapes.map((s, i) => (i > 0 && rng.bool(0.2) ? constant : input)(randomTensor(rng, dtype, s, mode)));
  const out = broadcastShape(shapes);
  const name = `${op} ${dtypeInfo(dtype).name} ${shapes.map((s) => `[${s}]`).join("x")}`;
  return makeCase(name, op, opsetFor(rng, minOpset(SUPPORTED_DTYPES[op].T, dtype)), inputs, row(dtype, out));
}

export function clipCase(rng: CaseRng, dtype: DType, opts: GenOptions = {}): OpCase {
  const shape = randomShape(rng, 0, opts.big ? 4 : 2, opts.big ? 6 : 4);
  const X = randomTensor(rng, dtype, shape);
  const bounds = rng.int(0, 3); // bit 0: min, bit 1: max
  const bound = () => {
    const t = randomTensor(rng, dtype, rng.pick([[], [], [1]]));
    return rng.bool() ? constant(t) : input(t);
  };
  const inputs: (CaseInput | undefined)[] = [input(X)];
  if (bounds & 1) inputs.push(bound());
  if (bounds & 2) {
    if (!(bounds & 1)) inputs.push(undefined);
    inputs.push(bound());
  }
  const name = `Clip ${dtypeInfo(dtype).name} [${shape}] bounds=${bounds}`;
  return makeCase(name, "Clip", opsetFor(rng, 13), inputs, row(dtype, shape));
}

export function reluCase(rng: CaseRng, dtype: DType, opts: GenOptions = {}): OpCase {
  const shape = randomShape(rng, opts.big ? 1 : 0, opts.big ? 4 : 2, opts.big ? 8 : 5);
  const X = randomTensor(rng, dtype, shape);
  return makeCase(
    `Relu ${dtypeInfo(dtype).name} [${shape}]`,
    "Relu",
    opsetFor(rng, minOpset(SUPPORTED_DTYPES.Relu.T, dtype)),
    [input(X)],
    row(dtype, shape),
  );
}

export function castCase(rng: CaseRng, from: DType, to: DType, opts: GenOptions = {}): OpCase {
  const shape = randomShape(rng, 0, opts.big ? 4 : 2, opts.big ? 6 : 5);
  const X = randomTensor(rng, from, shape);
  const name = `Cast ${dtypeInfo(from).name}->${dtypeInfo(to).name} [${shape}]`;
  return makeCase(name, "Cast", opsetFor(rng, 13), [input(X)], row(to, shape), [BigInt(to)], { to });
}

export function reshapeCase(rng: CaseRng, dtype: DType, opts: GenOptions = {}): OpCase {
  const shape = randomShape(rng, 0, opts.big ? 4 : 3, opts.big ? 6 : 4);
  const n = elementCount(shape);
  // A target shape: a random factorization of n, with maybe a 0 (copy) and a −1 (infer).
  const target: number[] = [];
  let rest = n;
  while (rest > 1) {
    const divisors = Array.from({ length: rest }, (_, i) => i + 1).filter((d) => rest % d === 0 && d > 1);
    // At most four factors: the fourth takes whatever is left.
    const d = target.length === 3 ? rest : rng.pick(divisors);
    target.push(d);
    rest /= d;
  }
  if (target.length === 0 || rng.bool(0.3)) target.push(1);
  const spec = target.map(BigInt);
  if (spec.length > 0 && rng.bool(0.4)) spec[rng.int(0, spec.length - 1)] = -1n;
  const copyAt = spec.findIndex((s, i) => {
    const d = shape[i];
    return d !== undefined && s === BigInt(d);
  });
  if (copyAt >= 0 && rng.bool(0.5)) spec[copyAt] = 0n;
  const shapeT = Tensor.fromBigInts(row(DType.INT64, [spec.length]), spec);
  const X = randomTensor(rng, dtype, shape);
  const desc0: NodeDescriptor = { opcode: Opcode.Reshape, inputs: [], output: row(dtype, []), attrs: [] };
  const out = reshapeTarget(desc0, shape, spec);
  const name = `Reshape ${dtypeInfo(dtype).name} [${shape}] -> (${spec.join(",")})`;
  return makeCase(name, "Reshape", opsetFor(rng, 13), [input(X), constant(shapeT)], row(dtype, out));
}

export function flattenCase(rng: CaseRng, dtype: DType, opts: GenOptions = {}): OpCase {
  const shape = randomShape(rng, 1, opts.big ? 4 : 3, opts.big ? 6 : 4);
  const axis = rng.int(-shape.length, shape.length);
  const a = axis < 0 ? axis + shape.length : axis;
  const out = [elementCount(shape.slice(0, a)), elementCount(shape.slice(a))];
  const X = randomTensor(rng, dtype, shape);
  return makeCase(
    `Flatten ${dtypeInfo(dtype).name} [${shape}] axis=${axis}`,
    "Flatten",
    opsetFor(rng, 13),
    [input(X)],
    row(dtype, out),
    [BigInt(a)],
    { axis },
  );
}

export function identityCase(rng: CaseRng, dtype: DType, opts: GenOptions = {}): OpCase {
  const shape = randomShape(rng, 0, opts.big ? 4 : 2, opts.big ? 6 : 5);
  const X = randomTensor(rng, dtype, shape);
  return makeCase(
    `Identity ${dtypeInfo(dtype).name} [${shape}]`,
    "Identity",
    opsetFor(rng, 13),
    [input(X)],
    row(dtype, shape),
  );
}

export function gatherCase(rng: CaseRng, dtype: DType, indexDType: DType, opts: GenOptions = {}): OpCase {
  const data = randomShape(rng, 1, opts.big ? 3 : 2, opts.big ? 7 : 4);
  const axis = rng.int(-data.length, data.length - 1);
  const a = axis < 0 ? axis + data.length : axis;
  const dim = at(data, a);
  const iShape = randomShape(rng, 0, 2, opts.big ? 6 : 3);
  const idx = Array.from({ length: elementCount(iShape) }, () => BigInt(rng.int(-dim, dim - 1)));
  const I = Tensor.fromBigInts(row(indexDType, iShape), idx);
  const X = randomTensor(rng, dtype, data);
  const out = [...data.slice(0, a), ...iShape, ...data.slice(a + 1)];
  const name = `Gather ${dtypeInfo(dtype).name}/${dtypeInfo(indexDType).name} [${data}] axis=${axis} idx[${iShape}]`;
  return makeCase(name, "Gather", opsetFor(rng, 13), [input(X), constant(I)], row(dtype, out), [BigInt(a)], {
    axis,
  });
}

export function argmaxCase(rng: CaseRng, dtype: DType, opts: GenOptions = {}): OpCase {
  const shape = randomShape(rng, opts.big ? 2 : 1, opts.big ? 3 : 2, opts.big ? 9 : 5);
  const axis = rng.bool() ? -1 : shape.length - 1;
  const keepdims = rng.int(0, 1);
  const last = rng.int(0, 1);
  const X = randomTensor(rng, dtype, shape, rng.bool(0.6) ? "ties" : "edge");
  const out = keepdims ? [...shape.slice(0, -1), 1] : shape.slice(0, -1);
  const name = `ArgMax ${dtypeInfo(dtype).name} [${shape}] axis=${axis} keepdims=${keepdims} last=${last}`;
  const onnxAttrs = { axis, keepdims, select_last_index: last };
  return makeCase(
    name,
    "ArgMax",
    opsetFor(rng, 13),
    [input(X)],
    row(DType.INT64, out),
    [BigInt(shape.length - 1), BigInt(keepdims), BigInt(last)],
    onnxAttrs,
  );
}

// ------------------------------------------------------------ per-op sweeps

const ALL_DTYPES: readonly DType[] = [DType.UINT8, DType.INT8, DType.INT32, DType.INT64];

function supported(table: DTypeOpsets | undefined): DType[] {
  return ALL_DTYPES.filter((d) => table?.[d] !== undefined);
}

/**
 * For an op, one generator per supported dtype combination (so a sweep covers
 * every supported (op, dtype) pair of SUPPORTED_DTYPES).
 */
export function generatorsFor(op: OpName, opts: GenOptions = {}): { label: string; gen: (rng: CaseRng) => OpCase }[] {
  const rule = SUPPORTED_DTYPES[op];
  const T = supported(rule.T);
  const T2 = supported(rule.T2);
  const name = (d: DType) => dtypeInfo(d).name;
  switch (op) {
    case "MatMulInteger":
      return T.flatMap((a) =>
        T2.map((b) => ({ label: `${name(a)}x${name(b)}`, gen: (rng: CaseRng) => matmulIntegerCase(rng, a, b, opts) })),
      );
    case "Add":
    case "Sub":
    case "Mul":
    case "Div":
      return T.map((d) => ({ label: name(d), gen: (rng: CaseRng) => binaryCase(rng, op, d, opts) }));
    case "Max":
    case "Min":
      return T.map((d) => ({ label: name(d), gen: (rng: CaseRng) => variadicCase(rng, op, d, opts) }));
    case "Clip":
      return T.map((d) => ({ label: name(d), gen: (rng: CaseRng) => clipCase(rng, d, opts) }));
    case "Relu":
      return T.map((d) => ({ label: name(d), gen: (rng: CaseRng) => reluCase(rng, d, opts) }));
    case "Cast":
      return T.flatMap((a) =>
        T2.map((b) => ({ label: `${name(a)}->${name(b)}`, gen: (rng: CaseRng) => castCase(rng, a, b, opts) })),
      );
    case "Reshape":
      return T.map((d) => ({ label: name(d), gen: (rng: CaseRng) => reshapeCase(rng, d, opts) }));
    case "Flatten":
      return T.map((d) => ({ label: name(d), gen: (rng: CaseRng) => flattenCase(rng, d, opts) }));
    case "Identity":
      return T.map((d) => ({ label: name(d), gen: (rng: CaseRng) => identityCase(rng, d, opts) }));
    case "Gather":
      return T.flatMap((a) =>
        T2.map((b) => ({ label: `${name(a)}/${name(b)}`, gen: (rng: CaseRng) => gatherCase(rng, a, b, opts) })),
      );
    case "ArgMax":
      return T.map((d) => ({ label: name(d), gen: (rng: CaseRng) => argmaxCase(rng, d, opts) }));
  }
}

// ------------------------------------------------------------- ONNX models

/** The one-node ONNX model of a case: non-constant inputs are graph inputs `in0`, `in1`, …, constants initializers `c0`, … */
export function caseModel(c: OpCase): Uint8Array {
  const b = new GraphBuilder({ opset: c.opset });
  const names = c.inputs.map((inp, i) => {
    if (inp === undefined) return "";
    const n = inp.constant ? `c${i}` : `in${i}`;
    if (inp.constant) b.initializer(n, inp.tensor);
    else b.input(n, inp.tensor.spec.dtype, inp.tensor.spec.shape);
    return n;
  });
  b.node(c.opType, names, ["y"], { ...c.onnxAttrs });
  b.output("y", c.desc.output.dtype, c.desc.output.shape);
  return b.build();
}

/** The graph inputs of a case's model, by name. */
export function caseFeeds(c: OpCase): Map<string, Tensor> {
  const feeds = new Map<string, Tensor>();
  c.inputs.forEach((inp, i) => {
    if (inp !== undefined && !inp.constant) feeds.set(`in${i}`, inp.tensor);
  });
  return feeds;
}

/** The operand tensors of a case, as the evaluator takes them. */
export function caseOperands(c: OpCase): (Tensor | undefined)[] {
  return c.inputs.map((inp) => inp?.tensor);
}
