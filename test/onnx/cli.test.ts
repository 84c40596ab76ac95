import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { bytesToHex } from "viem";
import { main } from "../../src/cli/main.ts";
import { encodeIdxImages } from "../../src/data/idx.ts";
import { quantizePixels } from "../../src/data/quantizeInput.ts";
import { DEFAULT_MODEL_PARAMS } from "../../src/model/defaultParams.ts";
import { compileModel } from "../../src/onnx/compile.ts";
import { modelIdFor } from "../../src/onnx/modelSpecFor.ts";
import { DType } from "../../src/tensor/dtype.ts";
import { Layout } from "../../src/tensor/spec.ts";
import { Tensor } from "../../src/tensor/tensor.ts";
import { releaseSessions } from "../../src/trace/session.ts";
import { traceModel } from "../../src/trace/trace.ts";
import { Rng } from "../../src/vectors/rng.ts";
import { mlpInput, mlpModel } from "./models.ts";
import { CORPUS, runCli } from "./runCli.ts";

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the CLI in-process, capturing its output. */
async function cli(...args: string[]): Promise<Run> {
  let stdout = "";
  let stderr = "";
  const code = await main(["node", "refute", ...args], {
    stdout: (s) => (stdout += s),
    stderr: (s) => (stderr += s),
  });
  return { code, stdout, stderr };
}

const dir = mkdtempSync(join(tmpdir(), "refute-cli-"));
const modelPath = join(dir, "mlp.onnx");
const modelBytes = mlpModel();
writeFileSync(modelPath, modelBytes);
const compiled = compileModel(modelBytes);

describe("refute model inspect", () => {
  it("prints the verdict, ops, nodes, graphRoot and modelId as JSON", async () => {
    const r = await cli("model", "inspect", modelPath, "--json");
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout) as Record<string, unknown>;
    for (const key of ["profile", "ops", "graphRoot", "modelId", "nodes", "input", "output", "fileHash"])
      assert.ok(key in report, key);
    assert.equal(report["profile"], "exact-int");
    assert.deepEqual(report["ops"], ["Flatten", "MatMulInteger", "Add", "Mul", "Div", "Clip", "Cast", "ArgMax"]);
    assert.equal(report["graphRoot"], compiled.graphRoot);
    assert.equal(report["fileHash"], compiled.fileHash);
    assert.equal(report["modelId"], modelIdFor(compiled, { uri: "file://mlp.onnx", params: DEFAULT_MODEL_PARAMS }));
    assert.deepEqual(report["input"], { name: "input", dtype: "int8", layout: 0, shape: [1, 6, 6] });
    const nodes = report["nodes"] as {
      name: string;
      op: string;
      output: { shape: number[] };
      inputs: { source: string; layout: number }[];
    }[];
    assert.equal(nodes.length, 10);
    assert.equal(nodes[1]?.op, "MatMulInteger");
    assert.deepEqual(nodes[1]?.output.shape, [1, 12]);
    assert.deepEqual(
      nodes[1]?.inputs.map((o) => [o.source, o.layout]),
      [
        ["NODE_OUTPUT", 0],
        ["CONSTANT", 1],
        ["CONSTANT", 0],
        ["CONSTANT", 0],
      ],
    );
  });

  it("binds the registration flags into the modelId", async () => {
    const r = await cli(
      "model",
      "inspect",
      modelPath,
      "--json",
      "--uri",
      "ipfs://abc",
      "--challenge-window",
      "1200",
      "--response-window",
      "60",
      "--collateral",
      "5e18",
      "--bond",
      "7",
    );
    assert.equal(r.code, 0, r.stderr);
    const params = {
      challengeWindow: 1200n,
      responseWindow: 60n,
      collateralPerJob: 5n * 10n ** 18n,
      challengerBond: 7n,
    };
    assert.equal(JSON.parse(r.stdout).modelId, modelIdFor(compiled, { uri: "ipfs://abc", params }));
  });

  it("prints a readable report", async () => {
    const r = await cli("model", "inspect", modelPath);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^profile {4}exact-int$/m);
    assert.match(
      r.stdout,
      /#1 fc1_matmul: MatMulInteger\(x_flat, W1 \(transposed\), x_zero_point, w_zero_point\) -> fc1_acc: int32 \[1,12\]/,
    );
    assert.ok(r.stdout.includes(`graphRoot  ${compiled.graphRoot}`));
  });

  it("prints the rejection with its code and exits 2", async () => {
    const file = join(CORPUS, "div-by-zero.onnx");
    const r = await cli("model", "inspect", file, "--json");
    assert.equal(r.code, 2);
    assert.deepEqual(JSON.parse(r.stdout).error.code, "DIVISOR_ZERO");
    assert.equal(JSON.parse(r.stdout).profile, "rejected");
    assert.match(r.stderr, /^refute: DIVISOR_ZERO: node "Div_1": Div divisor "d" has 0 at index 1\n$/);
  });

  it("exits 2 with one line for a missing file or a bad flag", async () => {
    const missing = await cli("model", "inspect", join(dir, "nope.onnx"));
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /^refute: FILE_NOT_FOUND: /);
    const bad = await cli("model", "inspect", modelPath, "--collateral", "-1");
    assert.equal(bad.code, 2);
    assert.equal(bad.stderr.trim().split("\n").length, 1);
  });
});

