/**
 * The committed gas snapshot for the gas tests: bench/gas.json and
 * bench/gas-onestep-k4096-parts.json as `npm run gas` (scripts/gas.ts) writes them. A test
 * measures again and holds its figures to the file exactly; it never writes the file.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { relative } from "node:path";

const ROOT = fileURLToPath(new URL("../", import.meta.url));

/** A snapshot file's JSON object, and its name for messages (relative to the repository). */
export function readSnapshot(file: URL): { readonly json: Record<string, unknown>; readonly name: string } {
  const path = fileURLToPath(file);
  return { json: JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>, name: relative(ROOT, path) };
}

/**
 * Asserts that `measured` equals `committed` (deep, strict); on a difference the message
 * names the figures, the file and the fix (rerun `npm run gas` and commit the file), and
 * the test runner shows the diff.
 */
export function assertSnapshot(measured: unknown, committed: unknown, what: string, file: string): void {
  assert.deepStrictEqual(
    measured,
    committed,
    `${what}: the measured gas differs from the committed ${file}; when the change is meant, ` +
      `run npm run gas and commit ${file}`,
  );
}
