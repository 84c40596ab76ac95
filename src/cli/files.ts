import { readFileSync, statSync } from "node:fs";
import { checkFileSize } from "../onnx/decode.ts";
import { UsageError } from "./errors.ts";

/** Size of a regular file, or a UsageError; nothing is read. */
export function fileSize(path: string, what: string): number {
  let stats;
  try {
    stats = statSync(path);
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    throw new UsageError("FILE_NOT_FOUND", `cannot open ${what} ${path}${code !== undefined ? ` (${code})` : ""}`);
  }
  if (!stats.isFile()) throw new UsageError("NOT_A_FILE", `${what} ${path} is not a regular file`);
  return stats.size;
}

/** Reads an ONNX file after checking its size against the profile limit, so an oversized file is never read. */
export function readModelFile(path: string): Uint8Array {
  checkFileSize(fileSize(path, "model"));
  return new Uint8Array(readFileSync(path));
}

/** Reads a file of at most `maxBytes`. */
export function readBoundedFile(path: string, what: string, maxBytes: number): Uint8Array {
  const size = fileSize(path, what);
  if (size > maxBytes)
    throw new UsageError("FILE_TOO_LARGE", `${what} ${path} is ${size} bytes, more than ${maxBytes}`);
  return new Uint8Array(readFileSync(path));
}
