/**
 * The model files a daemon can use, found by content: every `.onnx` file given
 * (or inside a given folder) is indexed by its keccak256, which is what a
 * registration's `fileHash` binds — so a file's name and the registration's URI
 * never matter. Files over the loader's size limit are skipped unread.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { extname, join } from "node:path";
import { keccak256, type Hex } from "viem";
import { Limits } from "../onnx/limits.ts";

export class ModelFiles {
  private readonly byHash = new Map<string, string>();
  private readonly skipped = new Map<string, string>();
  private lastScan = 0;

  /** `paths`: files or folders. */
  constructor(private readonly paths: readonly string[]) {
    this.scan();
  }

  /** Path of the file with this hash, rescanning folders (at most every 2 s) on a miss. */
  find(fileHash: Hex): string | undefined {
    const hit = this.byHash.get(fileHash.toLowerCase());
    if (hit !== undefined || Date.now() - this.lastScan < 2000) return hit;
    this.scan();
    return this.byHash.get(fileHash.toLowerCase());
  }

  /** Indexed files: hash → path. */
  entries(): [Hex, string][] {
    return [...this.byHash.entries()] as [Hex, string][];
  }

  /** Files that could not be indexed, with why. */
  problems(): [string, string][] {
    return [...this.skipped.entries()];
  }

  private scan(): void {
    this.lastScan = Date.now();
    for (const p of this.paths) {
      let files: string[];
      try {
        files = statSync(p).isDirectory()
          ? readdirSync(p)
              .filter((f) => extname(f).toLowerCase() === ".onnx")
              .map((f) => join(p, f))
          : [p];
      } catch (e) {
        this.skipped.set(p, (e as NodeJS.ErrnoException).code ?? (e as Error).message);
        continue;
      }
      for (const file of files) this.index(file);
    }
  }

  private index(file: string): void {
    if ([...this.byHash.values()].includes(file)) return;
    try {
      const size = statSync(file).size;
      if (size > Limits.MAX_FILE_BYTES) {
        this.skipped.set(file, `${size} bytes is over the ${Limits.MAX_FILE_BYTES}-byte limit`);
        return;
      }
      this.byHash.set(keccak256(readFileSync(file)).toLowerCase(), file);
    } catch (e) {
      this.skipped.set(file, (e as NodeJS.ErrnoException).code ?? (e as Error).message);
    }
  }
}
