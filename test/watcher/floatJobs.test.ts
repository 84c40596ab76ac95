/**
 * A float32 job checked on real data (watcher/float/jobs.ts): models/fmnist-cnn.onnx traced
 * by onnxruntime, its trace served over HTTP on 127.0.0.1 as a provider serves it. Served
 * honestly it is admissible; with one Conv element moved 2·B from its exact value (roots
 * recomputed) the violation is found at exactly that node and element, and the trace kept
 * is the served one; moved 0.5·B it is admissible. No trace server, or a trace that does
 * not end in the committed output, decides nothing against the provider.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Hex } from "viem";
import { tensorRoot } from "../../src/tensor/commitment.ts";
import { pack } from "../../src/tensor/packing.ts";
import { FloatJobs } from "../../watcher/float/jobs.ts";
import { TraceServers } from "../../watcher/float/servers.ts";
import {
  CNN,
  CNN_PATH,
  honestJob,
  outputRootOf,
  servedBody,
  shiftedConv,
  startTestServer,
  type ServedJob,
  type TestServer,
} from "./floatTraces.ts";

const PROVIDER: Hex = `0x${"cc".repeat(20)}`;
const OTHER: Hex = `0x${"dd".repeat(20)}`;
const FETCH = { timeoutMs: 2000, attempts: 2, backoffMs: 10 };

describe("float32 jobs checked on the provider's served trace", () => {
  let server: TestServer;
  let jobs: FloatJobs;
  let honest: ServedJob;

  before(async () => {
    server = await startTestServer();
    jobs = new FloatJobs({
      servers: new TraceServers({ traceServers: new Map([[PROVIDER, server.url]]), inputHosts: [] }),
      fetch: FETCH,
    });
    honest = await honestJob(11);
  });
  after(() => server.close());

  const serve = (jobId: bigint, job: ServedJob) =>
    server.routes.set(`/jobs/${jobId}/trace`, { status: 200, body: JSON.stringify(servedBody(job, jobId)) });
  const check = (jobId: bigint, job: ServedJob, provider = PROVIDER, outputRoot = outputRootOf(job)) =>
    jobs.check({ jobId, provider, outputRoot }, pack(job.input), CNN);

  it("finds every node of an honest trace within its bound", async () => {
    serve(1n, honest);
    const r = await check(1n, honest);
    assert.equal(r.kind, "admissible");
    assert.ok(r.kind === "admissible" && r.elements > 10_000);
  });

  it("finds a Conv element moved 2·B at exactly its node and element, and keeps the served trace", async () => {
    const { job, nodeIndex, outIndex } = shiftedConv(honest, 2);
    serve(2n, job);
    const r = await check(2n, job);
    assert.equal(r.kind, "violation", JSON.stringify(r));
    if (r.kind !== "violation") return;
    assert.deepEqual(r.target, { nodeIndex, outIndex });
    assert.equal(CNN.compiled.onnxOpTypes[r.target.nodeIndex], "Conv");
    assert.deepEqual(
      r.trace.nodeRoots,
      job.outputs.map((t) => tensorRoot(t)),
    );
    assert.notEqual(r.trace.nodeRoots[nodeIndex], tensorRoot(honest.outputs[nodeIndex]!));
    assert.deepEqual(
      r.trace.nodes.map((n) => Buffer.from(n).toString("hex")),
      job.outputs.map((t) => Buffer.from(pack(t)).toString("hex")),
    );
  });

  it("accepts a Conv element moved 0.5·B: within the bound", async () => {
    const { job, nodeIndex } = shiftedConv(honest, 0.5);
    assert.notEqual(tensorRoot(job.outputs[nodeIndex]!), tensorRoot(honest.outputs[nodeIndex]!), "the trace changed");
    serve(3n, job);
    assert.equal((await check(3n, job)).kind, "admissible");
  });

  it("has no trace for a provider without a trace server", async () => {
    serve(4n, honest);
    const r = await check(4n, honest, OTHER);
    assert.equal(r.kind, "unavailable");
    assert.match(r.kind === "unavailable" ? r.reason : "", /no trace server for provider 0xdd/);
    assert.equal(server.hits.get("/jobs/4/trace"), undefined);
  });

  it("refuses a served trace that does not end in the committed output, however wrong it is", async () => {
    const { job } = shiftedConv(honest, 2);
    serve(5n, job);
    const r = await check(5n, job, PROVIDER, `0x${"01".repeat(32)}`);
    assert.equal(r.kind, "invalid");
    assert.match(r.kind === "invalid" ? r.reason : "", /ends in 0x[0-9a-f]{64}, the job committed outputRoot 0x0101/);
  });

  it("does not check a job whose input does not fit the model's input", async () => {
    serve(6n, honest);
    const r = await jobs.check(
      { jobId: 6n, provider: PROVIDER, outputRoot: outputRootOf(honest) },
      Uint8Array.of(1),
      CNN,
    );
    assert.equal(r.kind, "uncheckable");
    assert.match(
      r.kind === "uncheckable" ? r.reason : "",
      /the job input has 1 bytes, the model's input packs into 3136/,
    );
    assert.equal(server.hits.get("/jobs/6/trace"), undefined, "nothing fetched");
  });

  it("refuses the model file for a registration it does not match", () => {
    const expected = {
      fileHash: CNN.compiled.fileHash,
      graphRoot: `0x${"00".repeat(32)}` as Hex,
      nodeCount: CNN.compiled.nodes.length,
      profile: CNN.compiled.profile,
      policyHash: CNN.compiled.policyHash,
      input: CNN.compiled.input,
      output: CNN.compiled.output,
    };
    const r = jobs.model(CNN_PATH, expected);
    assert.equal(r.kind, "mismatch");
    assert.match(r.kind === "mismatch" ? r.reason : "", /graphRoot 0x0{64} registered/);
    assert.equal(jobs.model(CNN_PATH, { ...expected, graphRoot: CNN.compiled.graphRoot }).kind, "ok");
  });
});
