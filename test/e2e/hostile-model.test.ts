/**
 * Scenario 5: registered models that are hostile to the watcher — a file the loader
 * refuses, a registration the file does not match, and a valid-looking graph whose
 * trace needs gigabytes — get jobs committed against them. The watcher logs a clear
 * error for each, marks the job unverifiable, stays up and keeps verifying other jobs.
 */
import assert from "node:assert/strict";
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { keccak256, type Hex } from "viem";
import { commitJob, registerModel, requestJob } from "../../src/client/calls.ts";
import { send } from "../../src/client/send.ts";
import { modelIdOf, NO_POLICY, Profile, type ModelSpec } from "../../src/model/modelSpec.ts";
import { GraphBuilder } from "../../src/onnx/builder.ts";
import { compileModel } from "../../src/onnx/compile.ts";
import { modelSpecFor } from "../../src/onnx/modelSpecFor.ts";
import { JobStatus } from "../../src/chain/enums.ts";
import { tensorRoot } from "../../src/tensor/commitment.ts";
import { DType } from "../../src/tensor/dtype.ts";
import { pack } from "../../src/tensor/packing.ts";
import { Layout, type TensorSpec } from "../../src/tensor/spec.ts";
import { Tensor } from "../../src/tensor/tensor.ts";
import {
  Daemon,
  E2E_PARAMS,
  imageInput,
  keyEnv,
  providerArgs,
  request,
  ROLE,
  ROOT,
  setupChain,
  TOKEN,
  until,
  watcherArgs,
  type Chain,
  jobOf,
} from "./harness.ts";

/** Passes the loader (every tensor within 2^26 elements) but its trace holds > 1 GiB of node outputs. */
function memoryBomb(): Uint8Array {
  const b = new Tensor({ dtype: DType.INT8, layout: Layout.ROW_MAJOR, shape: [1, 4096] }, new Int8Array(4096).fill(3));
  const one = new Tensor({ dtype: DType.INT32, layout: Layout.ROW_MAJOR, shape: [] }, new Int32Array([1]));
  const first = new Tensor({ dtype: DType.INT64, layout: Layout.ROW_MAJOR, shape: [1] }, new BigInt64Array([0n]));
  const g = new GraphBuilder({ opset: 13 })
    .input("x", DType.INT8, [16384, 1])
    .initializer("b", b)
    .initializer("one", one)
    .initializer("first", first);
  g.node("MatMulInteger", ["x", "b"], ["m"]);
  let last = "m";
  for (let i = 0; i < 4; i++) {
    g.node("Add", [last, "one"], [`a${i}`]);
    last = `a${i}`;
  }
  g.node("Gather", [last, "first"], ["row"], { axis: 0 });
  g.node("ArgMax", ["row"], ["y"], { axis: 1, keepdims: 0 });
  return g.output("y", DType.INT64, [1]).build();
}

const row = (dtype: number, shape: number[]): TensorSpec => ({
  dtype: dtype as TensorSpec["dtype"],
  layout: Layout.ROW_MAJOR,
  shape,
});

