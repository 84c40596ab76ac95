import { Limits } from "./limits.ts";
import { at } from "../tensor/at.ts";
import { DType, dtypeInfo, isDType } from "../tensor/dtype.ts";
import type { Tensor } from "../tensor/tensor.ts";
import type { IntegerOpName } from "../graph/opcode.ts";
import { SUPPORTED_DTYPES, supportsDType } from "../reference/support.ts";
import { ProfileRuleError, UnsupportedDTypeError, type ModelErrorLocation } from "./errors.ts";
import { broadcastShapes, checkedElementCount } from "./shapes.ts";

/**
 * The operators of the exact integer profile (docs/PROTOCOL.md §6), and the rule
 * builders the float32 profile's operators (floatOps.ts) share with them: for each,
 * its inputs, its attributes, the element types onnxruntime 1.30's CPU
 * kernels accept at a given opset, and static shape inference. Shapes and
 * types are computed here from the inputs, never read from value_info.
 */

export interface ValueType {
  readonly dtype: DType;
  readonly shape: readonly number[];
}

export interface OpInput {
  readonly name: string;
  readonly type: ValueType;
  /** The initializer's values when the input is an initializer (a "constant" in §6). */
  readonly constant?: Tensor;
}

export interface OpContext {
  readonly where: ModelErrorLocation;
  readonly opset: number;
  /** ONNX inputs in order; null for an omitted optional input. */
  readonly inputs: readonly (OpInput | null)[];
  /** INT attributes by name (already checked against the rule's allow-list). */
  readonly attrs: ReadonlyMap<string, bigint>;
  /** FLOAT attributes by name, as float32 bit patterns. */
  readonly floats?: ReadonlyMap<string, number>;
  /** INTS attributes by name. */
  readonly ints?: ReadonlyMap<string, readonly bigint[]>;
  /** STRING attributes by name (UTF-8 decoded). */
  readonly strings?: ReadonlyMap<string, string>;
}

export interface OpResult {
  readonly output: ValueType;
  /** Descriptor attrs in the fixed per-opcode order of §5, normalized (axes non-negative). */
  readonly attrs: readonly bigint[];
}

export interface AttrRule {
  /** The attribute's ONNX type: INT unless stated. */
  readonly type?: "int" | "float" | "ints" | "string";
  /** First default-domain opset that defines the attribute. */
  readonly since?: number;
  readonly required?: boolean;
  /** Allowed values, when the attribute is a flag or an enum. */
  readonly values?: readonly bigint[];
}

export interface OpRule {
  readonly minInputs: number;
  readonly maxInputs: number;
  /** Inputs that may be omitted ('' in ONNX) at these positions. */
  readonly optional: readonly number[];
  readonly attrs: Readonly<Record<string, AttrRule>>;
  infer(ctx: OpContext): OpResult;
}

const { UINT8, INT8, INT32, INT64 } = DType;
const ALL: readonly DType[] = [UINT8, INT8, INT32, INT64];
const FLAG: AttrRule = { values: [0n, 1n] };

/** Checks the element type of a data operand of `op` (the integer or the float32 profile's rule). */
export type DataCheck = (ctx: OpContext, op: string, input: OpInput) => void;

/**
 * Element types a type variable of `op` takes at `opset`: the table of
 * src/reference/support.ts, measured against onnxruntime 1.30 CPU (int8 Add
 * needs opset 14, Relu has no uint8 and no int64 kernel, …), so that every
 * node the loader accepts is one every honest executor can run.
 */
function typesT(op: IntegerOpName): (opset: number) => readonly DType[] {
  return (opset) => ALL.filter((d) => supportsDType(SUPPORTED_DTYPES[op].T, d, opset));
}

function typesT2(op: IntegerOpName, opset: number): readonly DType[] {
  return ALL.filter((d) => supportsDType(SUPPORTED_DTYPES[op].T2, d, opset));
}

/** The integer profile's check of `op`'s main type variable. */
function intData(op: IntegerOpName): DataCheck {
  return (ctx, name, input) => requireDType(ctx, name, input, typesT(op)(ctx.opset));
}

export function dtypeName(dtype: number): string {
  return isDType(dtype) ? dtypeInfo(dtype).name : `elem_type ${dtype}`;
}

export function present(ctx: OpContext, i: number): OpInput {
  const input = ctx.inputs[i];
  if (input === null || input === undefined) throw new Error(`input ${i} must be present (checked by the loader)`);
  return input;
}

export function optionalInput(ctx: OpContext, i: number): OpInput | null {
  return ctx.inputs[i] ?? null;
}

