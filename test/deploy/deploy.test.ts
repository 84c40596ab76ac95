import assert from "node:assert/strict";
import { execFile, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { promisify } from "node:util";
import { createPublicClient, http, parseEventLogs, type Hex, type PublicClient } from "viem";
import { disputeGameAbi, jobManagerAbi, stakeManagerAbi } from "../../src/chain/abis.ts";
import { startAnvil, type AnvilNode } from "../../src/chain/anvil.ts";
import { approve, mint, requestJob } from "../../src/client/calls.ts";
import type { RefuteClient } from "../../src/client/contracts.ts";
import { send } from "../../src/client/send.ts";
import { connectSigner } from "../../src/cli/network.ts";
import { addressOf, keyOf, type Role } from "../../src/demo/accounts.ts";
import { DaemonProcess, REFUTE_BIN, REPO } from "../../src/demo/daemonProcess.ts";
import { deploymentPath, loadDeployment, type DeploymentFile } from "../../src/deployments/load.ts";
import { compileModel } from "../../src/onnx/compile.ts";
import { modelIdFor } from "../../src/onnx/modelSpecFor.ts";
import { pack } from "../../src/tensor/packing.ts";
import { imageInput } from "../replay/scenario.ts";

const run = promisify(execFile);
const MODEL = join(REPO, "models", "fmnist-mlp.onnx");
const TOKEN = 10n ** 18n;

/** Runs `refute …` as a process; resolves with its exit code and output (never rejects on a non-zero exit). */
async function refute(
  args: readonly string[],
  env: Record<string, string | undefined>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [REFUTE_BIN, ...args], {
      cwd: REPO,
      env: withoutUndefined({ ...process.env, ...env }),
    });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: err.code ?? 1, stdout: err.stdout ?? "", stderr: err.stderr ?? "" };
  }
}

function withoutUndefined(env: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined));
}

/**
 * An environment whose Hardhat keystores live in `home` (an empty folder: none yet), and
 * which is not taken for CI: Hardhat's keystore plugin stays out of the way under CI.
 */
function keystoreEnv(home: string): Record<string, string | undefined> {
  const ci = ["CI", "CONTINUOUS_INTEGRATION", "GITHUB_ACTIONS", "BUILD_NUMBER", "RUN_ID", "NOW", "DEPLOYMENT_ID"];
  return {
    ...Object.fromEntries(ci.map((k) => [k, undefined])),
    XDG_CONFIG_HOME: join(home, "config"),
    XDG_CACHE_HOME: join(home, "cache"),
    XDG_DATA_HOME: join(home, "data"),
    REFUTE_PRIVATE_KEY: undefined,
  };
}

