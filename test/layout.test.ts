/**
 * The layout the design card fixes: eight top-level entries, the daemons beside the
 * shared core, and a core that never reaches into the daemons (so either daemon can
 * be read, tested and shipped on top of src/ alone).
 */
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith(".ts"))
    .map((e) => join(e.parentPath, e.name));
}

/** Every relative module specifier of a file: static and dynamic imports and re-exports. */
function specifiers(file: string): string[] {
  const text = readFileSync(file, "utf8");
  const found: string[] = [];
  for (const m of text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)["'](\.{1,2}\/[^"']+)["']/gm)) {
    if (m[1] !== undefined) found.push(m[1]);
  }
  return found;
}

test("the card's top-level entries exist, and the daemons live beside src/", () => {
  for (const entry of [
    "package.json",
    "hardhat.config.ts",
    "contracts",
    "watcher",
    "provider",
    "scripts",
    "test",
    "deployments",
    "README.md",
  ]) {
    assert.ok(existsSync(join(ROOT, entry)), `${entry} is missing`);
  }
  assert.ok(!existsSync(join(ROOT, "src", "watcher")), "src/watcher must not exist: the watcher is watcher/");
  assert.ok(!existsSync(join(ROOT, "src", "provider")), "src/provider must not exist: the provider is provider/");
});

test("nothing in src/ imports from watcher/ or provider/", () => {
  const files = sources(join(ROOT, "src"));
  assert.ok(files.length > 50, `read ${files.length} files of src/`);
  const offending: string[] = [];
  for (const file of files) {
    for (const spec of specifiers(file)) {
      const target = relative(ROOT, resolve(dirname(file), spec));
      if (/^(watcher|provider)(\/|$)/.test(target)) offending.push(`${relative(ROOT, file)} → ${spec}`);
    }
  }
  assert.deepEqual(offending, []);
});

test("the import scan sees a daemon import when there is one", () => {
  // The scan above must be able to fail: the daemons' own files do import src/.
  const watcherImports = sources(join(ROOT, "watcher")).flatMap((f) =>
    specifiers(f).map((s) => relative(ROOT, resolve(dirname(f), s))),
  );
  assert.ok(watcherImports.some((t) => t.startsWith("src/")));
  assert.ok(watcherImports.some((t) => t.startsWith("watcher/")));
});