describe("e2e: hostile registered models", { timeout: 240_000 }, () => {
  let chain: Chain;
  const daemons: Daemon[] = [];
  let watcher: Daemon;
  const hostile: { name: string; modelId: Hex; input: TensorSpec; output: TensorSpec; why: string; jobId?: bigint }[] =
    [];
  const honestJobs: bigint[] = [];

  after(async () => {
    await Promise.all(daemons.map((d) => d.stop()));
    await chain?.stop();
  });

  before(async () => {
    chain = await setupChain();
    const dir = join(chain.dir, "models");
    mkdirSync(dir);
    const admin = chain.client(ROLE.deployer);
    const register = async (name: string, spec: ModelSpec, why: string) => {
      await send(admin, registerModel(chain.addresses, spec));
      hostile.push({ name, modelId: modelIdOf(spec), input: spec.input, output: spec.output, why });
    };

    copyFileSync(join(ROOT, "test", "fixtures", "hostile", "random-bytes.onnx"), join(dir, "random-bytes.onnx"));
    const junk = new Uint8Array(readFileSync(join(dir, "random-bytes.onnx")));
    await register(
      "random-bytes",
      {
        fileHash: keccak256(junk),
        graphRoot: `0x${"11".repeat(32)}`,
        nodeCount: 1,
        profile: Profile.EXACT_INT,
        policyHash: NO_POLICY,
        input: row(DType.INT8, [1, 4]),
        output: row(DType.INT8, [1, 4]),
        uri: "file://random-bytes.onnx",
        params: E2E_PARAMS,
      },
      "model-invalid",
    );
    const fmnist = modelSpecFor(chain.compiled, { uri: "file://other.onnx", params: E2E_PARAMS });
    await register("lying-registration", { ...fmnist, graphRoot: `0x${"22".repeat(32)}` }, "registration-mismatch");
    const bomb = memoryBomb();
    writeFileSync(join(dir, "bomb.onnx"), bomb);
    await register(
      "memory-bomb",
      modelSpecFor(compileModel(bomb), { uri: "file://bomb.onnx", params: E2E_PARAMS }),
      "executor-memory",
    );

    const honest = new Daemon(
      providerArgs(chain, ROLE.honest, ["--requester", chain.address(ROLE.requesterA)]),
      keyEnv(ROLE.honest),
      "honest",
    );
    watcher = new Daemon(watcherArgs(chain, ["--model", dir]), keyEnv(ROLE.watcher), "watcher");
    daemons.push(honest, watcher);
    await Promise.all(daemons.map((d) => d.started()));

    // Jobs of the hostile models, committed by hand (no provider serves them).
    const requester = chain.client(ROLE.requesterB);
    const committer = chain.client(ROLE.cheater);
    for (const h of hostile) {
      const input = Tensor.zeros(h.input);
      const now = (await chain.public.getBlock()).timestamp;
      const { receipt } = await send(
        requester,
        requestJob(chain.addresses, { modelId: h.modelId, input: pack(input), fee: TOKEN, commitDeadline: now + 120n }),
      );
      h.jobId = BigInt(
        receipt.logs.find((l) => l.address.toLowerCase() === chain.addresses.jobManager.toLowerCase())?.topics[1] ??
          "0x0",
      );
      const output = Tensor.zeros(h.output);
      await send(
        committer,
        commitJob(chain.addresses, {
          jobId: h.jobId,
          outputRoot: tensorRoot(output),
          output: pack(output),
        }),
      );
    }
    for (let i = 0; i < 2; i++)
      honestJobs.push(await request(chain, ROLE.requesterA, imageInput(chain.compiled, 20 + i)));
  });

  it("marks each hostile job unverifiable with a clear error naming why", async () => {
    for (const h of hostile) {
      const line = await watcher.waitFor(
        (l) => l.msg === "job unverifiable" && String(l["jobId"]) === String(h.jobId),
        90_000,
        `${h.name} unverifiable`,
      );
      assert.equal(line.level, "error");
      assert.equal(line["why"], h.why, JSON.stringify(line));
      assert.ok(String(line["reason"]).length > 10);
    }
  });

  it("stays up and keeps verifying other jobs", async () => {
    for (const id of honestJobs) {
      await watcher.waitFor(
        (l) => l.msg === "job verified" && String(l["jobId"]) === String(id),
        60_000,
        `job ${id} verified`,
      );
    }
    await until(
      async () =>
        (await Promise.all(honestJobs.map((id) => jobOf(chain, id)))).every((j) => j.status === JobStatus.Finalized),
      90_000,
      "honest jobs finalized",
    );
    assert.equal(
      watcher.find((l) => l.msg === "challenge opened"),
      undefined,
      "nothing was challenged",
    );
    const exited = await Promise.race([watcher.exited, new Promise((r) => setTimeout(() => r("running"), 100))]);
    assert.equal(exited, "running", watcher.tail());
  });
});
