/**
 * One failure style: every usage or environment error of the `refute` CLI is one line
 * on stderr naming the problem and the fix, and exit code 2 (src/cli/errors.ts). Each
 * row of the table runs the real CLI as a child process, against a real anvil on
 * 127.0.0.1 where it needs a chain.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { BaseError, TransactionExecutionError } from "viem";
import { generatePrivateKey } from "viem/accounts";
import { freePort, startAnvil, type AnvilNode } from "../../src/chain/anvil.ts";
import { deployToNetwork, writeDeploymentRecord } from "../../src/cli/deploy.ts";
import { describeError } from "../../src/cli/errors.ts";
import { connectSigner } from "../../src/cli/network.ts";
import { keyOf } from "../../src/demo/accounts.ts";
import { REFUTE_BIN, REPO } from "../../src/demo/daemonProcess.ts";

interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `node <bin> …args` in `cwd` with only the given REFUTE_* variables (none inherited). */
function refute(bin: string, args: readonly string[], env: Record<string, string>, cwd: string): Promise<CliResult> {
  const base = Object.fromEntries(
    Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined && !e[0].startsWith("REFUTE_")),
  );
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], {
      cwd,
      env: { ...base, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

interface Row {
  /** The error kind, as the test names it. */
  readonly kind: string;
  /** The `refute: <code>:` of the line. */
  readonly code: string;
  /** Runs the failing command. */
  readonly run: () => Promise<CliResult>;
  /** The line names the problem… */
  readonly problem: RegExp;
  /** …and the fix. */
  readonly fix: RegExp;
}

describe("refute: every usage or environment error is one line and exit 2", { timeout: 120_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), "refute-errors-"));
  let anvil: AnvilNode;
  let deploymentFile: string;
  let closedPort: number;
  /** A copy of the checkout's sources with no artifacts/ (never built). */
  const unbuilt = join(dir, "unbuilt");

  before(async () => {
    anvil = await startAnvil();
    closedPort = await freePort();
    const signer = await connectSigner(anvil.rpcUrl, keyOf("deployer"), "errors");
    deploymentFile = join(dir, "errors.json");
    writeDeploymentRecord(deploymentFile, await deployToNetwork({ signer, network: "errors" }));
    const json = JSON.parse(readFileSync(deploymentFile, "utf8")) as Record<string, unknown>;
    writeFileSync(join(dir, "wrong-chain.json"), JSON.stringify({ ...json, chainId: 5 }));
    const addresses = json["addresses"] as Record<string, string>;
    writeFileSync(
      join(dir, "no-contract.json"),
      JSON.stringify({
        ...json,
        addresses: { ...addresses, jobManager: "0x000000000000000000000000000000000000dEaD" },
      }),
    );
    for (const part of ["src", "watcher", "provider", "bin", "package.json"])
      cpSync(join(REPO, part), join(unbuilt, part), { recursive: true });
    symlinkSync(join(REPO, "node_modules"), join(unbuilt, "node_modules"), "dir");
  });

  after(async () => {
    await anvil?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const cli = (args: readonly string[], env: Record<string, string> = {}) => refute(REFUTE_BIN, args, env, dir);
  const deployer = () => ({ REFUTE_PRIVATE_KEY: keyOf("deployer") });

  const rows: readonly Row[] = [
    {
      kind: "unfunded key (deploy)",
      code: "NO_FUNDS",
      run: () =>
        cli(["deploy", "--network", "errors", "--out", join(dir, "never.json")], {
          REFUTE_RPC_URL_ERRORS: anvil.rpcUrl,
          REFUTE_PRIVATE_KEY: generatePrivateKey(),
        }),
      problem: /account 0x[0-9a-fA-F]{40} has too little ETH to pay for gas on chain 31337/,
      fix: /fund it .*refute dev.* or set REFUTE_PRIVATE_KEY to a funded key/,
    },
    {
      kind: "unknown job id (replay)",
      code: "UNKNOWN_JOB",
      run: () => cli(["replay", "999", "--rpc", anvil.rpcUrl, "--deployment", deploymentFile]),
      problem: /job 999 does not exist on chain 31337: the JobManager at 0x[0-9a-fA-F]{40} has no jobs yet/,
      fix: /check --rpc and --deployment/,
    },
    {
      kind: "unreachable RPC (replay --rpc)",
      code: "RPC_UNREACHABLE",
      run: () => cli(["replay", "1", "--rpc", `http://127.0.0.1:${closedPort}`, "--deployment", deploymentFile]),
      problem: /cannot reach http:\/\/127\.0\.0\.1:\d+ \(connection refused: nothing is listening there\)/,
      fix: /start the node, or pass --rpc <url> of one that runs/,
    },
    {
      kind: "unreachable RPC (deploy, from the environment)",
      code: "RPC_UNREACHABLE",
      run: () =>
        cli(["deploy", "--network", "errors", "--out", join(dir, "never.json")], {
          REFUTE_RPC_URL_ERRORS: `http://127.0.0.1:${closedPort}`,
          ...deployer(),
        }),
      problem: /cannot reach http:\/\/127\.0\.0\.1:\d+ \(connection refused: nothing is listening there\)/,
      fix: /set REFUTE_RPC_URL_ERRORS \(or REFUTE_RPC_URL\) to the URL of one that runs/,
    },
    {
      kind: "wrong chain (replay)",
      code: "WRONG_CHAIN",
      run: () => cli(["replay", "1", "--rpc", anvil.rpcUrl, "--deployment", join(dir, "wrong-chain.json")]),
      problem: /wrong-chain\.json is on chain 5, the RPC is chain 31337/,
      fix: /pass --rpc of a chain 5 node, or --deployment <file> of chain 31337/,
    },
    {
      kind: "wrong chain (daemon start-up)",
      code: "STARTUP",
      run: () =>
        cli(
          [
            "watch",
            "--rpc-url",
            anvil.rpcUrl,
            "--deployment",
            join(dir, "wrong-chain.json"),
            "--model",
            join(REPO, "models", "fmnist-mlp.onnx"),
            "--db",
            join(dir, "watcher.sqlite"),
          ],
          { REFUTE_PRIVATE_KEY: keyOf("watcher") },
        ),
      problem: /the RPC serves chain 31337, the deployment is for chain 5/,
      fix: /point --rpc-url at a node of chain 5/,
    },
    {
      kind: "no contract at the deployment's addresses (replay)",
      code: "NO_CONTRACT",
      run: () => cli(["replay", "1", "--rpc", anvil.rpcUrl, "--deployment", join(dir, "no-contract.json")]),
      problem: /no protocol contract at 0x000000000000000000000000000000000000dEaD on chain 31337/,
      fix: /pass the right --deployment or RPC/,
    },
    {
      kind: "missing deployment file (replay)",
      code: "NO_DEPLOYMENT",
      run: () => cli(["replay", "1", "--rpc", anvil.rpcUrl, "--deployment", join(dir, "missing.json")]),
      problem: /missing\.json does not exist/,
      fix: /pass --deployment <file> of an existing deployment, or deploy first \(refute deploy --network <name>\)/,
    },
    {
      kind: "missing artifacts (deploy from an unbuilt checkout)",
      code: "NO_ARTIFACTS",
      run: () =>
        refute(
          join(unbuilt, "bin", "refute.js"),
          ["deploy", "--network", "errors", "--out", join(dir, "never.json")],
          { REFUTE_RPC_URL_ERRORS: anvil.rpcUrl, ...deployer() },
          dir,
        ),
      problem: /no artifact for TestToken at .*unbuilt\/artifacts\//,
      fix: /run `npx hardhat build`/,
    },
  ];

  for (const row of rows) {
    test(`${row.kind}: refute: ${row.code}`, async () => {
      const r = await row.run();
      const lines = r.stderr.split("\n").filter((l) => l !== "");
      assert.equal(r.code, 2, `exit code\n${r.stderr}`);
      assert.equal(lines.length, 1, `one line on stderr, got:\n${r.stderr.slice(0, 2000)}`);
      const line = lines[0] ?? "";
      assert.ok(line.startsWith(`refute: ${row.code}: `), line);
      assert.match(line, row.problem);
      assert.match(line, row.fix);
      assert.ok(line.length < 300, `${line.length} characters: ${line}`);
      assert.ok(!r.stderr.includes("0x60806040"), "no contract bytecode");
      assert.ok(!/\n\s+at /.test(r.stderr), "no stack trace");
    });
  }
});

describe("describeError", () => {
  test("an internal failure stays exit 1 but is one short line: viem's short message, never the request", () => {
    const e = new TransactionExecutionError(new BaseError("the node failed in an unexpected way"), {
      account: null,
      data: `0x60806040${"00".repeat(3000)}`,
    });
    assert.ok(e.message.includes("0x60806040"));
    const { line, exitCode } = describeError(e);
    assert.equal(exitCode, 1);
    assert.equal(line, "refute: INTERNAL: the node failed in an unexpected way");
    const long = describeError(new Error(`x${"y".repeat(5000)}`));
    assert.ok(long.line.length <= 400 && !long.line.includes("\n"));
  });
});
