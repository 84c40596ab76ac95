/**
 * The watcher's executor pool (real child processes): its traces are the in-process
 * traces bit for bit, a worker reuses what it compiled while the model file is
 * unchanged, and a file replaced at the same path is compiled and checked again.
 */
import assert from "node:assert/strict";
import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { bytesToHex } from "viem";
import { loadWorkload, MODEL_FILE, REPO } from "../../src/bench/inputs.ts";
import { createLogger } from "../../src/service/logger.ts";
import { pack } from "../../src/tensor/packing.ts";
import type { Tensor } from "../../src/tensor/tensor.ts";
import { traceModel } from "../../src/trace/trace.ts";
import { ExecutorPool } from "../../watcher/executor/pool.ts";
import { fileBindingOf } from "../../src/onnx/modelSpecFor.ts";
import type { ExecRequest } from "../../watcher/executor/protocol.ts";

describe("executor pool", { timeout: 120_000 }, () => {
  const { compiled, inputs } = loadWorkload(4);
  const dir = mkdtempSync(join(tmpdir(), "refute-executor-"));
  const path = join(dir, "model.onnx");
  const expected = fileBindingOf(compiled);
  const request = (input: Tensor): Omit<ExecRequest, "id"> => ({
    modelPath: path,
    expected,
    input: bytesToHex(pack(input)),
    executionProvider: "cpu",
    threads: 1,
  });
  let pool: ExecutorPool;

  before(() => {
    copyFileSync(MODEL_FILE, path);
    pool = new ExecutorPool(1, { memoryMb: 1024, timeoutMs: 30_000 }, createLogger("test", "error"));
  });
  after(async () => {
    await pool?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test("traces in the child equal in-process traces, for every job on the same worker", async () => {
    for (const input of inputs) {
      const r = await pool.run(request(input));
      assert.equal(r.kind, "ok", JSON.stringify(r));
      if (r.kind !== "ok") return;
      const local = await traceModel(compiled, input);
      assert.equal(r.traceRoot, local.traceRoot);
      assert.deepEqual(r.nodeRoots, local.nodeRoots);
      assert.equal(r.provider, "cpu");
    }
  });

  test("a model file replaced at the same path is compiled and checked again", async () => {
    const [first, second] = inputs;
    assert.ok(first && second, "the workload has two images");
    copyFileSync(join(REPO, "test", "fixtures", "hostile", "bit-flipped.onnx"), path);
    const refused = await pool.run(request(first));
    assert.equal(refused.kind, "invalid", JSON.stringify(refused));
    copyFileSync(MODEL_FILE, path);
    const back = await pool.run(request(second));
    assert.equal(back.kind, "ok", JSON.stringify(back));
  });
});
