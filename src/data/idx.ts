/**
 * Minimal reader/writer for the IDX format used by (Fashion-)MNIST.
 *
 * Only the unsigned-byte element type (0x08) is supported: that is all the
 * dataset uses, and refusing anything else is safer than guessing. Files may
 * be gzipped (as Debian ships them) or plain (as we commit the eval subset).
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";

export interface IdxImages {
  count: number;
  rows: number;
  cols: number;
  /** count * rows * cols bytes, image-major, row-major within an image. */
  pixels: Uint8Array;
}

export class IdxFormatError extends Error {
  constructor(path: string, reason: string) {
    super(`malformed IDX file ${path}: ${reason}`);
    this.name = "IdxFormatError";
  }
}

const UBYTE = 0x08;

function loadBytes(path: string): Uint8Array {
  const raw = readFileSync(path);
  // Sniff the gzip magic rather than trusting the extension: some mirrors
  // ship uncompressed files under a .gz name and vice versa.
  if (raw.length >= 2 && raw[0] === 0x1f && raw[1] === 0x8b) {
    try {
      return new Uint8Array(gunzipSync(raw));
    } catch (e) {
      throw new IdxFormatError(path, `gzip decompression failed (${(e as Error).message})`);
    }
  }
  return new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength);
}

function parseHeader(path: string, bytes: Uint8Array, expectedRank: number): number[] {
  if (bytes.length < 4) throw new IdxFormatError(path, "shorter than the 4-byte magic");
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    throw new IdxFormatError(path, "magic must start with two zero bytes");
  }
  if (bytes[2] !== UBYTE) {
    throw new IdxFormatError(path, `element type 0x${bytes[2]!.toString(16)} is not unsigned byte (0x08)`);
  }
  const rank = bytes[3]!;
  if (rank !== expectedRank) {
    throw new IdxFormatError(path, `expected ${expectedRank} dimension(s), header says ${rank}`);
  }
  const headerLen = 4 + 4 * rank;
  if (bytes.length < headerLen) throw new IdxFormatError(path, "truncated header");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims: number[] = [];
  for (let i = 0; i < rank; i++) dims.push(view.getUint32(4 + 4 * i, false));
  const expected = headerLen + dims.reduce((a, b) => a * b, 1);
  if (bytes.length !== expected) {
    throw new IdxFormatError(path, `dimensions [${dims.join(", ")}] need ${expected} bytes, file has ${bytes.length}`);
  }
  return dims;
}

export function readIdxImages(path: string): IdxImages {
  const bytes = loadBytes(path);
  const [count, rows, cols] = parseHeader(path, bytes, 3) as [number, number, number];
  // Copy so the result does not pin the (possibly larger) decompression buffer.
  const pixels = bytes.slice(16);
  return { count, rows, cols, pixels };
}

export function readIdxLabels(path: string): Uint8Array {
  const bytes = loadBytes(path);
  parseHeader(path, bytes, 1);
  return bytes.slice(8);
}

function header(dims: readonly number[]): Uint8Array {
  const out = new Uint8Array(4 + 4 * dims.length);
  const view = new DataView(out.buffer);
  out[2] = UBYTE;
  out[3] = dims.length;
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  return out;
}

/** Encodes images as an uncompressed IDX file (magic 0x00000803). */
export function encodeIdxImages(images: IdxImages): Uint8Array {
  const { count, rows, cols, pixels } = images;
  if (pixels.length !== count * rows * cols) {
    throw new Error(`encodeIdxImages: ${pixels.length} pixels for ${count}x${rows}x${cols}`);
  }
  const h = header([count, rows, cols]);
  const out = new Uint8Array(h.length + pixels.length);
  out.set(h, 0);
  out.set(pixels, h.length);
  return out;
}

/** Encodes labels as an uncompressed IDX file (magic 0x00000801). */
export function encodeIdxLabels(labels: Uint8Array): Uint8Array {
  const h = header([labels.length]);
  const out = new Uint8Array(h.length + labels.length);
  out.set(h, 0);
  out.set(labels, h.length);
  return out;
}

export interface FashionMnistFiles {
  dir: string;
  trainImages: string;
  trainLabels: string;
  testImages: string;
  testLabels: string;
}

export const DEFAULT_FMNIST_DIR = "/usr/share/datasets/fashion-mnist";

const BASENAMES = {
  trainImages: "train-images-idx3-ubyte",
  trainLabels: "train-labels-idx1-ubyte",
  testImages: "t10k-images-idx3-ubyte",
  testLabels: "t10k-labels-idx1-ubyte",
} as const;

/**
 * Finds the Fashion-MNIST files: `$REFUTE_FMNIST_DIR` if set, else the
 * directory Debian's `dataset-fashion-mnist` package installs into. Each file
 * may be plain or `.gz`.
 */
export function locateFashionMnist(): FashionMnistFiles {
  const fromEnv = process.env["REFUTE_FMNIST_DIR"];
  const dir = fromEnv !== undefined && fromEnv !== "" ? fromEnv : DEFAULT_FMNIST_DIR;
  const missing: string[] = [];
  const find = (base: string): string => {
    for (const candidate of [join(dir, base), join(dir, `${base}.gz`)]) {
      if (existsSync(candidate)) return candidate;
    }
    missing.push(base);
    return "";
  };
  const files: FashionMnistFiles = {
    dir,
    trainImages: find(BASENAMES.trainImages),
    trainLabels: find(BASENAMES.trainLabels),
    testImages: find(BASENAMES.testImages),
    testLabels: find(BASENAMES.testLabels),
  };
  if (missing.length > 0) {
    throw new Error(
      `Fashion-MNIST not found in ${dir} (missing ${missing.join(", ")}; plain or .gz). ` +
        `Install it with \`sudo apt-get install dataset-fashion-mnist\` ` +
        `(files land in ${DEFAULT_FMNIST_DIR}), or point REFUTE_FMNIST_DIR at a ` +
        `directory holding the four IDX files.`,
    );
  }
  return files;
}