export function requireDType(ctx: OpContext, op: string, input: OpInput, allowed: readonly DType[]): void {
  if (!allowed.includes(input.type.dtype)) {
    const list = allowed.length > 0 ? allowed.map(dtypeName).join(", ") : "no integer type";
    throw new UnsupportedDTypeError(
      "OP_DTYPE",
      input.type.dtype,
      `${op} at opset ${ctx.opset} takes ${list}, not ${dtypeName(input.type.dtype)} (input ${JSON.stringify(input.name)})`,
      ctx.where,
    );
  }
}

export function requireSameDType(ctx: OpContext, op: string, inputs: readonly OpInput[]): void {
  const [first, ...rest] = inputs;
  if (first === undefined) return;
  for (const x of rest) {
    if (x.type.dtype !== first.type.dtype) {
      throw new ProfileRuleError(
        "DTYPE_MISMATCH",
        `${op} inputs ${JSON.stringify(first.name)} (${dtypeName(first.type.dtype)}) and ${JSON.stringify(x.name)} (${dtypeName(x.type.dtype)}) differ in type`,
        ctx.where,
      );
    }
  }
}

export function requireScalarLike(ctx: OpContext, op: string, input: OpInput, what: string): void {
  const { shape } = input.type;
  if (shape.length > 1 || shape.reduce((a, b) => a * b, 1) !== 1) {
    throw new ProfileRuleError(
      "SCALAR_REQUIRED",
      `${op} ${what} ${JSON.stringify(input.name)} must be a scalar, got shape [${shape.join(",")}]`,
      ctx.where,
    );
  }
}

export function checkOutput(ctx: OpContext, output: ValueType): ValueType {
  checkedElementCount(output.shape, "output", ctx.where);
  return output;
}

/** Normalizes an axis attribute into [0, rank) (or [0, rank] when `inclusive`). */
export function normalizeAxis(ctx: OpContext, op: string, axis: bigint, rank: number, inclusive = false): number {
  const r = BigInt(rank);
  const hi = inclusive ? r : r - 1n;
  if (axis < -r || axis > hi) {
    throw new ProfileRuleError("INVALID_ATTRIBUTE", `${op} axis ${axis} is out of range for rank ${rank}`, ctx.where);
  }
  return Number(axis < 0n ? axis + r : axis);
}

export function attr(ctx: OpContext, name: string, fallback: bigint): bigint {
  return ctx.attrs.get(name) ?? fallback;
}

export function elementwise(op: string, check: DataCheck, divisor?: (ctx: OpContext, b: OpInput) => void): OpRule {
  return {
    minInputs: 2,
    maxInputs: 2,
    optional: [],
    attrs: {},
    infer(ctx) {
      const a = present(ctx, 0);
      const b = present(ctx, 1);
      requireSameDType(ctx, op, [a, b]);
      check(ctx, op, a);
      divisor?.(ctx, b);
      const shape = broadcastShapes([a.type.shape, b.type.shape], ctx.where);
      return { output: checkOutput(ctx, { dtype: a.type.dtype, shape }), attrs: [] };
    },
  };
}

/** §6: Div's divisor is a constant without 0 (undefined) and, for signed types, without −1 (MIN / −1 overflows). */
function checkDivisor(ctx: OpContext, b: OpInput): void {
  if (b.constant === undefined) {
    throw new ProfileRuleError(
      "DIVISOR_NOT_CONSTANT",
      `Div divisor ${JSON.stringify(b.name)} is not an initializer`,
      ctx.where,
    );
  }
  const signed = dtypeInfo(b.type.dtype).signed;
  const data = b.constant.data;
  const [zero, minusOne] = data instanceof BigInt64Array ? [0n, -1n] : [0, -1];
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (v === zero) {
      throw new ProfileRuleError(
        "DIVISOR_ZERO",
        `Div divisor ${JSON.stringify(b.name)} has 0 at index ${i}`,
        ctx.where,
      );
    }
    if (signed && v === minusOne) {
      throw new ProfileRuleError(
        "DIVISOR_MINUS_ONE",
        `Div divisor ${JSON.stringify(b.name)} has -1 at index ${i}`,
        ctx.where,
      );
    }
  }
}

export function variadic(op: string, check: DataCheck): OpRule {
  return {
    minInputs: 1,
    maxInputs: Number.POSITIVE_INFINITY,
    optional: [],
    attrs: {},
    infer(ctx) {
      const xs = ctx.inputs.map((_, i) => present(ctx, i));
      const first = present(ctx, 0);
      requireSameDType(ctx, op, xs);
      check(ctx, op, first);
      const shape = broadcastShapes(
        xs.map((x) => x.type.shape),
        ctx.where,
      );
      return { output: checkOutput(ctx, { dtype: first.type.dtype, shape }), attrs: [] };
    },
  };
}

