import { existsSync, readFileSync, statSync } from "node:fs";
import { isAbsolute, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { readCapped } from "../service/readCapped.ts";

/** A URI that could not be read: unsupported scheme, missing file, HTTP error, too large. */
export class FetchUriError extends Error {
  override readonly name = "FetchUriError";
  constructor(
    readonly uri: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

const REPO = fileURLToPath(new URL("../../", import.meta.url));

/**
 * Where a `file://` URI points. Registrations made by `refute model register` name a
 * bare file (`file://fmnist-mlp.onnx`, so the id does not depend on a machine's paths):
 * it is looked up in `searchDirs` (by default the working directory, then this
 * checkout's models/). `file:///abs/path` is taken as is.
 */
export function resolveFileUri(
  uri: string,
  searchDirs: readonly string[] = [process.cwd(), join(REPO, "models")],
): string {
  const rest = uri.slice("file://".length);
  if (rest.startsWith("/")) return decodeURIComponent(rest);
  const name = decodeURIComponent(rest);
  if (isAbsolute(name)) return name;
  for (const dir of searchDirs) {
    const candidate = resolve(dir, name);
    if (existsSync(candidate)) return candidate;
  }
  throw new FetchUriError(uri, `${uri}: no file ${name} in ${searchDirs.join(", ")} (pass the file explicitly)`);
}

/** Reads a `file://`, `http://` or `https://` URI, refusing more than `maxBytes`. */
export async function fetchUri(uri: string, maxBytes: number, timeoutMs = 15_000): Promise<Uint8Array> {
  if (uri.startsWith("file://")) {
    const path = resolveFileUri(uri);
    const size = statSync(path).size;
    if (size > maxBytes) throw new FetchUriError(uri, `${path} is ${size} bytes, more than ${maxBytes}`);
    return new Uint8Array(readFileSync(path));
  }
  if (!/^https?:\/\//.test(uri))
    throw new FetchUriError(uri, `${uri}: only file://, http:// and https:// URIs can be fetched`);
  let res: Response;
  try {
    res = await fetch(uri, { signal: AbortSignal.timeout(timeoutMs) });
  } catch (cause) {
    throw new FetchUriError(uri, `${uri}: ${(cause as Error).message}`, { cause });
  }
  if (!res.ok) throw new FetchUriError(uri, `${uri}: HTTP ${res.status}`);
  // Read as a stream and cut off past maxBytes: a hostile server cannot make an auditor buffer gigabytes.
  const body = await readCapped(res, maxBytes);
  if (body === undefined) throw new FetchUriError(uri, `${uri} is more than ${maxBytes} bytes`);
  return body;
}
