import { spawn } from "node:child_process";
import { readdirSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const REPO = fileURLToPath(new URL("../../", import.meta.url));

/** One step of the Solidity build: a Hardhat build over one group of root files. */
interface BuildStep {
  readonly name: string;
  readonly folder: string;
  readonly flags: readonly string[];
}

const CONTRACTS: BuildStep = { name: "contracts", folder: "contracts", flags: ["--no-tests"] };
const TESTS: BuildStep = { name: "solidity tests", folder: "test/solidity", flags: ["--no-contracts"] };

export interface BuildSolidityParameters {
  /** Also compile the Solidity tests (after the contracts). */
  readonly tests: boolean;
  readonly log: (line: string) => void;
  /** Seconds between "still compiling" lines. */
  readonly heartbeatSeconds?: number;
}

function solidityFiles(folder: string): string[] {
  const dir = join(REPO, folder);
  return readdirSync(dir, { recursive: true, encoding: "utf8" })
    .filter((f) => f.endsWith(".sol"))
    .map((f) => relative(REPO, join(dir, f)));
}

/**
 * Compiles the contracts, then (optionally) the Solidity tests, one Hardhat build per
 * step. Hardhat's own spinner prints nothing useful when the output is not a terminal
 * (and blank lines when it is captured), so each step is run quietly and announced
 * here: the file count when it starts, a line every `heartbeatSeconds` while it runs,
 * the elapsed time when it ends. Hardhat writes a step's artifacts and cache only when
 * the whole step succeeds, so splitting the build keeps the contracts when a later step
 * is interrupted. Returns false (after printing the compiler's errors) on failure.
 */
export async function buildSolidity({ tests, log, heartbeatSeconds = 10 }: BuildSolidityParameters): Promise<boolean> {
  const steps = tests ? [CONTRACTS, TESTS] : [CONTRACTS];
  const started = Date.now();
  for (const [i, step] of steps.entries()) {
    const files = solidityFiles(step.folder).length;
    const stepStarted = Date.now();
    log(
      `build [${i + 1}/${steps.length}] ${step.name}: ${files} files in ${step.folder}/ (up-to-date files are skipped)`,
    );
    const ok = await runHardhatBuild(
      step.flags,
      () => {
        const seconds = Math.round((Date.now() - stepStarted) / 1000);
        log(`build [${i + 1}/${steps.length}] ${step.name}: still compiling, ${seconds} s`);
      },
      heartbeatSeconds,
    );
    const seconds = ((Date.now() - stepStarted) / 1000).toFixed(1);
    if (!ok) {
      log(`build [${i + 1}/${steps.length}] ${step.name}: failed after ${seconds} s`);
      return false;
    }
    log(`build [${i + 1}/${steps.length}] ${step.name}: done in ${seconds} s`);
  }
  log(`build: finished in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return true;
}

function runHardhatBuild(flags: readonly string[], heartbeat: () => void, heartbeatSeconds: number): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn("npx", ["hardhat", "build", "--quiet", ...flags], {
      cwd: REPO,
      stdio: ["ignore", "pipe", "pipe"],
    });
    // The compiler's output (errors, warnings, "Compiled N files") is passed through,
    // without the blank lines of a spinner that has no terminal to draw on.
    const forward = (chunk: Buffer, to: NodeJS.WriteStream) => {
      const text = chunk
        .toString()
        .split("\n")
        .filter((line) => line.trim() !== "")
        .join("\n");
      if (text !== "") to.write(`${text}\n`);
    };
    child.stdout.on("data", (c: Buffer) => forward(c, process.stdout));
    child.stderr.on("data", (c: Buffer) => forward(c, process.stderr));
    const timer = setInterval(heartbeat, heartbeatSeconds * 1000);
    // The parent's Ctrl-C reaches the child through the process group; the timer must
    // not keep the parent alive meanwhile.
    timer.unref();
    child.on("error", () => {
      clearInterval(timer);
      resolve(false);
    });
    child.on("close", (code) => {
      clearInterval(timer);
      resolve(code === 0);
    });
  });
}