export function unary(op: string, check: DataCheck): OpRule {
  return {
    minInputs: 1,
    maxInputs: 1,
    optional: [],
    attrs: {},
    infer(ctx) {
      const x = present(ctx, 0);
      check(ctx, op, x);
      return { output: checkOutput(ctx, x.type), attrs: [] };
    },
  };
}

/** Reshape with its data operand checked by `check`; the shape is a constant 1-D int64 in both profiles. */
export function reshape(check: DataCheck): OpRule {
  return {
    minInputs: 2,
    maxInputs: 2,
    optional: [],
    attrs: { allowzero: { since: 14, ...FLAG } },
    infer(ctx) {
      const data = present(ctx, 0);
      const shapeIn = present(ctx, 1);
      check(ctx, "Reshape", data);
      if (shapeIn.constant === undefined) {
        throw new ProfileRuleError(
          "RESHAPE_SHAPE_NOT_CONSTANT",
          `Reshape shape ${JSON.stringify(shapeIn.name)} is not an initializer`,
          ctx.where,
        );
      }
      if (shapeIn.type.dtype !== INT64 || shapeIn.type.shape.length !== 1) {
        throw new ProfileRuleError(
          "DTYPE_MISMATCH",
          `Reshape shape ${JSON.stringify(shapeIn.name)} must be a 1-D int64 tensor`,
          ctx.where,
        );
      }
      const allowZero = attr(ctx, "allowzero", 0n) === 1n;
      const shapeData = shapeIn.constant.data;
      const requested: bigint[] = [];
      for (const v of shapeData) requested.push(BigInt(v));
      const inCount = BigInt(checkedElementCount(data.type.shape, "Reshape data", ctx.where));
      const out: bigint[] = [];
      let inferAt = -1;
      requested.forEach((d, i) => {
        if (d === -1n) {
          if (inferAt >= 0)
            throw new ProfileRuleError("SHAPE_MISMATCH", "Reshape shape has more than one -1", ctx.where);
          inferAt = i;
          out.push(1n);
        } else if (d === 0n && !allowZero) {
          const copied = data.type.shape[i];
          if (copied === undefined) {
            throw new ProfileRuleError("SHAPE_MISMATCH", `Reshape copies dimension ${i} the input lacks`, ctx.where);
          }
          out.push(BigInt(copied));
        } else if (d < -1n) {
          throw new ProfileRuleError("SHAPE_MISMATCH", `Reshape shape has invalid dimension ${d}`, ctx.where);
        } else {
          out.push(d);
        }
      });
      if (inferAt >= 0) {
        checkedElementCount(out, "Reshape target", ctx.where);
        const known = out.reduce((a, b) => a * b, 1n);
        if (inCount % known !== 0n) {
          throw new ProfileRuleError(
            "SHAPE_MISMATCH",
            `Reshape cannot infer -1: ${inCount} is not a multiple of ${known}`,
            ctx.where,
          );
        }
        out[inferAt] = inCount / known;
      }
      const outCount = checkedElementCount(out, "Reshape output", ctx.where);
      if (BigInt(outCount) !== inCount) {
        throw new ProfileRuleError(
          "SHAPE_MISMATCH",
          `Reshape from [${data.type.shape.join(",")}] to [${out.join(",")}] changes the element count`,
          ctx.where,
        );
      }
      return { output: { dtype: data.type.dtype, shape: out.map(Number) }, attrs: [] };
    },
  };
}

/** Flatten with its data operand checked by `check`. */
export function flatten(check: DataCheck): OpRule {
  return {
    minInputs: 1,
    maxInputs: 1,
    optional: [],
    attrs: { axis: {} },
    infer(ctx) {
      const x = present(ctx, 0);
      check(ctx, "Flatten", x);
      const rank = x.type.shape.length;
      const axis = normalizeAxis(ctx, "Flatten", attr(ctx, "axis", 1n), rank, true);
      const outer = x.type.shape.slice(0, axis).reduce((a, b) => a * b, 1);
      const inner = x.type.shape.slice(axis).reduce((a, b) => a * b, 1);
      return { output: checkOutput(ctx, { dtype: x.type.dtype, shape: [outer, inner] }), attrs: [BigInt(axis)] };
    },
  };
}

