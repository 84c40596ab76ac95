import type { onnx as pb } from "onnx-proto";
import { DType, dtypeInfo, isDType } from "../tensor/dtype.ts";
import { Layout } from "../tensor/spec.ts";
import { allocate, float32Bits, isNonCanonicalNaN, Tensor } from "../tensor/tensor.ts";
import { int64Of, hasField } from "./decode.ts";
import {
  ExternalDataError,
  GraphStructureError,
  MalformedModelError,
  ProfileRuleError,
  UnsupportedDTypeError,
} from "./errors.ts";
import { checkedElementCount } from "./shapes.ts";

/** TensorProto.DataLocation.EXTERNAL. */
const EXTERNAL = 1;

/**
 * Refuses an initializer stored outside the file. Only the metadata is read:
 * the location is quoted in the message, never opened, so a path like
 * `../../etc/passwd` is inert.
 */
export function checkInlineData(t: pb.ITensorProto): void {
  const name = t.name ?? "";
  const entries = t.externalData ?? [];
  if ((t.dataLocation ?? 0) === EXTERNAL || entries.length > 0) {
    const location = entries.find((e) => e.key === "location")?.value;
    const shown =
      location === undefined || location === null ? "" : ` (location ${JSON.stringify(location.slice(0, 200))})`;
    throw new ExternalDataError(`initializer data is stored outside the file${shown}; only inline data is accepted`, {
      tensor: name,
    });
  }
  if ((t.dataLocation ?? 0) !== 0) {
    throw new MalformedModelError("INVALID_TENSOR", `unknown data_location ${t.dataLocation}`, { tensor: name });
  }
}

/** Refuses an initializer whose element type is not float32 or one of the four integer types. */
export function checkInitializerDType(t: pb.ITensorProto): DType {
  const code = t.dataType ?? 0;
  if (!isDType(code)) {
    throw new UnsupportedDTypeError(
      "UNSUPPORTED_DTYPE",
      code,
      `initializer has ONNX data_type ${code}; only float (1), uint8 (2), int8 (3), int32 (6), int64 (7) are accepted`,
      { tensor: t.name ?? "" },
    );
  }
  return code;
}

/**
 * Decodes an initializer into a row-major Tensor. Shape and size are checked
 * against the limits first, then the stored data against the shape, and only
 * then is the tensor allocated, so declared dims never drive an allocation on
 * their own.
 */
export function initializerTensor(t: pb.ITensorProto): Tensor {
  const name = t.name ?? "";
  const where = { tensor: name };
  if (name === "") throw new GraphStructureError("EMPTY_NAME", "an initializer has no name");
  checkInlineData(t);
  const dtype = checkInitializerDType(t);
  if (t.segment !== null && t.segment !== undefined) {
    throw new MalformedModelError("INVALID_TENSOR", "segmented tensors are not accepted", where);
  }
  const dims = (t.dims ?? []).map((d) => int64Of(d));
  const n = checkedElementCount(dims, "initializer", where);
  const shape = dims.map(Number);
  const { width } = dtypeInfo(dtype);

  if (dtype === DType.FLOAT) return floatInitializer(t, shape, n, where);
  const foreign: [string, number][] = [
    ["float_data", t.floatData?.length ?? 0],
    ["double_data", t.doubleData?.length ?? 0],
    ["string_data", t.stringData?.length ?? 0],
    ["uint64_data", t.uint64Data?.length ?? 0],
    [
      dtype === DType.INT64 ? "int32_data" : "int64_data",
      (dtype === DType.INT64 ? t.int32Data : t.int64Data)?.length ?? 0,
    ],
  ];
  for (const [field, count] of foreign) {
    if (count > 0) {
      throw new MalformedModelError("INVALID_TENSOR", `a ${dtypeInfo(dtype).name} initializer holds ${field}`, where);
    }
  }
  const typed = dtype === DType.INT64 ? (t.int64Data ?? []) : (t.int32Data ?? []);
  const typedField = dtype === DType.INT64 ? "int64_data" : "int32_data";
  const hasRaw = hasField(t, "rawData");
  if (hasRaw && typed.length > 0) {
    throw new MalformedModelError("INVALID_TENSOR", `initializer holds both raw_data and ${typedField}`, where);
  }

  const spec = { dtype, layout: Layout.ROW_MAJOR, shape };
  if (hasRaw) {
    const raw = t.rawData ?? new Uint8Array(0);
    if (raw.length !== n * width) {
      throw new MalformedModelError(
        "INITIALIZER_DATA_MISMATCH",
        `raw_data has ${raw.length} bytes, shape [${shape.join(",")}] of ${dtypeInfo(dtype).name} needs ${n * width}`,
        where,
      );
    }
    return new Tensor(spec, fromRawLittleEndian(dtype, raw, n));
  }
  if (typed.length !== n) {
    const what = typed.length === 0 ? "no data" : `${typed.length} values in ${typedField}`;
    throw new MalformedModelError(
      "INITIALIZER_DATA_MISMATCH",
      `initializer has ${what}, shape [${shape.join(",")}] needs ${n} elements`,
      where,
    );
  }
  const data = allocate(dtype, n);
  const { min, max } = dtypeInfo(dtype);
  for (let i = 0; i < n; i++) {
    const v = typeof typed[i] === "number" ? BigInt(typed[i] as number) : int64Of(typed[i]);
    if (v < min || v > max) {
      throw new MalformedModelError(
        "INVALID_TENSOR",
        `${typedField}[${i}] = ${v} is outside the ${dtypeInfo(dtype).name} range`,
        where,
      );
    }
    if (data instanceof BigInt64Array) data[i] = v;
    else data[i] = Number(v);
  }
  return new Tensor(spec, data);
}