describe("refute deploy and refute model register", { timeout: 240_000 }, () => {
  const network = `test-${process.pid}`;
  const rpcVar = `REFUTE_RPC_URL_TEST_${process.pid}`;
  const dir = mkdtempSync(join(tmpdir(), "refute-deploy-"));
  // deployments/<network>.json goes to this run's own folder, never into the checkout:
  // every `refute` and daemon this test starts inherits REFUTE_DEPLOYMENTS_DIR.
  process.env["REFUTE_DEPLOYMENTS_DIR"] = join(dir, "deployments");
  const file = deploymentPath(network);
  let anvil: AnvilNode;
  let env: Record<string, string>;
  let deployment: DeploymentFile;
  let pub: PublicClient;

  before(async () => {
    // Daemons wait for confirmations: blocks must keep coming.
    anvil = await startAnvil({ blockTime: 1 });
    env = { [rpcVar]: anvil.rpcUrl, REFUTE_PRIVATE_KEY: keyOf("deployer") };
    pub = createPublicClient({ transport: http(anvil.rpcUrl) });
  });

  after(async () => {
    rmSync(dir, { recursive: true, force: true });
    await anvil?.stop();
  });

  test("deploys to the network's RPC and writes deployments/<network>.json", async () => {
    // Without REFUTE_DEPLOYMENTS_DIR the file is the checkout's deployments/<network>.json.
    assert.equal(deploymentPath(network, {}), join(REPO, "deployments", `${network}.json`));
    assert.equal(file, join(dir, "deployments", `${network}.json`));
    const r = await refute(["deploy", "--network", network], env);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(existsSync(file));
    deployment = loadDeployment(file);
    const json = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
    assert.equal(json["network"], network);
    assert.equal(json["chainId"], 31337);
    assert.equal(typeof json["deployedAt"], "string");
    assert.ok("gitCommit" in json);
    const params = json["parameters"] as Record<string, unknown>;
    for (const k of [
      "unbondingDelay",
      "maxChallengeWindow",
      "minResponseWindow",
      "maxResponseWindow",
      "callbackGasLimit",
      "revealWindow",
      "treasury",
      "deployer",
    ]) {
      assert.ok(k in params, `parameters.${k}`);
    }
    assert.equal(params["testToken"], true);
    for (const [name, address] of Object.entries(deployment.addresses)) {
      assert.ok(((await pub.getCode({ address })) ?? "0x").length > 2, `${name} has code`);
    }
    const game = await pub.readContract({
      address: deployment.addresses.jobManager,
      abi: jobManagerAbi,
      functionName: "disputeGame",
    });
    assert.equal(game, deployment.addresses.disputeGame);
    const jm = await pub.readContract({
      address: deployment.addresses.stakeManager,
      abi: stakeManagerAbi,
      functionName: "jobManager",
    });
    assert.equal(jm, deployment.addresses.jobManager);
    // The recorded floor and reveal window are the ones the contracts enforce.
    const minResponseWindow = await pub.readContract({
      address: deployment.addresses.stakeManager,
      abi: stakeManagerAbi,
      functionName: "minResponseWindow",
    });
    assert.equal(BigInt(params["minResponseWindow"] as number), minResponseWindow);
    const revealWindow = await pub.readContract({
      address: deployment.addresses.disputeGame,
      abi: disputeGameAbi,
      functionName: "revealWindow",
    });
    assert.equal(BigInt(params["revealWindow"] as number), revealWindow);
    assert.match(r.stdout, /disputeGame\s+0x/);
  });

  test("--token reuses an existing ERC20 and --out writes elsewhere", async () => {
    const out = join(dir, "second.json");
    const r = await refute(
      ["deploy", "--network", network, "--token", deployment.addresses.token, "--out", out, "--json"],
      env,
    );
    assert.equal(r.code, 0, r.stderr);
    const second = JSON.parse(readFileSync(out, "utf8")) as {
      addresses: { token: string };
      parameters: { testToken: boolean };
    };
    assert.equal(second.addresses.token, deployment.addresses.token);
    assert.equal(second.parameters.testToken, false);
    assert.equal((JSON.parse(r.stdout) as { file: string }).file, out);
  });

  test("without an RPC or a key it stops with one line and exit 2", async () => {
    const noRpc = await refute(["deploy", "--network", "nowhere"], {
      REFUTE_PRIVATE_KEY: keyOf("deployer"),
      REFUTE_RPC_URL: "",
    });
    assert.equal(noRpc.code, 2);
    assert.match(noRpc.stderr, /^refute: NO_RPC: no RPC for network nowhere: set REFUTE_RPC_URL_NOWHERE/);
    const noKey = await refute(["deploy", "--network", network], {
      [rpcVar]: anvil.rpcUrl,
      ...keystoreEnv(mkdtempSync(join(dir, "no-keystore-"))),
    });
    assert.equal(noKey.code, 2);
    assert.equal(
      noKey.stderr.trim(),
      "refute: NO_KEY: no signing key: set REFUTE_PRIVATE_KEY (or put it in .env), or store it in Hardhat's " +
        "keystore (npx hardhat keystore set REFUTE_PRIVATE_KEY)",
    );
  });

  test("without REFUTE_PRIVATE_KEY the key comes from Hardhat's keystore (`npx hardhat keystore set`)", async () => {
    const env = { [rpcVar]: anvil.rpcUrl, ...keystoreEnv(mkdtempSync(join(dir, "keystore-"))) };
    // The development keystore (no password prompt) — the production one asks its password on the terminal.
    const set = spawnSync(
      process.execPath,
      [
        join(REPO, "node_modules", "hardhat", "dist", "src", "cli.js"),
        "keystore",
        "set",
        "--dev",
        "REFUTE_PRIVATE_KEY",
      ],
      {
        cwd: REPO,
        env: withoutUndefined({ ...process.env, ...env }),
        input: `${keyOf("requester")}\n`,
        encoding: "utf8",
      },
    );
    assert.equal(set.status, 0, set.stdout + set.stderr);
    assert.match(set.stdout, /Key "REFUTE_PRIVATE_KEY" set in the development keystore/);
    const out = join(dir, "from-keystore.json");
    const r = await refute(["deploy", "--network", network, "--out", out], env);
    assert.equal(r.code, 0, r.stderr);
    const record = JSON.parse(readFileSync(out, "utf8")) as { parameters: { deployer: string } };
    assert.equal(record.parameters.deployer, addressOf("requester"));
  });

  let modelId: Hex;

  test("model register prints the modelId of modelSpecFor, once registered or not", async () => {
    const flags = ["--challenge-window", "20", "--response-window", "15"];
    const r = await refute(["model", "register", MODEL, "--network", network, ...flags, "--json"], env);
    assert.equal(r.code, 0, r.stderr);
    const json = JSON.parse(r.stdout) as { modelId: Hex; registered: boolean };
    const compiled = compileModel(new Uint8Array(readFileSync(MODEL)));
    modelId = modelIdFor(compiled, {
      uri: "file://fmnist-mlp.onnx",
      params: {
        challengeWindow: 20n,
        responseWindow: 15n,
        collateralPerJob: 100n * TOKEN,
        challengerBond: 10n * TOKEN,
      },
    });
    assert.equal(json.modelId, modelId);
    assert.equal(json.registered, true);
    const again = await refute(["model", "register", MODEL, "--network", network, ...flags], env);
    assert.equal(again.code, 0);
    assert.equal(again.stdout.trim(), modelId);
    assert.match(again.stderr, /already registered/);
  });

  test("the deployment file drives a provider and a watcher (`refute provide|watch --network`)", async () => {
    const client = async (role: Role): Promise<RefuteClient> => {
      const s = await connectSigner(anvil.rpcUrl, keyOf(role));
      return { public: s.public, wallet: s.wallet, addresses: deployment.addresses };
    };
    const a = deployment.addresses;
    const admin = await client("deployer");
    for (const role of ["requester", "honestProvider", "watcher"] as const)
      await send(admin, mint(a, addressOf(role), 10_000n * TOKEN));
    const requester = await client("requester");
    await send(requester, approve(a, a.jobManager, 1_000n * TOKEN));

    const common = ["--network", network, "--model", MODEL, "--poll-interval", "300", "--confirmations", "1"];
    // The operator's setup: the network name, its RPC in REFUTE_RPC_URL_<NETWORK>, a key.
    const daemonEnv = (role: Role) => ({ [rpcVar]: anvil.rpcUrl, REFUTE_RPC_URL: "", REFUTE_PRIVATE_KEY: keyOf(role) });
    const provider = new DaemonProcess(
      "provider",
      [
        "provide",
        ...common,
        "--db",
        join(dir, "provider.sqlite"),
        "--trace-port",
        "0",
        "--stake",
        "1000e18",
        "--batch-wait",
        "300",
      ],
      daemonEnv("honestProvider"),
    );
    const watcher = new DaemonProcess(
      "watcher",
      ["watch", ...common, "--db", join(dir, "watcher.sqlite"), "--sampling-rate", "1"],
      daemonEnv("watcher"),
    );
    try {
      await provider.waitFor((l) => l.msg === "trace server listening", 60_000, "the provider starting");
      await watcher.waitFor((l) => l.msg === "watcher starting", 60_000, "the watcher starting");
      // The provider deposits its --stake at start; jobs come once it is on chain.
      for (const deadline = Date.now() + 60_000; ;) {
        const [free] = await pub.readContract({
          address: a.stakeManager,
          abi: stakeManagerAbi,
          functionName: "stakeOf",
          args: [addressOf("honestProvider")],
        });
        if (free >= 1000n * TOKEN) break;
        assert.ok(Date.now() < deadline, `the provider did not stake\n${provider.tail()}`);
        await new Promise((r) => setTimeout(r, 500));
      }
      const now = (await pub.getBlock()).timestamp;
      const { receipt } = await send(
        requester,
        requestJob(a, {
          modelId,
          input: pack(imageInput(compileModel(new Uint8Array(readFileSync(MODEL))), 0)),
          fee: TOKEN,
          commitDeadline: now + 120n,
        }),
      );
      const [log] = parseEventLogs({ abi: jobManagerAbi, logs: receipt.logs, eventName: "JobRequested" });
      assert.ok(log, "JobRequested emitted");
      const jobId = log.args.jobId;
      await provider.waitFor(
        (l) => l.msg === "serving model" && l["modelId"] === modelId,
        60_000,
        "serving the registered model",
      );
      await watcher.waitFor(
        (l) => l.msg === "job verified" && String(l["jobId"]) === String(jobId),
        60_000,
        "the watcher verifying the job",
      );
      const deadline = Date.now() + 90_000;
      for (;;) {
        const [status] = await pub.readContract({
          address: a.jobManager,
          abi: jobManagerAbi,
          functionName: "resultOf",
          args: [jobId],
        });
        if (status === 3) break;
        assert.ok(Date.now() < deadline, `job ${jobId} not finalized (status ${status})\n${provider.tail()}`);
        await new Promise((r) => setTimeout(r, 500));
      }
    } finally {
      await Promise.all([provider.stop(), watcher.stop()]);
    }
  });
});
