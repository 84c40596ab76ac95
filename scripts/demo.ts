/**
 * `npm run demo [-- --jobs N --cheat-rate p --sampling-rate p …]` (src/demo/run.ts).
 * Compiles the contracts first (a cache hit when they are up to date). Exit 0 only when the
 * story held: every sampled bad job slashed and no honest job challenged.
 */
// First: on a Node older than 22.13 this prints how to get Node 22 and exits.
import "../bin/node-version.js";
import { CommanderError } from "commander";
import { buildSolidity } from "../src/chain/build.ts";
import { parseDemoOptions } from "../src/demo/options.ts";

let options;
try {
  options = parseDemoOptions(process.argv.slice(2));
} catch (e) {
  process.exit(e instanceof CommanderError && e.exitCode === 0 ? 0 : 2);
}

// Always built: up-to-date sources are a cache hit of a couple of seconds, and a
// changed contract must not run from stale artifacts.
if (!(await buildSolidity({ tests: false, log: (line) => console.log(line) }))) process.exit(1);

// Loaded after the build: deploying reads the contracts' bytecode from artifacts/.
const { runDemo } = await import("../src/demo/run.ts");
const live = process.stdout.isTTY === true;
try {
  const { report } = await runDemo(options, {
    out: (t) => process.stdout.write(t),
    progress: (t) => process.stdout.write(t),
    live,
  });
  process.exitCode = report.storyHeld ? 0 : 1;
} catch (e) {
  console.error(`demo failed: ${e instanceof Error ? e.message : String(e)}`);
  process.exitCode = 1;
}