/**
 * A float32 initializer, from raw_data (little-endian bit patterns, kept exactly) or
 * float_data. A NaN other than 0x7fc00000 is refused (§11.1: a committed tensor holds no
 * other NaN, and a constant is committed as the file stores it). float_data arrives as
 * JavaScript numbers, which cannot carry a NaN's pattern, so a NaN there is refused too.
 */
function floatInitializer(t: pb.ITensorProto, shape: number[], n: number, where: { tensor: string }): Tensor {
  for (const [field, count] of [
    ["double_data", t.doubleData?.length ?? 0],
    ["string_data", t.stringData?.length ?? 0],
    ["uint64_data", t.uint64Data?.length ?? 0],
    ["int32_data", t.int32Data?.length ?? 0],
    ["int64_data", t.int64Data?.length ?? 0],
  ] as const) {
    if (count > 0) throw new MalformedModelError("INVALID_TENSOR", `a float32 initializer holds ${field}`, where);
  }
  const typed = t.floatData ?? [];
  const hasRaw = hasField(t, "rawData");
  if (hasRaw && typed.length > 0) {
    throw new MalformedModelError("INVALID_TENSOR", "initializer holds both raw_data and float_data", where);
  }
  const spec = { dtype: DType.FLOAT, layout: Layout.ROW_MAJOR, shape };
  const data = new Float32Array(n);
  const bits = float32Bits(data);
  if (hasRaw) {
    const raw = t.rawData ?? new Uint8Array(0);
    if (raw.length !== n * 4) {
      throw new MalformedModelError(
        "INITIALIZER_DATA_MISMATCH",
        `raw_data has ${raw.length} bytes, shape [${shape.join(",")}] of float32 needs ${n * 4}`,
        where,
      );
    }
    const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    for (let i = 0; i < n; i++) bits[i] = view.getUint32(4 * i, true);
  } else {
    if (typed.length !== n) {
      const what = typed.length === 0 ? "no data" : `${typed.length} values in float_data`;
      throw new MalformedModelError(
        "INITIALIZER_DATA_MISMATCH",
        `initializer has ${what}, shape [${shape.join(",")}] needs ${n} elements`,
        where,
      );
    }
    for (let i = 0; i < n; i++) {
      const v = typed[i] as number;
      if (Number.isNaN(v)) {
        throw new ProfileRuleError(
          "NON_CANONICAL_NAN",
          `float_data[${i}] is a NaN, whose bit pattern float_data cannot carry; store NaN constants in raw_data as 0x7fc00000`,
          where,
        );
      }
      data[i] = v;
    }
  }
  for (let i = 0; i < n; i++) {
    const b = bits[i] as number;
    if (isNonCanonicalNaN(b)) {
      throw new ProfileRuleError(
        "NON_CANONICAL_NAN",
        `element ${i} is the NaN 0x${b.toString(16).padStart(8, "0")}; the only NaN a committed tensor may hold is 0x7fc00000`,
        where,
      );
    }
  }
  return new Tensor(spec, data);
}

/** ONNX raw_data is little-endian whatever the host; copy into an owned, aligned array. */
function fromRawLittleEndian(dtype: DType, raw: Uint8Array, n: number): Tensor["data"] {
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  switch (dtype) {
    case DType.FLOAT:
      throw new Error("float32 initializers are decoded by floatInitializer");
    case DType.UINT8:
      return Uint8Array.from(raw);
    case DType.INT8:
      return new Int8Array(Uint8Array.from(raw).buffer);
    case DType.INT32: {
      const out = new Int32Array(n);
      for (let i = 0; i < n; i++) out[i] = view.getInt32(4 * i, true);
      return out;
    }
    case DType.INT64: {
      const out = new BigInt64Array(n);
      for (let i = 0; i < n; i++) out[i] = view.getBigInt64(8 * i, true);
      return out;
    }
  }
}
