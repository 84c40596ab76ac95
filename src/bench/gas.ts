/**
 * The gas figures: copied from bench/gas.json (written by `npm run gas`,
 * scripts/gas.ts, exact gasUsed from receipts). When the file is absent the
 * script is run first if the project has it; otherwise the figures are recorded
 * as missing. Never estimated here.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { REPO } from "./inputs.ts";

export type Json = string | number | boolean | null | readonly Json[] | { readonly [k: string]: Json };

export interface GasSection {
  /** bench/gas.json as written by `npm run gas`, or null. */
  readonly gas: { readonly [k: string]: Json } | null;
  readonly source: string;
  /** Why `gas` is null. */
  readonly missing?: string;
  /** Whether this run ran `npm run gas` to produce the file. */
  readonly ranGasScript: boolean;
  /** When the copied file was last written (ISO-8601), so a copy can be matched to its source. */
  readonly modified?: string;
}

export function hasGasScript(repo = REPO): boolean {
  try {
    const pkg = JSON.parse(readFileSync(join(repo, "package.json"), "utf8")) as { scripts?: Record<string, string> };
    return typeof pkg.scripts?.gas === "string" && existsSync(join(repo, "scripts", "gas.ts"));
  } catch {
    return false;
  }
}

export function loadGas(opts: {
  readonly file?: string;
  /** Run `npm run gas` when the file is absent (off in --quick). */
  readonly runScriptIfMissing: boolean;
  readonly log: (line: string) => void;
}): GasSection {
  const file = opts.file ?? join(REPO, "bench", "gas.json");
  const source = file.startsWith(REPO) ? file.slice(REPO.length) : file;
  let ranGasScript = false;
  if (!existsSync(file)) {
    if (!opts.runScriptIfMissing) {
      return { gas: null, source, ranGasScript, missing: `${source} is absent and this profile does not run npm run gas` };
    }
    if (!hasGasScript()) {
      return { gas: null, source, ranGasScript, missing: `${source} is absent and the project has no npm run gas` };
    }
    opts.log(`${source} is absent: running npm run gas`);
    const r = spawnSync("npm", ["run", "gas"], { cwd: REPO, stdio: ["ignore", "inherit", "inherit"] });
    ranGasScript = true;
    if (r.status !== 0 || !existsSync(file)) {
      return { gas: null, source, ranGasScript, missing: `npm run gas failed (exit ${r.status ?? r.signal})` };
    }
  }
  try {
    const parsed = JSON.parse(readFileSync(file, "utf8")) as unknown;
    if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
      return { gas: null, source, ranGasScript, missing: `${source} is not a JSON object` };
    }
    return {
      gas: parsed as { [k: string]: Json },
      source,
      ranGasScript,
      modified: statSync(file).mtime.toISOString(),
    };
  } catch (e) {
    return { gas: null, source, ranGasScript, missing: `${source} is not valid JSON: ${(e as Error).message}` };
  }
}

/** A number at a path of the gas object, or undefined. */
export function gasAt(gas: { readonly [k: string]: Json } | null, ...path: string[]): number | undefined {
  let v: Json | undefined = gas;
  for (const k of path) {
    if (v === null || v === undefined || typeof v !== "object" || Array.isArray(v)) return undefined;
    v = (v as { readonly [k: string]: Json })[k];
  }
  return typeof v === "number" ? v : undefined;
}
