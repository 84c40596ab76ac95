import type { OpName } from "../graph/opcode.ts";
import { DType } from "../tensor/dtype.ts";
import { at } from "../tensor/at.ts";
import { ProfileRuleError } from "./errors.ts";
import { Limits } from "./limits.ts";
import {
  argMax,
  attr,
  checkOutput,
  dtypeName,
  elementwise,
  flatten,
  gather,
  normalizeAxis,
  optionalInput,
  present,
  reshape,
  unary,
  variadic,
  type DataCheck,
  type OpContext,
  type OpInput,
  type OpRule,
} from "./ops.ts";
import { broadcastShapes, sameShape } from "./shapes.ts";

/**
 * The operators of the float32 profile (docs/PROTOCOL.md §11.7, §11.8): what a CNN or an
 * MLP exported by PyTorch needs. Every data operand is float32; only the control
 * operands the integer profile also has (Reshape's shape, Gather's indices, ReduceMean's
 * axes) are int64 constants, and only ArgMax computes an integer (int64). A float32
 * operand of an integer-profile operator, or an integer operand of a float operator, is a
 * model mixing the profiles and is refused (MIXED_PROFILE).
 */

const { FLOAT, INT64 } = DType;
const FLAG = { values: [0n, 1n] } as const;
const ONE_F32 = 0x3f800000;

/** §11.8: elements of one pooling window (MaxPool, AveragePool). */
export const MAX_POOL_WINDOW = 256;

/** A data operand of a float operator must be float32. */
export const floatData: DataCheck = (ctx, op, input) => {
  if (input.type.dtype !== FLOAT) {
    throw new ProfileRuleError(
      "MIXED_PROFILE",
      `${op} input ${JSON.stringify(input.name)} is ${dtypeName(input.type.dtype)}: a float32 model computes in float32 only (a model mixing the profiles is refused)`,
      ctx.where,
    );
  }
};

/** The rule with every present input checked to be float32 first (before any shape rule). */
function allFloat(op: string, rule: OpRule): OpRule {
  return {
    ...rule,
    infer(ctx) {
      for (const x of ctx.inputs) if (x !== null) floatData(ctx, op, x);
      return rule.infer(ctx);
    },
  };
}

function requireConstant(
  ctx: OpContext,
  op: string,
  input: OpInput,
  what: string,
): asserts input is OpInput & {
  readonly constant: NonNullable<OpInput["constant"]>;
} {
  if (input.constant === undefined) {
    throw new ProfileRuleError(
      "WEIGHT_NOT_CONSTANT",
      `${op} ${what} ${JSON.stringify(input.name)} is not an initializer (it is committed with the model, in the layout its one-step proof opens)`,
      ctx.where,
    );
  }
}

function requireRun(ctx: OpContext, op: string, what: string, n: number, max: number): void {
  if (n > max) {
    throw new ProfileRuleError(
      "ONE_STEP_TOO_LARGE",
      `${op} ${what} of ${n} exceeds ${max}: its one-step proof would not fit a block`,
      ctx.where,
    );
  }
}

/** A float attribute as its bit pattern; refuses NaN and ±∞ (a bound scaled by them means nothing). */
function floatAttr(ctx: OpContext, op: string, name: string, fallbackBits: number): number {
  const bits = ctx.floats?.get(name) ?? fallbackBits;
  if ((bits & 0x7f800000) === 0x7f800000) {
    throw new ProfileRuleError(
      "INVALID_ATTRIBUTE",
      `${op} ${name} is not finite (0x${bits.toString(16).padStart(8, "0")})`,
      ctx.where,
    );
  }
  return bits;
}

function intsAttr(ctx: OpContext, name: string): readonly bigint[] | undefined {
  return ctx.ints?.get(name);
}

/** auto_pad may only be absent or NOTSET: explicit pads are what the descriptor commits. */
function requireExplicitPads(ctx: OpContext, op: string): void {
  const autoPad = ctx.strings?.get("auto_pad");
  if (autoPad !== undefined && autoPad !== "NOTSET") {
    throw new ProfileRuleError(
      "INVALID_ATTRIBUTE",
      `${op} auto_pad ${JSON.stringify(autoPad)}: only explicit pads (NOTSET) are accepted`,
      ctx.where,
    );
  }
}