describe("refute model run", () => {
  after(async () => {
    await releaseSessions();
    rmSync(dir, { recursive: true, force: true });
  });

  const input = mlpInput(3);
  const jsonPath = join(dir, "input.json");
  writeFileSync(jsonPath, JSON.stringify({ data: Array.from(input.data as Int8Array) }));
  const binPath = join(dir, "input.bin");
  writeFileSync(binPath, new Uint8Array((input.data as Int8Array).buffer));

  it("prints the output and every root of the trace (JSON input)", async () => {
    const trace = await traceModel(compiled, input);
    const r = await cli("model", "run", modelPath, "--input", jsonPath, "--json");
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout);
    assert.deepEqual(report.output.values, [trace.output.at(0).toString()]);
    assert.equal(report.output.dtype, "int64");
    assert.equal(report.outputPacked, bytesToHex(trace.outputPacked));
    assert.equal(report.inputRoot, trace.inputRoot);
    assert.deepEqual(
      report.nodeRoots.map((n: { root: string }) => n.root),
      trace.nodeRoots,
    );
    assert.equal(report.nodeRoots[1].name, "fc1_matmul");
    assert.equal(report.traceRoot, trace.traceRoot);
    assert.equal(report.outputRoot, trace.outputRoot);
  });

  it("reads packed .bin input and IDX images with --index", async () => {
    const fromJson = JSON.parse((await cli("model", "run", modelPath, "--input", jsonPath, "--json")).stdout);
    const fromBin = JSON.parse((await cli("model", "run", modelPath, "--input", binPath, "--json")).stdout);
    assert.equal(fromBin.traceRoot, fromJson.traceRoot);

    const rng = new Rng(5);
    const pixels = Uint8Array.from({ length: 3 * 36 }, () => rng.int(256));
    const idxPath = join(dir, "images.idx");
    writeFileSync(idxPath, encodeIdxImages({ count: 3, rows: 6, cols: 6, pixels }));
    const r = await cli("model", "run", modelPath, "--input", idxPath, "--index", "2", "--json");
    assert.equal(r.code, 0, r.stderr);
    const image = new Tensor(
      { dtype: DType.INT8, layout: Layout.ROW_MAJOR, shape: [1, 6, 6] },
      quantizePixels(pixels.subarray(72, 108)),
    );
    assert.equal(JSON.parse(r.stdout).traceRoot, (await traceModel(compiled, image)).traceRoot);

    const noIndex = await cli("model", "run", modelPath, "--input", idxPath);
    assert.equal(noIndex.code, 2);
    assert.match(noIndex.stderr, /^refute: INPUT_MISMATCH: .*--index/);
    const outOfRange = await cli("model", "run", modelPath, "--input", idxPath, "--index", "3");
    assert.equal(outOfRange.code, 2);
  });

  it("prints a readable report", async () => {
    const r = await cli("model", "run", modelPath, "--input", jsonPath);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^output {5}class: int64 \[1\] = \[\d\]$/m);
    assert.match(r.stdout, /^ {2}#9 argmax {6}0x[0-9a-f]{64}$/m);
    assert.match(r.stdout, /^traceRoot {2}0x[0-9a-f]{64}$/m);
  });

  it("exits 2 with one line on a bad input or a bad model", async () => {
    const wrongCount = join(dir, "short.json");
    writeFileSync(wrongCount, JSON.stringify({ data: [1, 2, 3] }));
    const outOfRange = join(dir, "range.json");
    writeFileSync(outOfRange, JSON.stringify({ data: new Array(36).fill(200) }));
    const notJson = join(dir, "broken.json");
    writeFileSync(notJson, "{ data: ");
    const shortBin = join(dir, "short.bin");
    writeFileSync(shortBin, new Uint8Array(35));
    for (const file of [wrongCount, outOfRange, notJson, shortBin]) {
      const r = await cli("model", "run", modelPath, "--input", file);
      assert.equal(r.code, 2, file);
      assert.match(r.stderr, /^refute: INPUT_MISMATCH: [^\n]+\n$/, file);
    }
    const badModel = await cli("model", "run", join(CORPUS, "cycle.onnx"), "--input", jsonPath);
    assert.equal(badModel.code, 2);
    assert.match(badModel.stderr, /^refute: NOT_TOPOLOGICAL: /);
    const noInput = await cli("model", "run", modelPath);
    assert.equal(noInput.code, 2);
  });

  it("runs from bin/refute.js as a separate process", async () => {
    const [run, help] = await Promise.all([
      runCli(["model", "run", modelPath, "--input", jsonPath, "--json"]),
      runCli(["--help"]),
    ]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(JSON.parse(run.stdout).traceRoot, (await traceModel(compiled, input)).traceRoot);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /model/);
  });
});