/** Gather with its data operand checked by `check`; the indices are a constant int32/int64 in both profiles. */
export function gather(check: DataCheck): OpRule {
  return {
    minInputs: 2,
    maxInputs: 2,
    optional: [],
    attrs: { axis: {} },
    infer(ctx) {
      const data = present(ctx, 0);
      const indices = present(ctx, 1);
      check(ctx, "Gather", data);
      if (indices.constant === undefined) {
        throw new ProfileRuleError(
          "GATHER_INDICES_NOT_CONSTANT",
          `Gather indices ${JSON.stringify(indices.name)} are not an initializer`,
          ctx.where,
        );
      }
      requireDType(ctx, "Gather", indices, typesT2("Gather", ctx.opset));
      const rank = data.type.shape.length;
      if (rank === 0) throw new ProfileRuleError("SHAPE_MISMATCH", "Gather data must have rank >= 1", ctx.where);
      const axis = normalizeAxis(ctx, "Gather", attr(ctx, "axis", 0n), rank);
      const dim = BigInt(at(data.type.shape, axis)); // normalizeAxis: 0 ≤ axis < rank
      const idx = indices.constant.data;
      for (const [i, raw] of idx.entries()) {
        const v = BigInt(raw);
        if (v < -dim || v >= dim) {
          throw new ProfileRuleError(
            "GATHER_INDEX_OUT_OF_RANGE",
            `Gather index ${v} at position ${i} is outside [-${dim}, ${dim - 1n}] on axis ${axis}`,
            ctx.where,
          );
        }
      }
      const shape = [...data.type.shape.slice(0, axis), ...indices.type.shape, ...data.type.shape.slice(axis + 1)];
      return { output: checkOutput(ctx, { dtype: data.type.dtype, shape }), attrs: [BigInt(axis)] };
    },
  };
}

/** ArgMax with its data operand checked by `check`: last axis only, row at most MAX_ONE_STEP_RUN, int64 output. */
export function argMax(check: DataCheck): OpRule {
  return {
    minInputs: 1,
    maxInputs: 1,
    optional: [],
    attrs: { axis: {}, keepdims: FLAG, select_last_index: FLAG },
    infer(ctx) {
      const x = present(ctx, 0);
      check(ctx, "ArgMax", x);
      const rank = x.type.shape.length;
      if (rank === 0) throw new ProfileRuleError("SHAPE_MISMATCH", "ArgMax input must have rank >= 1", ctx.where);
      const axis = normalizeAxis(ctx, "ArgMax", attr(ctx, "axis", 0n), rank);
      if (axis !== rank - 1) {
        throw new ProfileRuleError(
          "ARGMAX_NOT_LAST_AXIS",
          `ArgMax axis ${axis} is not the last axis (${rank - 1}) of [${x.type.shape.join(",")}]`,
          ctx.where,
        );
      }
      if (at(x.type.shape, rank - 1) > Limits.MAX_ONE_STEP_RUN) {
        throw new ProfileRuleError(
          "ONE_STEP_TOO_LARGE",
          `ArgMax row of ${x.type.shape[rank - 1]} exceeds ${Limits.MAX_ONE_STEP_RUN}: its one-step proof would not fit a block`,
          ctx.where,
        );
      }
      const keepdims = attr(ctx, "keepdims", 1n);
      const selectLast = attr(ctx, "select_last_index", 0n);
      const lead = x.type.shape.slice(0, -1);
      const shape = keepdims === 1n ? [...lead, 1] : lead;
      return { output: checkOutput(ctx, { dtype: INT64, shape }), attrs: [BigInt(axis), keepdims, selectLast] };
    },
  };
}