/** A 2-D spatial INTS attribute: `count` non-negative (or positive) values, or the default. */
function spatial(ctx: OpContext, op: string, name: string, count: number, fallback: number, min: number): number[] {
  const v = intsAttr(ctx, name);
  if (v === undefined) return new Array<number>(count).fill(fallback);
  if (v.length !== count || v.some((d) => d < BigInt(min) || d > 0xffffn)) {
    throw new ProfileRuleError(
      "INVALID_ATTRIBUTE",
      `${op} ${name} [${v.join(",")}] must hold ${count} values in ${min}…65535 (2-D only)`,
      ctx.where,
    );
  }
  return v.map(Number);
}

/** X of a 2-D Conv or pool: [N, C, H, W]. */
function image(ctx: OpContext, op: string, x: OpInput): [number, number, number, number] {
  const s = x.type.shape;
  if (s.length !== 4) {
    throw new ProfileRuleError(
      op === "Conv" ? "CONV_SHAPE" : "POOL_SHAPE",
      `${op} input ${JSON.stringify(x.name)} is [${s.join(",")}]; only 2-D images [N,C,H,W] are accepted`,
      ctx.where,
    );
  }
  return [at(s, 0), at(s, 1), at(s, 2), at(s, 3)];
}

/** Output length of one spatial axis (ONNX's formula with ceil_mode 0, the only one accepted). */
function outLength(
  ctx: OpContext,
  op: string,
  input: number,
  padBegin: number,
  padEnd: number,
  extent: number,
  stride: number,
): number {
  const span = input + padBegin + padEnd - extent;
  if (span < 0) {
    throw new ProfileRuleError(
      op === "Conv" ? "CONV_SHAPE" : "POOL_SHAPE",
      `${op} window of ${extent} does not fit the padded input of ${input + padBegin + padEnd}`,
      ctx.where,
    );
  }
  return Math.floor(span / stride) + 1;
}

const matMul: OpRule = {
  minInputs: 2,
  maxInputs: 2,
  optional: [],
  attrs: {},
  infer(ctx) {
    const a = present(ctx, 0);
    const b = present(ctx, 1);
    const as = a.type.shape;
    const bs = b.type.shape;
    if (as.length < 2 || bs.length !== 2) {
      throw new ProfileRuleError(
        "MATMUL_RANK",
        `MatMul needs A [...,M,K] and a 2-D B [K,N], got [${as.join(",")}] and [${bs.join(",")}]`,
        ctx.where,
      );
    }
    const k = at(as, as.length - 1);
    const [k2, n] = [at(bs, 0), at(bs, 1)];
    if (k !== k2)
      throw new ProfileRuleError("SHAPE_MISMATCH", `MatMul inner dimensions ${k} and ${k2} differ`, ctx.where);
    requireConstant(ctx, "MatMul", b, "B");
    requireRun(ctx, "MatMul", "inner dimension", k, Limits.MAX_ONE_STEP_RUN);
    return { output: checkOutput(ctx, { dtype: FLOAT, shape: [...as.slice(0, -1), n] }), attrs: [] };
  },
};

