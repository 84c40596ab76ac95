/**
 * The test command (`npm test`, `npm run test:deep`). Runs the checks in order —
 * formatting, linters, the type checker, the Solidity suite (unit, fuzz,
 * invariant, golden vectors) and the TypeScript suite (node:test) — streams
 * their output, and ends with one plain line `N passed, M failed` that CI reads.
 * Each static check counts as one test; the suites count their own tests.
 */
import { spawn } from "node:child_process";

interface Stage {
  readonly name: string;
  readonly cmd: string;
  readonly args: readonly string[];
  readonly count: (output: string, code: number) => { passed: number; failed: number };
}

const deep = process.argv.includes("--deep");
const only = process.argv.find((a) => a.startsWith("--only="))?.slice("--only=".length);
const env = { ...process.env, ...(deep ? { REFUTE_DEEP: "1" } : {}) };

const asOne = (_: string, code: number) => (code === 0 ? { passed: 1, failed: 0 } : { passed: 0, failed: 1 });

function fromMocha(output: string, code: number) {
  const passed = Number(/(\d+) passing/.exec(output)?.[1] ?? 0);
  const failed = Number(/(\d+) failing/.exec(output)?.[1] ?? 0);
  return { passed, failed: failed || (code !== 0 && passed === 0 ? 1 : failed) };
}

function fromNodeTest(output: string, code: number) {
  const passed = Number(/^# pass (\d+)/m.exec(output)?.[1] ?? 0);
  const failed = Number(/^# fail (\d+)/m.exec(output)?.[1] ?? 0) + Number(/^# cancelled (\d+)/m.exec(output)?.[1] ?? 0);
  return { passed, failed: failed || (code !== 0 ? 1 : 0) };
}

const tsTests = ["test/**/*.test.ts"];

const stages: Stage[] = [
  { name: "format", cmd: "npx", args: ["prettier", "--check", "."], count: asOne },
  { name: "solhint", cmd: "npx", args: ["solhint", "--max-warnings", "0", "contracts/**/*.sol"], count: asOne },
  { name: "eslint", cmd: "npx", args: ["eslint", "."], count: asOne },
  { name: "typecheck", cmd: "npx", args: ["tsc", "--noEmit", "-p", "."], count: asOne },
  // The build is its own stage so that it prints progress and its time shows apart from
  // the tests'; `hardhat test solidity` then finds every file up to date.
  { name: "build", cmd: process.execPath, args: ["--import", "tsx", "scripts/build.ts"], count: asOne },
  { name: "solidity", cmd: "npx", args: ["hardhat", "test", "solidity"], count: fromMocha },
  // Three test files at a time: most of them wait on anvil blocks, child processes and
  // challenge windows rather than on the CPU, so on two cores this takes the suite from
  // about 14 minutes to about 6. REFUTE_TEST_CONCURRENCY=1 runs them one by one.
  {
    name: "typescript",
    cmd: process.execPath,
    args: [
      "--import",
      "tsx",
      "--test",
      `--test-concurrency=${process.env.REFUTE_TEST_CONCURRENCY ?? "3"}`,
      "--test-reporter=tap",
      ...tsTests,
    ],
    count: fromNodeTest,
  },
];

function run(stage: Stage): Promise<{ passed: number; failed: number }> {
  return new Promise((resolve) => {
    console.log(`\n=== ${stage.name}: ${stage.cmd === process.execPath ? "node" : stage.cmd} ${stage.args.join(" ")}`);
    const child = spawn(stage.cmd, stage.args, { env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    const forward = (chunk: Buffer, to: NodeJS.WriteStream) => {
      output += chunk.toString();
      to.write(chunk);
    };
    child.stdout.on("data", (c: Buffer) => forward(c, process.stdout));
    child.stderr.on("data", (c: Buffer) => forward(c, process.stderr));
    child.on("error", (err) => {
      console.error(`${stage.name}: ${err.message}`);
      resolve({ passed: 0, failed: 1 });
    });
    child.on("close", (code) => resolve(stage.count(output, code ?? 1)));
  });
}

let passed = 0;
let failed = 0;
const summary: string[] = [];
for (const stage of stages) {
  if (only && !only.split(",").includes(stage.name)) continue;
  const started = Date.now();
  const r = await run(stage);
  const seconds = ((Date.now() - started) / 1000).toFixed(0);
  passed += r.passed;
  failed += r.failed;
  summary.push(`${stage.name.padEnd(11)} ${r.passed} passed, ${r.failed} failed (${seconds} s)`);
}
console.log(`\n${summary.join("\n")}`);
console.log(`${passed} passed, ${failed} failed`);
process.exitCode = failed === 0 && passed > 0 ? 0 : 1;
