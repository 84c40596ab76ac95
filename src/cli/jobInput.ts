import { extname } from "node:path";
import { z } from "zod";
import { IdxFormatError, readIdxImages } from "../data/idx.ts";
import { quantizePixels } from "../data/quantizeInput.ts";
import { DType, dtypeInfo } from "../tensor/dtype.ts";
import { Layout, elementCount, packedByteLength, type TensorSpec } from "../tensor/spec.ts";
import { Tensor } from "../tensor/tensor.ts";
import { unpack } from "../tensor/packing.ts";
import { InputMismatchError } from "../trace/errors.ts";
import { readBoundedFile } from "./files.ts";

/** Input files are at most this large (a 2^26-element int8 input as JSON is ~300 MiB; keep the CLI sane). */
const MAX_INPUT_BYTES = 64 * 1024 * 1024;

const JsonInput = z.object({
  data: z.array(z.union([z.number().int(), z.string().regex(/^-?\d+$/)])),
});

export interface JobInputOptions {
  /** Image index in an IDX file; selects the IDX reader. */
  readonly index?: number;
}

/**
 * Reads a job input for a model whose input has `spec`:
 * - `.json`: `{ "data": [ints…] }` in row-major order (strings allowed for big values);
 * - `.bin`: the canonical packed bytes (docs/PROTOCOL.md §2; for int8/uint8, one byte per element);
 * - an IDX image file (as Fashion-MNIST ships, plain or gzipped) with `index`: image `index`,
 *   quantized as the shipped model expects (src/data/quantizeInput.ts).
 */
export function readJobInput(path: string, spec: TensorSpec, options: JobInputOptions = {}): Tensor {
  const rowMajor: TensorSpec = { dtype: spec.dtype, layout: Layout.ROW_MAJOR, shape: [...spec.shape] };
  if (options.index !== undefined) return fromIdx(path, rowMajor, options.index);
  const ext = extname(path).toLowerCase();
  const bytes = readBoundedFile(path, "input", MAX_INPUT_BYTES);
  if (ext === ".json" || (ext !== ".bin" && bytes[0] === 0x7b)) return fromJson(path, bytes, rowMajor);
  if (ext === ".bin") return fromPacked(path, bytes, rowMajor);
  if (bytes.length >= 4 && bytes[0] === 0 && bytes[1] === 0 && bytes[2] === 8 && bytes[3] === 3) {
    throw new InputMismatchError(`${path} is an IDX image file: pass --index N to pick an image`);
  }
  throw new InputMismatchError(`${path}: unknown input format (use .json, .bin, or an IDX file with --index)`);
}

function fromJson(path: string, bytes: Uint8Array, spec: TensorSpec): Tensor {
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder().decode(bytes));
  } catch (e) {
    throw new InputMismatchError(`${path} is not valid JSON: ${(e as Error).message}`);
  }
  const result = JsonInput.safeParse(parsed);
  if (!result.success) throw new InputMismatchError(`${path} must be { "data": [integers…] }`);
  const values = result.data.data.map((v) => BigInt(v));
  const n = elementCount(spec.shape);
  if (values.length !== n) {
    throw new InputMismatchError(
      `${path} has ${values.length} values, the model input [${spec.shape.join(",")}] needs ${n}`,
    );
  }
  const { min, max, name } = dtypeInfo(spec.dtype);
  values.forEach((v, i) => {
    if (v < min || v > max) throw new InputMismatchError(`${path}: data[${i}] = ${v} is outside the ${name} range`);
  });
  return Tensor.fromBigInts(spec, values);
}

function fromPacked(path: string, bytes: Uint8Array, spec: TensorSpec): Tensor {
  const need = packedByteLength(spec);
  if (bytes.length !== need) {
    throw new InputMismatchError(`${path} has ${bytes.length} bytes, the model input needs ${need} packed bytes`);
  }
  return unpack(spec, bytes);
}

function fromIdx(path: string, spec: TensorSpec, index: number): Tensor {
  if (spec.dtype !== DType.INT8) {
    throw new InputMismatchError(`IDX images are quantized to int8; the model takes ${dtypeInfo(spec.dtype).name}`);
  }
  let images;
  try {
    images = readIdxImages(path);
  } catch (e) {
    if (e instanceof IdxFormatError) throw new InputMismatchError(e.message);
    throw new InputMismatchError(`cannot read ${path}: ${(e as Error).message}`);
  }
  if (!Number.isInteger(index) || index < 0 || index >= images.count) {
    throw new InputMismatchError(`image index ${index} is outside 0…${images.count - 1}`);
  }
  const size = images.rows * images.cols;
  if (size !== elementCount(spec.shape)) {
    throw new InputMismatchError(
      `IDX images are ${images.rows}x${images.cols}, the model input [${spec.shape.join(",")}] has ${elementCount(spec.shape)} elements`,
    );
  }
  return new Tensor(spec, quantizePixels(images.pixels.subarray(index * size, (index + 1) * size)));
}
