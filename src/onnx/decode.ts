import onnxProto from "onnx-proto";
// The package is CommonJS: Node's ESM loader cannot see its named export, so
// the value comes from the default import and only types are named.
import type { onnx as pb } from "onnx-proto";
import { LimitExceededError, MalformedModelError } from "./errors.ts";
import { Limits } from "./limits.ts";
import { scanModelWire } from "./wire.ts";

const { onnx } = onnxProto;

export type ModelProto = pb.ModelProto;

/** Throws LimitExceededError unless `size` bytes is an acceptable ONNX file size; callers check before reading a file. */
export function checkFileSize(size: number): void {
  if (size > Limits.MAX_FILE_BYTES) {
    throw new LimitExceededError(
      "FILE_TOO_LARGE",
      String(size),
      String(Limits.MAX_FILE_BYTES),
      `the file is ${size} bytes, more than the ${Limits.MAX_FILE_BYTES}-byte limit`,
    );
  }
}

/**
 * Decodes an ONNX file into a ModelProto after a bounded wire scan (see
 * wire.ts), so that protobufjs never sees bytes that could make it allocate
 * without bound or read the file differently from onnxruntime.
 */
export function decodeModel(bytes: Uint8Array): ModelProto {
  checkFileSize(bytes.length);
  if (bytes.length === 0) throw new MalformedModelError("EMPTY_FILE", "the file is empty");
  scanModelWire(bytes);
  try {
    return onnx.ModelProto.decode(bytes);
  } catch (cause) {
    // The scan accepts only what protobufjs decodes; reaching here is a scanner gap, still a clean rejection.
    throw new MalformedModelError("MALFORMED_PROTOBUF", `protobuf decoding failed: ${(cause as Error).message}`, {
      cause,
    });
  }
}

/** A protobufjs int64 (a number or a Long) as an exact bigint. */
export function int64Of(value: number | { low: number; high: number; unsigned: boolean } | null | undefined): bigint {
  if (value === null || value === undefined) return 0n;
  if (typeof value === "number") return BigInt(Math.trunc(value));
  const u = (BigInt(value.high >>> 0) << 32n) | BigInt(value.low >>> 0);
  return value.unsigned ? u : BigInt.asIntN(64, u);
}

/** True when a protobufjs optional scalar field was present on the wire (not the prototype default). */
export function hasField(message: object, field: string): boolean {
  return Object.hasOwn(message, field);
}
