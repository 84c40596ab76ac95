/**
 * Scenario 6: a bad configuration value of each kind is one line naming the
 * field, `refute: config: <field>: <problem>`, and exit code 2 — from a flag, the
 * environment or an env file. Real processes, no chain needed (validation comes
 * before any connection).
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { refute as refuteMain } from "../../bin/cli.ts";
import { KEYS, ROOT } from "./harness.ts";

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function refute(args: readonly string[], env: Record<string, string | undefined> = {}): Promise<Run> {
  return new Promise((resolve) => {
    const clean: NodeJS.ProcessEnv = {};
    for (const [k, v] of Object.entries(process.env)) if (!k.startsWith("REFUTE_")) clean[k] = v;
    const child = spawn(process.execPath, [join(ROOT, "bin", "refute.js"), ...args], {
      cwd: ROOT,
      env: { ...clean, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

const dir = mkdtempSync(join(tmpdir(), "refute-config-"));
const deployment = join(dir, "deployment.json");
writeFileSync(
  deployment,
  JSON.stringify({
    chainId: 31337,
    deployBlock: 1,
    addresses: {
      token: "0x5FbDB2315678afecb367f032d93F642f64180aa3",
      stakeManager: "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512",
      modelRegistry: "0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0",
      jobManager: "0xCf7Ed3AccA5a467e9e704C703E8D87F634fB0Fc9",
      oneStepVerifier: "0xDc64a140Aa3E981100a9becA4E685f962f0cF6C9",
      disputeGame: "0x5FC8d32690cc91D4c39d9d3abb3f28f2F1C2f79d",
    },
  }),
);
const badDeployment = join(dir, "bad.json");
writeFileSync(badDeployment, JSON.stringify({ chainId: 31337, deployBlock: 1, addresses: { token: "0x12" } }));
const envFile = join(dir, "bad.env");
writeFileSync(envFile, "REFUTE_SAMPLING_RATE=2\n");

const base = ["--rpc-url", "http://127.0.0.1:1", "--deployment", deployment, "--model", "models/fmnist-mlp.onnx"];
const key = { REFUTE_PRIVATE_KEY: KEYS[5] };

const CASES: readonly {
  what: string;
  args: string[];
  env?: Record<string, string>;
  field: string;
  cmd?: "watch" | "provide";
}[] = [
  { what: "an RPC URL that is not http(s)", args: ["--rpc-url", "ftp://x"], field: "rpcUrls" },
  { what: "a malformed RPC URL", args: ["--rpc-url", "not a url"], field: "rpcUrls" },
  { what: "a sampling rate above 1", args: ["--sampling-rate", "1.5"], field: "samplingRate" },
  { what: "a sampling rate that is not a number", args: ["--sampling-rate", "half"], field: "samplingRate" },
  { what: "a port out of range", args: ["--metrics-port", "70000"], field: "metricsPort" },
  { what: "a fractional concurrency", args: ["--concurrency", "1.5"], field: "concurrency" },
  { what: "an unknown execution provider", args: ["--ep", "tpu"], field: "executionProvider" },
  { what: "an unknown log level", args: ["--log-level", "loud"], field: "logLevel" },
  { what: "a bad amount", args: ["--always-check-fee", "lots"], field: "alwaysCheckFee" },
  { what: "a bad address flag", args: ["--job-manager", "0x1234"], field: "jobManager" },
  { what: "a missing deployment file", args: ["--deployment", join(dir, "missing.json")], field: "deployment" },
  { what: "a deployment file with a bad address", args: ["--deployment", badDeployment], field: "deployment" },
  { what: "a bad private key", args: [], env: { REFUTE_PRIVATE_KEY: "0x1234" }, field: "privateKey" },
  { what: "a missing private key", args: [], env: { REFUTE_PRIVATE_KEY: "" }, field: "privateKey" },
  { what: "a bad value in the environment", args: [], env: { REFUTE_CONFIRMATIONS: "-3" }, field: "confirmations" },
  { what: "a bad value in the env file", args: ["--env-file", envFile], field: "samplingRate" },
  { what: "a missing env file", args: ["--env-file", join(dir, "nope.env")], field: "envFile" },
  { what: "an unknown fault kind", args: ["--fault", "wrong-output,bogus"], field: "faults", cmd: "provide" },
  { what: "a fault rate above 1", args: ["--fault-rate", "3"], field: "faultRate", cmd: "provide" },
  { what: "a bad requester address", args: ["--requester", "bob"], field: "requesters", cmd: "provide" },
  { what: "a modelId that is not 32 bytes", args: ["--allow-model", "0x1234"], field: "allowedModels" },
  { what: "a response window minimum of 0", args: ["--min-response-window", "0"], field: "minResponseWindow" },
  {
    what: "a negative collateral per fee",
    args: ["--max-collateral-per-fee", "-1"],
    field: "maxCollateralPerFee",
    cmd: "provide",
  },
];

/** Runs `refute` in this process (bin/cli.ts with captured output), with exactly `env` as the REFUTE_* environment. */
async function refuteInProcess(args: readonly string[], env: Record<string, string>): Promise<Run> {
  const saved: Record<string, string | undefined> = {};
  for (const k of Object.keys(process.env)) if (k.startsWith("REFUTE_")) saved[k] = process.env[k];
  for (const k of Object.keys(saved)) delete process.env[k];
  Object.assign(process.env, env);
  let stdout = "";
  let stderr = "";
  try {
    const code = await refuteMain(["node", "refute", ...args], {
      stdout: (t) => (stdout += t),
      stderr: (t) => (stderr += t),
    });
    return { code, stdout, stderr };
  } finally {
    for (const k of Object.keys(env)) delete process.env[k];
    Object.assign(process.env, saved);
  }
}

