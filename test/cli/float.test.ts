/**
 * The CLI on float32 models: `refute model inspect` reports the profile and the numerics
 * policy its modelId binds (the integer profile's report is unchanged), and
 * `refute model register` registers a float32 model in a real ModelRegistry on anvil,
 * where a job with a float32 input is then requested and committed with its traced output.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { encodeAbiParameters, keccak256, parseEventLogs, type Hex } from "viem";
import { jobManagerAbi } from "../../src/chain/abis.ts";
import { startAnvil, type AnvilNode } from "../../src/chain/anvil.ts";
import { readModel } from "../../src/chain/read/registry.ts";
import { approve, commitJob, deposit, mint, requestJob } from "../../src/client/calls.ts";
import { send } from "../../src/client/send.ts";
import { deployToNetwork, writeDeploymentRecord } from "../../src/cli/deploy.ts";
import { main } from "../../src/cli/main.ts";
import { connectSigner } from "../../src/cli/network.ts";
import { keyOf } from "../../src/demo/accounts.ts";
import type { DeploymentFile } from "../../src/deployments/load.ts";
import { DEFAULT_MODEL_PARAMS } from "../../src/model/defaultParams.ts";
import { Profile } from "../../src/model/modelSpec.ts";
import { compileModel } from "../../src/onnx/compile.ts";
import { modelIdFor } from "../../src/onnx/modelSpecFor.ts";
import { DType } from "../../src/tensor/dtype.ts";
import { pack } from "../../src/tensor/packing.ts";
import { releaseSessions } from "../../src/trace/session.ts";
import { traceModel } from "../../src/trace/trace.ts";
import { f32, floatMlp, MLP, randomValues } from "../onnx/floatModels.ts";
import { mlpModel } from "../onnx/models.ts";

/** keccak256(abi.encode(NumericsPolicy(1, 24, 0, −124, 0))), computed apart from src/float/policy.ts. */
const STRICT_POLICY_HASH = keccak256(
  encodeAbiParameters(
    [{ type: "uint8" }, { type: "uint8" }, { type: "uint8" }, { type: "int16" }, { type: "uint16" }],
    [1, 24, 0, -124, 0],
  ),
);

async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const code = await main(["node", "refute", ...args], {
    stdout: (s) => (stdout += s),
    stderr: (s) => (stderr += s),
  });
  return { code, stdout, stderr };
}

const dir = mkdtempSync(join(tmpdir(), "refute-float-cli-"));
const floatPath = join(dir, "float-mlp.onnx");
const intPath = join(dir, "int-mlp.onnx");
writeFileSync(floatPath, floatMlp());
writeFileSync(intPath, mlpModel());

after(async () => {
  rmSync(dir, { recursive: true, force: true });
  await releaseSessions();
});

describe("refute model inspect on a float32 model", () => {
  test("--json reports profile float32, the numerics policy's fields and its hash", async () => {
    const r = await cli("model", "inspect", floatPath, "--json");
    assert.equal(r.code, 0, r.stderr);
    const json = JSON.parse(r.stdout) as Record<string, unknown>;
    assert.equal(json["profile"], "float32");
    assert.deepEqual(json["numericsPolicy"], {
      version: 1,
      accumulationBits: 24,
      inputBits: 0,
      etaExponent: -124,
      transcendentalUlps: 0,
      hash: STRICT_POLICY_HASH,
    });
    assert.deepEqual(json["ops"], ["MatMul", "Add", "Relu", "Gemm"]);
    assert.equal((json["input"] as { dtype: unknown }).dtype, "float32");
    const compiled = compileModel(floatMlp());
    assert.equal(json["modelId"], modelIdFor(compiled, { uri: "file://float-mlp.onnx", params: DEFAULT_MODEL_PARAMS }));
  });

  test("the text report names the profile and the policy", async () => {
    const r = await cli("model", "inspect", floatPath);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^profile {4}float32$/m);
    assert.match(r.stdout, new RegExp(`^policy .*η = 2\\^-124.*hash ${STRICT_POLICY_HASH}`, "m"));
  });

  test("an exact integer model's report is unchanged: profile exact-int and no policy", async () => {
    const r = await cli("model", "inspect", intPath, "--json");
    assert.equal(r.code, 0, r.stderr);
    const json = JSON.parse(r.stdout) as Record<string, unknown>;
    assert.equal(json["profile"], "exact-int");
    assert.equal("numericsPolicy" in json, false);
    const text = await cli("model", "inspect", intPath);
    assert.doesNotMatch(text.stdout, /^policy/m);
  });
});