const gemm: OpRule = {
  minInputs: 2,
  maxInputs: 3,
  optional: [2],
  attrs: { alpha: { type: "float" }, beta: { type: "float" }, transA: FLAG, transB: FLAG },
  infer(ctx) {
    const a = present(ctx, 0);
    const b = present(ctx, 1);
    const c = optionalInput(ctx, 2);
    const alpha = floatAttr(ctx, "Gemm", "alpha", ONE_F32);
    const beta = floatAttr(ctx, "Gemm", "beta", ONE_F32);
    const transA = attr(ctx, "transA", 0n);
    const transB = attr(ctx, "transB", 0n);
    if (a.type.shape.length !== 2 || b.type.shape.length !== 2) {
      throw new ProfileRuleError(
        "MATMUL_RANK",
        `Gemm needs 2-D A and B, got [${a.type.shape.join(",")}] and [${b.type.shape.join(",")}]`,
        ctx.where,
      );
    }
    if (transA !== 0n) {
      // A is a node output or the job input, committed row-major: transposed, a row of op(A) is not one run.
      throw new ProfileRuleError(
        "TRANSPOSED_OPERAND",
        "Gemm transA = 1: op(A)'s rows would not be contiguous in the committed A",
        ctx.where,
      );
    }
    requireConstant(ctx, "Gemm", b, "B");
    const [m, k] = [at(a.type.shape, 0), at(a.type.shape, 1)];
    const [k2, n] =
      transB === 1n ? [at(b.type.shape, 1), at(b.type.shape, 0)] : [at(b.type.shape, 0), at(b.type.shape, 1)];
    if (k !== k2)
      throw new ProfileRuleError("SHAPE_MISMATCH", `Gemm inner dimensions ${k} and ${k2} differ`, ctx.where);
    requireRun(ctx, "Gemm", "inner dimension", k, Limits.MAX_ONE_STEP_RUN);
    if (c !== null) {
      // C broadcasts to [M, N] one way only (ONNX's unidirectional broadcasting).
      const shape = broadcastShapes([[m, n], c.type.shape], ctx.where);
      if (!sameShape(shape, [m, n])) {
        throw new ProfileRuleError(
          "SHAPE_MISMATCH",
          `Gemm C [${c.type.shape.join(",")}] does not broadcast to [${m},${n}]`,
          ctx.where,
        );
      }
    }
    return {
      output: checkOutput(ctx, { dtype: FLOAT, shape: [m, n] }),
      attrs: [BigInt(alpha), BigInt(beta), transA, transB],
    };
  },
};

const conv: OpRule = {
  minInputs: 2,
  maxInputs: 3,
  optional: [2],
  attrs: {
    auto_pad: { type: "string" },
    dilations: { type: "ints" },
    group: {},
    kernel_shape: { type: "ints" },
    pads: { type: "ints" },
    strides: { type: "ints" },
  },
  infer(ctx) {
    const x = present(ctx, 0);
    const w = present(ctx, 1);
    const bias = optionalInput(ctx, 2);
    requireExplicitPads(ctx, "Conv");
    const [batch, cin, h, wd] = image(ctx, "Conv", x);
    requireConstant(ctx, "Conv", w, "W");
    const ws = w.type.shape;
    if (ws.length !== 4) {
      throw new ProfileRuleError(
        "CONV_SHAPE",
        `Conv W is [${ws.join(",")}]; a 2-D filter [M,C,kh,kw] is needed`,
        ctx.where,
      );
    }
    const [m, c, kh, kw] = [at(ws, 0), at(ws, 1), at(ws, 2), at(ws, 3)];
    const group = attr(ctx, "group", 1n);
    if (group !== 1n) {
      throw new ProfileRuleError("CONV_SHAPE", `Conv group ${group}: only group 1 is accepted`, ctx.where);
    }
    if (c !== cin) {
      throw new ProfileRuleError("SHAPE_MISMATCH", `Conv W has ${c} input channels, X has ${cin}`, ctx.where);
    }
    const kernel = intsAttr(ctx, "kernel_shape");
    if (kernel !== undefined && (kernel.length !== 2 || kernel[0] !== BigInt(kh) || kernel[1] !== BigInt(kw))) {
      throw new ProfileRuleError(
        "SHAPE_MISMATCH",
        `Conv kernel_shape [${kernel.join(",")}] disagrees with W's [${kh},${kw}]`,
        ctx.where,
      );
    }
    requireRun(ctx, "Conv", "patch C·kh·kw", c * kh * kw, Limits.MAX_ONE_STEP_RUN);
    const [sh, sw] = spatial(ctx, "Conv", "strides", 2, 1, 1);
    const [pt, pl, pb, pr] = spatial(ctx, "Conv", "pads", 4, 0, 0);
    const [dh, dw] = spatial(ctx, "Conv", "dilations", 2, 1, 1);
    if (bias !== null && !sameShape(bias.type.shape, [m])) {
      throw new ProfileRuleError(
        "SHAPE_MISMATCH",
        `Conv B is [${bias.type.shape.join(",")}], expected [${m}]`,
        ctx.where,
      );
    }
    const oh = outLength(ctx, "Conv", h, pt!, pb!, dh! * (kh - 1) + 1, sh!);
    const ow = outLength(ctx, "Conv", wd, pl!, pr!, dw! * (kw - 1) + 1, sw!);
    return {
      output: checkOutput(ctx, { dtype: FLOAT, shape: [batch, m, oh, ow] }),
      attrs: [sh!, sw!, pt!, pl!, pb!, pr!, dh!, dw!, 1].map(BigInt),
    };
  },
};

