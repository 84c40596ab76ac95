/**
 * The requester's client (src/client/index.ts), its runnable example
 * (examples/request-job.ts) and `refute request`, against a real anvil on
 * 127.0.0.1 with the protocol deployed and the shipped model registered under
 * the registration defaults. The test plays the provider: it commits the honest
 * trace, moves the chain past the challenge window (evm_setNextBlockTimestamp, evm_mine)
 * and finalizes, while the example or the CLI waits in a child process.
 */
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { Hex } from "viem";
import { finalizeJob } from "../../src/client/calls.ts";
import {
  InsufficientFeeBalanceError,
  JobFailedError,
  requestJob,
  resultOf,
  UnknownJobError,
  UnknownModelError,
  waitForResult,
  WaitTimeoutError,
  watchJob,
  modelIdOfFile,
  type JobResult,
} from "../../src/client/index.ts";
import { send } from "../../src/client/send.ts";
import { connectSigner, type NetworkSigner } from "../../src/cli/network.ts";
import { ANVIL_KEYS } from "../../src/demo/accounts.ts";
import { REFUTE_BIN, REPO } from "../../src/demo/daemonProcess.ts";
import { saveDeployment, type DeploymentFile, loadDeployment } from "../../src/deployments/load.ts";
import {
  commitResult,
  jobOf,
  mineAt,
  now,
  openTable,
  registerCompiled,
  type LocalTable,
} from "../harness/localTable.ts";
import { DEFAULT_MODEL_PARAMS } from "../../src/model/defaultParams.ts";
import { compileModel, type CompiledModel } from "../../src/onnx/compile.ts";
import { honestCommitment } from "../../src/dispute/faults.ts";
import { at } from "../../src/tensor/at.ts";
import { traceModel } from "../../src/trace/trace.ts";
import { imageInput } from "../replay/scenario.ts";

const MODEL = join(REPO, "models", "fmnist-mlp.onnx");
const IMAGES = join(REPO, "models", "fmnist-mlp.eval-images.idx");
const LABELS = (
  JSON.parse(readFileSync(join(REPO, "models", "fmnist-mlp.card.json"), "utf8")) as {
    output: { labels: string[] };
  }
).output.labels;

/** A child process whose stdout lines are collected; `line` waits (bounded) for one matching. */
class Child {
  stdout = "";
  stderr = "";
  readonly exited: Promise<number | null>;
  private readonly child: ChildProcess;