describe("refute model register on a float32 model", { timeout: 120_000 }, () => {
  let anvil: AnvilNode;
  let deployment: DeploymentFile;
  const network = "floatcli";
  const deploymentFile = join(dir, "floatcli.json");
  const saved = { ...process.env };

  before(async () => {
    anvil = await startAnvil();
    const signer = await connectSigner(anvil.rpcUrl, keyOf("deployer"), network);
    deployment = writeDeploymentRecord(deploymentFile, await deployToNetwork({ signer, network }));
    process.env["REFUTE_RPC_URL_FLOATCLI"] = anvil.rpcUrl;
    process.env["REFUTE_PRIVATE_KEY"] = keyOf("deployer");
  });

  after(async () => {
    for (const k of ["REFUTE_RPC_URL_FLOATCLI", "REFUTE_PRIVATE_KEY"]) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
    await anvil?.stop();
  });

  test("the ModelRegistry accepts it: profile 2 and the strict policy's hash under the printed modelId", async () => {
    const r = await cli("model", "register", floatPath, "--network", network, "--deployment", deploymentFile, "--json");
    assert.equal(r.code, 0, r.stderr);
    const json = JSON.parse(r.stdout) as { modelId: Hex; registered: boolean };
    assert.equal(json.registered, true);
    const compiled = compileModel(floatMlp());
    assert.equal(json.modelId, modelIdFor(compiled, { uri: "file://float-mlp.onnx", params: DEFAULT_MODEL_PARAMS }));
    const signer = await connectSigner(anvil.rpcUrl, keyOf("deployer"), network);
    const m = await readModel(signer.public, { address: deployment.addresses.modelRegistry, modelId: json.modelId });
    assert.equal(m.profile, Profile.FLOAT32);
    assert.equal(m.policyHash, STRICT_POLICY_HASH);
    assert.equal(m.input.dtype, DType.FLOAT);
    assert.equal(m.output.dtype, DType.FLOAT);
    registeredId = json.modelId;
  });

  let registeredId: Hex | undefined;

  test("a job with a float32 input is requested and committed with its traced output", async () => {
    assert.ok(registeredId, "registered by the previous test");
    const signer = await connectSigner(anvil.rpcUrl, keyOf("deployer"), network);
    const client = { public: signer.public, wallet: signer.wallet, addresses: deployment.addresses };
    const a = deployment.addresses;
    const token = 10n ** 18n;
    await send(client, mint(a, signer.wallet.account.address, 1_000n * token));
    await send(client, approve(a, a.jobManager, 1_000n * token));
    await send(client, approve(a, a.stakeManager, 1_000n * token));
    await send(client, deposit(a, 500n * token));
    const input = f32([1, MLP.IN], randomValues(21, MLP.IN));
    const now = (await signer.public.getBlock()).timestamp;
    const { receipt } = await send(
      client,
      requestJob(a, { modelId: registeredId, input: pack(input), fee: token, commitDeadline: now + 600n }),
    );
    const [requested] = parseEventLogs({ abi: jobManagerAbi, logs: receipt.logs, eventName: "JobRequested" });
    assert.ok(requested);
    const trace = await traceModel(compileModel(floatMlp()), input);
    assert.equal(requested.args.inputRoot, trace.inputRoot, "the contract's inputRoot of float32 bytes is the core's");
    const committed = await send(
      client,
      commitJob(a, { jobId: requested.args.jobId, outputRoot: trace.outputRoot, output: trace.outputPacked }),
    );
    const [log] = parseEventLogs({ abi: jobManagerAbi, logs: committed.receipt.logs, eventName: "JobCommitted" });
    assert.ok(log, "JobCommitted emitted");
  });
});
