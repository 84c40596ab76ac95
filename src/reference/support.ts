/**
 * Which (operator, dtype) pairs of the exact integer profile onnxruntime 1.30
 * CPU actually runs, and from which opset on. Measured (test/reference/
 * differential.test.ts re-measures it on every run, opsets 13 … 21): a pair
 * outside this table is either refused by ONNX's type checker for that opset
 * (e.g. int8 Add before opset 14, integer Relu before 14, uint8 Relu always)
 * or has no CPU kernel (int64 Relu, except by accident at opset 18).
 *
 * The loader's validator refuses any node whose dtypes are not listed here for
 * the model's opset (`supportError`), so every node the protocol accepts is one
 * that every honest executor can run.
 */
import { DType, dtypeInfo, isDType } from "../tensor/dtype.ts";
import { isIntegerOp, Opcode, opName, type IntegerOpName } from "../graph/opcode.ts";

/** dtype → lowest default-domain opset (within 13 … 21) from which it is supported. */
export type DTypeOpsets = Readonly<Partial<Record<DType, number>>>;

export interface OpSupport {
  /**
   * The op's main type variable: MatMulInteger A and a_zero_point; the
   * operands of Add/Sub/Mul/Div/Max/Min/Clip (all of them, which must share
   * it); the data operand of Relu/Cast/Reshape/Flatten/Identity/Gather/ArgMax.
   */
  readonly T: DTypeOpsets;
  /** MatMulInteger B and b_zero_point; Cast's `to`; Gather's indices; Reshape's shape. */
  readonly T2?: DTypeOpsets;
  /** Fixed output dtype where the op has one (MatMulInteger int32, ArgMax int64); otherwise T (Cast: T2). */
  readonly output?: DType;
}

export const MIN_OPSET = 13;
export const MAX_OPSET = 21;

const ALL: DTypeOpsets = { [DType.UINT8]: 13, [DType.INT8]: 13, [DType.INT32]: 13, [DType.INT64]: 13 };
const ARITH: DTypeOpsets = { [DType.UINT8]: 14, [DType.INT8]: 14, [DType.INT32]: 13, [DType.INT64]: 13 };
const BYTES: DTypeOpsets = { [DType.UINT8]: 13, [DType.INT8]: 13 };
const INDEX: DTypeOpsets = { [DType.INT32]: 13, [DType.INT64]: 13 };

export const SUPPORTED_DTYPES: Readonly<Record<IntegerOpName, OpSupport>> = {
  MatMulInteger: { T: BYTES, T2: BYTES, output: DType.INT32 },
  Add: { T: ARITH },
  Sub: { T: ARITH },
  Mul: { T: ARITH },
  Div: { T: ARITH },
  Clip: { T: ALL },
  Relu: { T: { [DType.INT8]: 14, [DType.INT32]: 14 } },
  Max: { T: ALL },
  Min: { T: ALL },
  Cast: { T: ALL, T2: ALL },
  Reshape: { T: ALL, T2: { [DType.INT64]: 13 } },
  Flatten: { T: ALL },
  Identity: { T: ALL },
  Gather: { T: ALL, T2: INDEX },
  ArgMax: { T: ALL, output: DType.INT64 },
};

/** Whether `dtype` is supported for the type variable at `opset`. */
export function supportsDType(table: DTypeOpsets | undefined, dtype: number, opset: number): boolean {
  const from = table?.[dtype as DType];
  return from !== undefined && opset >= from && opset <= MAX_OPSET;
}

/**
 * Why a node with these dtypes cannot run on onnxruntime 1.30 CPU at `opset`,
 * or undefined when it can. `inputs` are the dtypes of the ONNX inputs in
 * order (undefined for an omitted optional input); `output` the output dtype;
 * for Cast, `output` is the `to` attribute.
 */
export function supportError(
  opcode: number,
  opset: number,
  inputs: readonly (number | undefined)[],
  output: number,
): string | undefined {
  if (opset < MIN_OPSET || opset > MAX_OPSET) return `opset ${opset} is outside ${MIN_OPSET} … ${MAX_OPSET}`;
  const name = opName(opcode);
  if (!isIntegerOp(name)) return `${name} is not an operator of the exact integer profile`;
  const rule = SUPPORTED_DTYPES[name];
  const label = (d: number) => (isDType(d) ? dtypeInfo(d).name : `dtype ${d}`);
  const needT = (role: string, d: number | undefined): string | undefined =>
    d === undefined || supportsDType(rule.T, d, opset)
      ? undefined
      : `${name} does not support ${role} ${label(d)} at opset ${opset}`;
  const needT2 = (role: string, d: number | undefined): string | undefined =>
    d === undefined || supportsDType(rule.T2, d, opset)
      ? undefined
      : `${name} does not support ${role} ${label(d)} at opset ${opset}`;
  const same = (role: string, d: number | undefined, t: number | undefined): string | undefined =>
    d === undefined || t === undefined || d === t ? undefined : `${name}: ${role} is ${label(d)}, expected ${label(t)}`;
  const first = (...errs: (string | undefined)[]) => errs.find((e) => e !== undefined);

  const t = inputs[0];
  if (t === undefined) return `${name}: the first input is missing`;
  switch (opcode) {
    case Opcode.MatMulInteger:
      return first(
        needT("A", t),
        needT2("B", inputs[1]),
        inputs[1] === undefined ? `${name}: B is missing` : undefined,
        same("a_zero_point", inputs[2], t),
        same("b_zero_point", inputs[3], inputs[1]),
        same("the output", output, DType.INT32),
      );
    case Opcode.Cast:
      return first(needT("input", t), needT2("to", output));
    case Opcode.Reshape:
      return first(needT("data", t), needT2("shape", inputs[1]), same("the output", output, t));
    case Opcode.Gather:
      return first(needT("data", t), needT2("indices", inputs[1]), same("the output", output, t));
    case Opcode.ArgMax:
      return first(needT("input", t), same("the output", output, DType.INT64));
    default:
      return first(needT("input", t), ...inputs.map((d, i) => same(`input ${i}`, d, t)), same("the output", output, t));
  }
}
