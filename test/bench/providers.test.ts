/**
 * The machinery of `npm run check:gpu`. CI has no GPU, so the CUDA side is
 * checked by hand on a GPU host; here: the comparison finds a divergence and
 * names its node and element, two CPU settings agree bit for bit, and the script
 * says why CUDA is unavailable (exit 2) and still writes the CPU figures.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { loadWorkload, REPO } from "../../src/bench/inputs.ts";
import { compareProviders, compareTraces } from "../../src/bench/providers.ts";
import { Tensor } from "../../src/tensor/tensor.ts";
import { cudaUnavailableReason } from "../../src/trace/sessionOptions.ts";
import { traceModel } from "../../src/trace/trace.ts";

const workload = loadWorkload(6);

test("two CPU settings (1 and 2 threads, basic and all optimizations) give bit-identical traceRoots", async () => {
  const c = await compareProviders(
    workload.compiled,
    workload.inputs,
    { executionProvider: "cpu" },
    { executionProvider: "cpu", intraOpNumThreads: 2, graphOptimizationLevel: "all" },
    1,
  );
  assert.equal(c.images, 6);
  assert.equal(c.mismatchedImages, 0);
  assert.deepEqual(c.divergences, []);
  assert.equal(c.reference.provider, "cpu");
  assert.ok(c.reference.tracesPerSec > 0 && c.candidate.inferencesPerSec > 0);
});

test("a trace that differs in one element is reported at its first divergent node and element", async () => {
  const { compiled, inputs } = workload;
  const honest = await Promise.all(inputs.slice(0, 3).map((x) => traceModel(compiled, x)));
  const [honest0, honest1, honest2] = honest;
  const image1 = inputs[1];
  assert.ok(honest0 && honest1 && honest2 && image1, "the workload has at least three images");
  // Image 1's candidate run sees one input pixel changed: node 0 (the first op on the input) diverges.
  const data = Int8Array.from(image1.data as Int8Array);
  const pixel = data.findIndex((v) => v !== 0);
  const value = data[pixel];
  assert.ok(value !== undefined, "image 1 has a non-zero pixel");
  data[pixel] = value === 127 ? 126 : value + 1;
  const changed = await traceModel(compiled, new Tensor(image1.spec, data));
  const r = compareTraces(compiled, honest, [honest0, changed, honest2]);
  assert.equal(r.mismatchedImages, 1);
  assert.equal(r.divergences.length, 1);
  const [d] = r.divergences;
  assert.ok(d);
  assert.equal(d.image, 1);
  assert.equal(d.node, honest1.nodeRoots.findIndex((root, i) => root !== changed.nodeRoots[i]));
  assert.notEqual(d.reference, d.candidate);
  const divergentOutput = honest1.nodeOutputs[d.node];
  assert.ok(divergentOutput);
  assert.equal(String(divergentOutput.data[d.element]), d.reference);
  assert.throws(() => compareTraces(compiled, honest, honest.slice(1)), /3 reference traces against 2/);
});

test("npm run check:gpu compares CPU with CUDA, or says why CUDA is unavailable (exit 2) and writes the CPU figures", () => {
  const reason = cudaUnavailableReason();
  const out = join(mkdtempSync(join(tmpdir(), "refute-gpu-")), "gpu.json");
  const r = spawnSync(
    process.execPath,
    ["--import", "tsx", "scripts/check-gpu.ts", "--images", "4", "--passes", "1", "--out", out],
    { cwd: REPO, encoding: "utf8" },
  );
  const file = JSON.parse(readFileSync(out, "utf8")) as {
    cuda: { available: boolean; reason?: string };
    cpuOnly?: { images: number; mismatchedImages: number; reference: { tracesPerSec: number } };
    comparison?: { images: number; mismatchedImages: number; candidate: { provider: string } };
  };
  if (reason === undefined) {
    // A host with the CUDA provider installed: the real comparison ran.
    assert.equal(file.cuda.available, true, r.stdout);
    assert.equal(file.comparison?.candidate.provider, "cuda");
    assert.equal(r.status, 0, r.stdout);
    assert.equal(file.comparison?.mismatchedImages, 0);
    return;
  }
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stdout, /CUDA unavailable: the CUDA provider library is not installed/);
  assert.deepEqual(file.cuda, { available: false, reason });
  assert.equal(file.cpuOnly?.images, 4);
  assert.equal(file.cpuOnly?.mismatchedImages, 0);
  assert.ok((file.cpuOnly?.reference.tracesPerSec ?? 0) > 0);
});

test("npm run check:gpu refuses a bad flag value with one line and exit 2", () => {
  const r = spawnSync(process.execPath, ["--import", "tsx", "scripts/check-gpu.ts", "--passes", "0"], {
    cwd: REPO,
    encoding: "utf8",
  });
  assert.equal(r.status, 2);
  assert.equal(r.stderr.trim(), 'check:gpu: --passes must be a positive integer, got "0"');
});