function pool(op: "MaxPool" | "AveragePool"): OpRule {
  const average = op === "AveragePool";
  return {
    minInputs: 1,
    maxInputs: 1,
    optional: [],
    attrs: {
      auto_pad: { type: "string" },
      ceil_mode: FLAG,
      // AveragePool has dilations from opset 19; MaxPool has them at every accepted opset.
      dilations: average ? { type: "ints", since: 19 } : { type: "ints" },
      kernel_shape: { type: "ints", required: true },
      pads: { type: "ints" },
      strides: { type: "ints" },
      ...(average ? { count_include_pad: FLAG } : { storage_order: { values: [0n] } }),
    },
    infer(ctx) {
      const x = present(ctx, 0);
      requireExplicitPads(ctx, op);
      const [batch, channels, h, w] = image(ctx, op, x);
      const [kh, kw] = spatial(ctx, op, "kernel_shape", 2, 1, 1);
      const [sh, sw] = spatial(ctx, op, "strides", 2, 1, 1);
      const [pt, pl, pb, pr] = spatial(ctx, op, "pads", 4, 0, 0);
      const dilations = spatial(ctx, op, "dilations", 2, 1, 1);
      if (dilations.some((d) => d !== 1)) {
        throw new ProfileRuleError(
          "POOL_SHAPE",
          `${op} dilations [${dilations.join(",")}]: only 1 is accepted`,
          ctx.where,
        );
      }
      if (pt! >= kh! || pb! >= kh! || pl! >= kw! || pr! >= kw!) {
        throw new ProfileRuleError(
          "POOL_SHAPE",
          `${op} pads [${[pt, pl, pb, pr].join(",")}] must be below the kernel`,
          ctx.where,
        );
      }
      requireRun(ctx, op, "window kh·kw", kh! * kw!, MAX_POOL_WINDOW);
      const ceil = attr(ctx, "ceil_mode", 0n);
      if (ceil !== 0n) {
        // Its last windows run past the floor's count, which the one-step checks do not cover:
        // a node no challenger could prove wrong is a trap, so the model is refused.
        throw new ProfileRuleError(
          "POOL_SHAPE",
          `${op} ceil_mode 1: only 0 is accepted (its one-step checks cover the floor's windows, docs/PROTOCOL.md §11.10)`,
          ctx.where,
        );
      }
      const oh = outLength(ctx, op, h, pt!, pb!, kh!, sh!);
      const ow = outLength(ctx, op, w, pl!, pr!, kw!, sw!);
      const common = [kh!, kw!, sh!, sw!, pt!, pl!, pb!, pr!].map(BigInt);
      return {
        output: checkOutput(ctx, { dtype: FLOAT, shape: [batch, channels, oh, ow] }),
        attrs: average ? [...common, ceil, attr(ctx, "count_include_pad", 0n)] : [...common, ceil],
      };
    },
  };
}

const globalAveragePool: OpRule = {
  minInputs: 1,
  maxInputs: 1,
  optional: [],
  attrs: {},
  infer(ctx) {
    const x = present(ctx, 0);
    const [batch, channels, h, w] = image(ctx, "GlobalAveragePool", x);
    requireRun(ctx, "GlobalAveragePool", "window H·W", h * w, Limits.MAX_ONE_STEP_RUN);
    return { output: checkOutput(ctx, { dtype: FLOAT, shape: [batch, channels, 1, 1] }), attrs: [] };
  },
};