  constructor(args: readonly string[], env: Record<string, string>) {
    this.child = spawn(process.execPath, args, {
      cwd: REPO,
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.child.stdout!.on("data", (d: Buffer) => (this.stdout += d.toString()));
    this.child.stderr!.on("data", (d: Buffer) => (this.stderr += d.toString()));
    this.exited = new Promise((resolve) => this.child.once("exit", (code) => resolve(code)));
  }

  async line(re: RegExp, timeoutMs: number): Promise<RegExpExecArray> {
    for (const deadline = Date.now() + timeoutMs; ;) {
      const m = re.exec(this.stdout);
      if (m) return m;
      if (this.child.exitCode !== null || Date.now() > deadline)
        assert.fail(`no line ${re} (exit ${this.child.exitCode})\nstdout: ${this.stdout}\nstderr: ${this.stderr}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** The first capture group of the line `re` matches (`re` must have one). */
  async captured(re: RegExp, timeoutMs: number): Promise<string> {
    const group = (await this.line(re, timeoutMs))[1];
    if (group === undefined) throw new Error(`${re} has no capture group`);
    return group;
  }

  async exit(timeoutMs: number): Promise<number | null> {
    const timer = setTimeout(() => this.child.kill("SIGKILL"), timeoutMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  kill(): void {
    if (this.child.exitCode === null) this.child.kill("SIGKILL");
  }
}

describe("the requester's client, its example and refute request", { timeout: 150_000 }, () => {
  let table: LocalTable;
  let compiled: CompiledModel;
  let modelId: Hex;
  let dir: string;
  let deploymentFile: string;
  let deployment: DeploymentFile;
  let requester: NetworkSigner;
  const children: Child[] = [];

  before(async () => {
    // Accounts 0 deployer, 1 requester, 2 provider (staked), 3 and 4 funded with tokens but not approved for the JobManager.
    table = await openTable({ challengers: 2 });
    compiled = compileModel(new Uint8Array(readFileSync(MODEL)));
    // Registered exactly as `refute model register models/fmnist-mlp.onnx` would: default URI and parameters.
    modelId = await registerCompiled(table, compiled, DEFAULT_MODEL_PARAMS, "file://fmnist-mlp.onnx");
    dir = mkdtempSync(join(tmpdir(), "refute-client-"));
    deploymentFile = join(dir, "deployment.json");
    saveDeployment(deploymentFile, {
      chainId: 31337,
      addresses: table.addresses,
      deployBlock: table.deployment.deployBlock,
    });
    deployment = loadDeployment(deploymentFile);
    requester = await connectSigner(table.anvil.rpcUrl, at(ANVIL_KEYS, 1));
  });

  after(async () => {
    for (const c of children) c.kill();
    await table?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** Plays the provider: commits the honest trace of image `image`, passes the window, finalizes. */
  async function provideAndFinalize(jobId: bigint, image: number): Promise<bigint> {
    const trace = await traceModel(compiled, imageInput(compiled, image));
    await commitResult(table, jobId, honestCommitment(trace));
    const { windowEnd } = await jobOf(table, jobId);
    // The table spaces blocks one second apart and ignores evm_increaseTime: set the next block's time instead.
    await mineAt(table, windowEnd);
    assert.ok((await table.public.getBlock()).timestamp >= windowEnd, "the chain did not pass the challenge window");
    await send(table.provider, finalizeJob(table.addresses, jobId));
    return trace.output.at(0);
  }

  test("a file names the model by the modelId `refute model register` gives it", () => {
    assert.equal(modelIdOfFile(MODEL), modelId);
  });

  test("requestJob, watchJob and waitForResult follow a job to its decoded final output", async () => {
    const {
      jobId,
      txHash,
      modelId: id,
    } = await requestJob(requester.wallet, {
      deployment,
      model: modelId,
      input: IMAGES,
      index: 2,
    });
    assert.match(txHash, /^0x[0-9a-f]{64}$/);
    assert.equal(id, modelId);
    const seen: JobResult[] = [];
    const unwatch = watchJob(table.public, { deployment, jobId, pollMs: 50, onStatus: (r) => seen.push(r) });
    try {
      assert.equal((await resultOf(table.public, { deployment, jobId })).status, "Requested");
      const waiting = waitForResult(table.public, { deployment, jobId, timeoutMs: 30_000, pollMs: 50 });
      waiting.catch(() => {}); // awaited below; keeps a failure before that from being unhandled
      const expected = await provideAndFinalize(jobId, 2);
      const output = await waiting;
      assert.deepEqual(output.values, [expected]);
      assert.deepEqual(output.spec.shape, [1]);
      assert.equal(output.packed.length, 2 + 16);
      const r = await resultOf(table.public, { deployment, jobId });
      assert.equal(r.status, "Finalized");
      assert.deepEqual(r.output?.values, [expected]);
      for (const deadline = Date.now() + 5_000; seen.at(-1)?.status !== "Finalized";) {
        assert.ok(Date.now() < deadline, `watchJob saw ${seen.map((s) => s.status).join(", ")}`);
        await new Promise((res) => setTimeout(res, 50));
      }
      assert.equal(seen[0]?.status, "Requested");
      assert.deepEqual(seen.at(-1)?.output?.values, [expected]);
    } finally {
      unwatch();
    }
  });

  test("typed errors: UnknownJobError, WaitTimeoutError, JobFailedError, UnknownModelError, InsufficientFeeBalanceError", async () => {
    await assert.rejects(resultOf(table.public, { deployment, jobId: 999_999n }), UnknownJobError);
    await assert.rejects(waitForResult(table.public, { deployment, jobId: 999_999n, timeoutMs: 1_000 }), (e) => {
      assert.ok(e instanceof UnknownJobError);
      assert.equal(e.name, "UnknownJobError");
      assert.equal(e.jobId, 999_999n);
      return true;
    });

    const { jobId } = await requestJob(requester.wallet, { deployment, model: MODEL, input: IMAGES, index: 3 });
    await assert.rejects(waitForResult(table.public, { deployment, jobId, timeoutMs: 300, pollMs: 50 }), (e) => {
      assert.ok(e instanceof WaitTimeoutError);
      assert.equal(e.lastStatus, "Requested");
      return true;
    });

    // Nobody commits within the 10-second commit window: the job can never finalize.
    const short = await requestJob(requester.wallet, {
      deployment,
      model: modelId,
      input: IMAGES,
      index: 4,
      commitWindowSeconds: 10n,
    });
    await mineAt(table, (await now(table)) + 20n);
    await assert.rejects(waitForResult(table.public, { deployment, jobId: short.jobId, timeoutMs: 5_000 }), (e) => {
      assert.ok(e instanceof JobFailedError);
      assert.equal(e.status, "Expired");
      assert.equal(e.refundPending, true);
      return true;
    });

    await assert.rejects(
      requestJob(requester.wallet, { deployment, model: `0x${"ab".repeat(32)}`, input: IMAGES, index: 0 }),
      (e) => e instanceof UnknownModelError && e.modelId === `0x${"ab".repeat(32)}`,
    );
    // Account 0 deployed the protocol and holds none of the token.
    const broke = await connectSigner(table.anvil.rpcUrl, at(ANVIL_KEYS, 0));
    await assert.rejects(
      requestJob(broke.wallet, { deployment, model: modelId, input: IMAGES, index: 0, fee: 1n }),
      (e) => e instanceof InsufficientFeeBalanceError && e.balance === 0n && e.fee === 1n,
    );
  });

  test("examples/request-job.ts prints the finalized class once a provider committed and the window passed", async () => {
    // Account 3 has tokens but no allowance for the JobManager: the example's request approves first.
    const child = new Child(["--import", "tsx", join("examples", "request-job.ts"), "5"], {
      REFUTE_RPC_URL: table.anvil.rpcUrl,
      REFUTE_PRIVATE_KEY: at(ANVIL_KEYS, 3),
      REFUTE_DEPLOYMENT: deploymentFile,
    });
    children.push(child);
    const id = await child.captured(/^job (\d+) requested in 0x[0-9a-f]{64}$/m, 30_000);
    const expected = await provideAndFinalize(BigInt(id), 5);
    await child.line(/finalized/, 15_000);
    assert.equal(await child.exit(10_000), 0, child.stderr);
    assert.match(
      child.stdout,
      new RegExp(
        `^job ${id} finalized: class ${expected} \\(${at(LABELS, Number(expected)).replace("/", "\\/")}\\)$`,
        "m",
      ),
    );
  });

  const cli = (args: readonly string[], key: Hex = at(ANVIL_KEYS, 4)) =>
    new Child([REFUTE_BIN, "request", ...args], { REFUTE_PRIVATE_KEY: key });

  test("refute request prints the job id and tx hash; --wait prints the finalized output", async () => {
    const target = ["--rpc", table.anvil.rpcUrl, "--deployment", deploymentFile];
    const plain = cli(["--model", MODEL, "--input", IMAGES, "--index", "6", ...target]);
    children.push(plain);
    assert.equal(await plain.exit(30_000), 0, plain.stderr);
    const first = await plain.captured(/^jobId\s+(\d+)\ntxHash\s+0x[0-9a-f]{64}\n$/, 1_000);
    assert.equal((await resultOf(table.public, { deployment, jobId: BigInt(first) })).status, "Requested");

    const waiting = cli(["--model", modelId, "--input", IMAGES, "--index", "7", "--wait", ...target]);
    children.push(waiting);
    const id = await waiting.captured(/^jobId\s+(\d+)\ntxHash\s+0x[0-9a-f]{64}\n/, 30_000);
    const expected = await provideAndFinalize(BigInt(id), 7);
    assert.equal(await waiting.exit(15_000), 0, waiting.stderr);
    assert.match(
      waiting.stdout,
      new RegExp(`^status\\s+Finalized\\noutput\\s+int64 \\[1\\] = \\[${expected}\\]\\n$`, "m"),
    );
    assert.match(waiting.stdout, new RegExp(`^jobId\\s+${id}$`, "m"));
  });

  test("refute request: an unknown model or a missing network is one line and exit 2", async () => {
    const unknown = cli([
      "--model",
      `0x${"cd".repeat(32)}`,
      "--input",
      IMAGES,
      "--index",
      "0",
      "--rpc",
      table.anvil.rpcUrl,
      "--deployment",
      deploymentFile,
    ]);
    children.push(unknown);
    assert.equal(await unknown.exit(30_000), 2);
    assert.match(unknown.stderr, /^refute: UNKNOWN_MODEL: model 0x(cd){32} is not registered .*refute model register/);
    assert.equal(unknown.stderr.trim().split("\n").length, 1);
    const nowhere = cli(["--model", MODEL, "--input", IMAGES, "--index", "0"]);
    children.push(nowhere);
    assert.equal(await nowhere.exit(30_000), 2);
    assert.equal(
      nowhere.stderr.trim(),
      "refute: NO_NETWORK: pass --network <name>, or --rpc <url> with --deployment <file>",
    );
  });
});