function checkOneLine(r: Run, field: string): void {
  assert.equal(r.code, 2, r.stderr);
  const lines = r.stderr.trim().split("\n");
  assert.equal(lines.length, 1, r.stderr);
  assert.match(lines[0] ?? "", new RegExp(`^refute: config: ${field}: \\S`), lines[0]);
  assert.equal(r.stdout, "");
  assert.doesNotMatch(r.stderr, /59c6995e|8b3a350c/, "the private key is never echoed");
}

describe("e2e: bad configuration values", { timeout: 180_000 }, () => {
  for (const c of CASES) {
    it(`${c.cmd ?? "watch"}: ${c.what} → one line naming ${c.field}, exit 2`, async () => {
      const env: Record<string, string> = { ...key, ...c.env };
      if (env["REFUTE_PRIVATE_KEY"] === "") delete env["REFUTE_PRIVATE_KEY"];
      checkOneLine(await refuteInProcess([c.cmd ?? "watch", ...base, ...c.args], env), c.field);
    });
  }

  it("several bad values give one line each", async () => {
    const r = await refuteInProcess(["watch", ...base, "--sampling-rate", "9", "--concurrency", "0"], key);
    assert.equal(r.code, 2);
    const lines = r.stderr.trim().split("\n");
    assert.equal(lines.length, 2, r.stderr);
    assert.match(lines[0] ?? "", /^refute: config: samplingRate: /);
    assert.match(lines[1] ?? "", /^refute: config: concurrency: /);
  });

  it("--help documents every flag with its environment variable", async () => {
    for (const cmd of ["watch", "provide"]) {
      const r = await refuteInProcess([cmd, "--help"], {});
      assert.equal(r.code, 0, r.stderr);
      // Commander wraps long lines: any whitespace may separate the words.
      assert.match(r.stdout, /--rpc-url <url>.*\[env\s+REFUTE_RPC_URL\]/s);
      assert.match(r.stdout, /--input-host <host>.*\[env\s+REFUTE_INPUT_HOSTS\]/s);
      assert.match(r.stdout, /REFUTE_PRIVATE_KEY/);
    }
  });

  it("as real processes: a bad flag and a bad environment value each exit 2 with one line", async () => {
    const [flag, file] = await Promise.all([
      refute(["watch", ...base, "--sampling-rate", "1.5"], key),
      refute(["provide", ...base], { ...key, REFUTE_FAULT_RATE: "x" }),
    ]);
    checkOneLine(flag, "samplingRate");
    checkOneLine(file, "faultRate");
  });
});
