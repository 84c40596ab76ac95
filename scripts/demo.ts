/**
 * `npm run demo [-- --jobs N --cheat-rate p --sampling-rate p …]` (src/demo/run.ts).
 * Compiles the contracts first when artifacts/ is missing them. Exit 0 only when the
 * story held: every sampled bad job slashed and no honest job challenged.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { CommanderError } from "commander";
import { BOUND_CONTRACTS } from "../src/chain/renderAbis.ts";
import { REPO } from "../src/demo/daemonProcess.ts";
import { parseDemoOptions } from "../src/demo/options.ts";

let options;
try {
  options = parseDemoOptions(process.argv.slice(2));
} catch (e) {
  process.exit(e instanceof CommanderError && e.exitCode === 0 ? 0 : 2);
}

const missing = BOUND_CONTRACTS.filter(
  ([, source, name]) => !existsSync(join(REPO, "artifacts", source, `${name}.json`)),
);
if (missing.length > 0) {
  console.log(
    `compiling the contracts (missing artifacts: ${missing.map(([, , n]) => n).join(", ")}); this takes 1-3 minutes…`,
  );
  const r = spawnSync("npx", ["hardhat", "build"], { cwd: REPO, stdio: "inherit" });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

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