const reduceMean: OpRule = {
  minInputs: 1,
  maxInputs: 2,
  optional: [1],
  attrs: {
    axes: { type: "ints" },
    keepdims: FLAG,
    noop_with_empty_axes: { since: 18, values: [0n] },
  },
  infer(ctx) {
    const x = present(ctx, 0);
    floatData(ctx, "ReduceMean", x);
    const rank = x.type.shape.length;
    const axesInput = optionalInput(ctx, 1);
    if (axesInput !== null && ctx.opset < 18) {
      throw new ProfileRuleError(
        "REDUCE_AXES",
        `ReduceMean at opset ${ctx.opset} takes axes as an attribute`,
        ctx.where,
      );
    }
    if (ctx.opset >= 18 && intsAttr(ctx, "axes") !== undefined) {
      throw new ProfileRuleError(
        "INVALID_ATTRIBUTE",
        `ReduceMean at opset ${ctx.opset} has no attribute "axes"`,
        ctx.where,
      );
    }
    let raw: readonly bigint[] | undefined = intsAttr(ctx, "axes");
    if (axesInput !== null) {
      if (axesInput.constant === undefined || axesInput.type.dtype !== INT64 || axesInput.type.shape.length !== 1) {
        throw new ProfileRuleError(
          "REDUCE_AXES",
          `ReduceMean axes ${JSON.stringify(axesInput.name)} must be a 1-D int64 initializer`,
          ctx.where,
        );
      }
      raw = [...(axesInput.constant.data as BigInt64Array)];
    }
    // No axes: every axis (noop_with_empty_axes is 0).
    const axes = (raw === undefined || raw.length === 0 ? x.type.shape.map((_, i) => BigInt(i)) : raw)
      .map((a) => normalizeAxis(ctx, "ReduceMean", a, rank))
      .sort((p, q) => p - q);
    // The reduced axes must be the trailing ones, so that the elements one mean reads are one contiguous run.
    if (new Set(axes).size !== axes.length || axes.some((a, i) => a !== rank - axes.length + i)) {
      throw new ProfileRuleError(
        "REDUCE_AXES",
        `ReduceMean axes [${axes.join(",")}] of rank ${rank}: only trailing axes (a contiguous row) are accepted`,
        ctx.where,
      );
    }
    const kept = x.type.shape.slice(0, rank - axes.length);
    const row = x.type.shape.slice(rank - axes.length).reduce((p, q) => p * q, 1);
    requireRun(ctx, "ReduceMean", "row", row, Limits.MAX_ONE_STEP_RUN);
    const keepdims = attr(ctx, "keepdims", 1n);
    const shape = keepdims === 1n ? [...kept, ...axes.map(() => 1)] : kept;
    return {
      output: checkOutput(ctx, { dtype: FLOAT, shape }),
      attrs: [keepdims, ...axes.map(BigInt)],
    };
  },
};

const transpose: OpRule = {
  minInputs: 1,
  maxInputs: 1,
  optional: [],
  attrs: { perm: { type: "ints" } },
  infer(ctx) {
    const x = present(ctx, 0);
    const rank = x.type.shape.length;
    const perm = (intsAttr(ctx, "perm") ?? x.type.shape.map((_, i) => BigInt(rank - 1 - i))).map(Number);
    const sorted = [...perm].sort((p, q) => p - q);
    if (perm.length !== rank || sorted.some((p, i) => p !== i)) {
      throw new ProfileRuleError(
        "INVALID_PERM",
        `Transpose perm [${perm.join(",")}] is not a permutation of the ${rank} axes`,
        ctx.where,
      );
    }
    const shape = perm.map((p) => at(x.type.shape, p));
    return { output: checkOutput(ctx, { dtype: FLOAT, shape }), attrs: perm.map(BigInt) };
  },
};

/** Operators of the float32 profile, by ONNX op type. */
export const FLOAT_OP_RULES: Readonly<Partial<Record<OpName, OpRule>>> = {
  Add: allFloat("Add", elementwise("Add", floatData)),
  Sub: allFloat("Sub", elementwise("Sub", floatData)),
  Mul: allFloat("Mul", elementwise("Mul", floatData)),
  Div: allFloat("Div", elementwise("Div", floatData)),
  Relu: unary("Relu", floatData),
  Max: allFloat("Max", variadic("Max", floatData)),
  Min: allFloat("Min", variadic("Min", floatData)),
  Reshape: reshape(floatData),
  Flatten: flatten(floatData),
  Identity: unary("Identity", floatData),
  Gather: gather(floatData),
  ArgMax: argMax(floatData),
  MatMul: allFloat("MatMul", matMul),
  Gemm: allFloat("Gemm", gemm),
  Conv: allFloat("Conv", conv),
  MaxPool: allFloat("MaxPool", pool("MaxPool")),
  AveragePool: allFloat("AveragePool", pool("AveragePool")),
  GlobalAveragePool: allFloat("GlobalAveragePool", globalAveragePool),
  ReduceMean: reduceMean,
  Sqrt: unary("Sqrt", floatData),
  Transpose: allFloat("Transpose", transpose),
};