export const OP_RULES: Readonly<Record<IntegerOpName, OpRule>> = {
  MatMulInteger: {
    minInputs: 2,
    maxInputs: 4,
    optional: [2, 3],
    attrs: {},
    infer(ctx) {
      const a = present(ctx, 0);
      const b = present(ctx, 1);
      requireDType(ctx, "MatMulInteger", a, typesT("MatMulInteger")(ctx.opset));
      requireDType(ctx, "MatMulInteger", b, typesT2("MatMulInteger", ctx.opset));
      const [m, k] = a.type.shape;
      const [k2, n] = b.type.shape;
      if (
        a.type.shape.length !== 2 ||
        b.type.shape.length !== 2 ||
        m === undefined ||
        k === undefined ||
        k2 === undefined ||
        n === undefined
      ) {
        throw new ProfileRuleError(
          "MATMUL_RANK",
          `MatMulInteger needs A [M,K] and B [K,N], got [${a.type.shape.join(",")}] and [${b.type.shape.join(",")}]`,
          ctx.where,
        );
      }
      if (k !== k2) {
        throw new ProfileRuleError("SHAPE_MISMATCH", `MatMulInteger inner dimensions ${k} and ${k2} differ`, ctx.where);
      }
      if (b.constant === undefined) {
        throw new ProfileRuleError(
          "MATMUL_B_NOT_CONSTANT",
          `MatMulInteger B ${JSON.stringify(b.name)} is not an initializer`,
          ctx.where,
        );
      }
      if (k > Limits.MAX_ONE_STEP_RUN) {
        throw new ProfileRuleError(
          "ONE_STEP_TOO_LARGE",
          `MatMulInteger inner dimension ${k} exceeds ${Limits.MAX_ONE_STEP_RUN}: its one-step proof would not fit a block`,
          ctx.where,
        );
      }
      const azp = optionalInput(ctx, 2);
      if (azp !== null) {
        requireSameDType(ctx, "MatMulInteger", [a, azp]);
        if (azp.type.shape.length > 1 || azp.type.shape.reduce((x, y) => x * y, 1) !== 1) {
          throw new ProfileRuleError(
            "ZERO_POINT_SHAPE",
            `MatMulInteger a_zero_point must be a scalar, got [${azp.type.shape.join(",")}]`,
            ctx.where,
          );
        }
      }
      const bzp = optionalInput(ctx, 3);
      if (bzp !== null && bzp.constant === undefined) {
        // Like B, a property of the weights; the executor rewrites both to uint8 (src/trace/rewrite.ts).
        throw new ProfileRuleError(
          "ZERO_POINT_NOT_CONSTANT",
          `MatMulInteger b_zero_point ${JSON.stringify(bzp.name)} is not an initializer`,
          ctx.where,
        );
      }
      if (bzp !== null) {
        requireSameDType(ctx, "MatMulInteger", [b, bzp]);
        const s = bzp.type.shape;
        if (s.length > 1 || (s.length === 1 && s[0] !== 1 && s[0] !== n)) {
          throw new ProfileRuleError(
            "ZERO_POINT_SHAPE",
            `MatMulInteger b_zero_point must be a scalar or [${n}], got [${s.join(",")}]`,
            ctx.where,
          );
        }
      }
      return { output: checkOutput(ctx, { dtype: INT32, shape: [m, n] }), attrs: [] };
    },
  },
  Add: elementwise("Add", intData("Add")),
  Sub: elementwise("Sub", intData("Sub")),
  Mul: elementwise("Mul", intData("Mul")),
  Div: elementwise("Div", intData("Div"), checkDivisor),
  Clip: {
    minInputs: 1,
    maxInputs: 3,
    optional: [1, 2],
    attrs: {},
    infer(ctx) {
      const x = present(ctx, 0);
      requireDType(ctx, "Clip", x, typesT("Clip")(ctx.opset));
      for (const [i, what] of [
        [1, "min"],
        [2, "max"],
      ] as const) {
        const bound = optionalInput(ctx, i);
        if (bound === null) continue;
        requireSameDType(ctx, "Clip", [x, bound]);
        requireScalarLike(ctx, "Clip", bound, what);
      }
      return { output: checkOutput(ctx, x.type), attrs: [] };
    },
  },
  Relu: unary("Relu", intData("Relu")),
  Max: variadic("Max", intData("Max")),
  Min: variadic("Min", intData("Min")),
  Cast: {
    minInputs: 1,
    maxInputs: 1,
    optional: [],
    attrs: { to: { required: true }, saturate: { since: 19, values: [0n, 1n] } },
    infer(ctx) {
      const x = present(ctx, 0);
      requireDType(ctx, "Cast", x, typesT("Cast")(ctx.opset));
      const to = attr(ctx, "to", -1n);
      const code = Number(to);
      if (!isDType(code) || !typesT2("Cast", ctx.opset).includes(code)) {
        throw new UnsupportedDTypeError(
          "UNSUPPORTED_DTYPE",
          code,
          `Cast to ${dtypeName(code)} leaves the integer profile (uint8=2, int8=3, int32=6, int64=7)`,
          ctx.where,
        );
      }
      return { output: checkOutput(ctx, { dtype: code, shape: x.type.shape }), attrs: [to] };
    },
  },
  Reshape: reshape(intData("Reshape")),
  Flatten: flatten(intData("Flatten")),
  Identity: unary("Identity", intData("Identity")),
  Gather: gather(intData("Gather")),
  ArgMax: argMax(intData("ArgMax")),
};
