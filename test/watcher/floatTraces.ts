/**
 * Real float traces for the watcher's float tests: models/fmnist-cnn.onnx traced by
 * onnxruntime on a pseudo-random image (as test/float/checkTrace.test.ts makes them),
 * served as provider/traceServer.ts serves them, honestly or with one Conv element moved
 * a chosen multiple of its bound B, and a local HTTP server on 127.0.0.1 answering with
 * crafted bodies.
 */
import { readFileSync } from "node:fs";
import { createServer, type Server, type ServerResponse } from "node:http";
import { join } from "node:path";
import { bytesToHex, type Hex } from "viem";
import { ElementCheck } from "../../src/float/check/kernel.ts";
import { kernelFor } from "../../src/float/check/node.ts";
import { floatNodeOfTrace } from "../../src/float/check/traceNode.ts";
import { traceRootOf } from "../../src/graph/descriptor.ts";
import { compileModel } from "../../src/onnx/compile.ts";
import { tensorRoot } from "../../src/tensor/commitment.ts";
import { pack } from "../../src/tensor/packing.ts";
import { Tensor } from "../../src/tensor/tensor.ts";
import { traceModel } from "../../src/trace/trace.ts";
import { Rng } from "../../src/vectors/rng.ts";
import type { FloatModel } from "../../watcher/float/jobs.ts";

export const CNN_PATH = join(import.meta.dirname, "..", "..", "models", "fmnist-cnn.onnx");
const bytes = new Uint8Array(readFileSync(CNN_PATH));
export const CNN: FloatModel = { compiled: compileModel(bytes) };

/** A job's node outputs as a provider would serve them, and the job input. */
export interface ServedJob {
  readonly input: Tensor;
  readonly outputs: readonly Tensor[];
}

/** The honest trace of the CNN on a pseudo-random image. */
export async function honestJob(seed: number): Promise<ServedJob> {
  const rng = new Rng(seed);
  const image = Float32Array.from({ length: 784 }, () => (rng.u32() % 256) / 255);
  const input = new Tensor(CNN.compiled.input, image);
  const trace = await traceModel(CNN.compiled, input, { intraOpNumThreads: 1 });
  return { input, outputs: trace.nodeOutputs };
}

/** The body provider/traceServer.ts sends for a job. */
export function servedBody(job: ServedJob, jobId = 1n): Record<string, unknown> {
  const nodeRoots = job.outputs.map((t) => tensorRoot(t));
  return {
    jobId: jobId.toString(),
    modelId: `0x${"ff".repeat(32)}`,
    outputRoot: nodeRoots.at(-1),
    traceRoot: traceRootOf(nodeRoots),
    nodeRoots,
    nodes: job.outputs.map((t, index) => ({
      index,
      root: nodeRoots[index],
      spec: { dtype: t.spec.dtype, layout: t.spec.layout, shape: [...t.spec.shape] },
      packed: bytesToHex(pack(t)),
    })),
  };
}

export const outputRootOf = (job: ServedJob): Hex => tensorRoot(job.outputs.at(-1)!);

/**
 * The job with one element of the first Conv moved to `estimate − times·B`. The element is
 * one the Conv leaves negative either way, so the Relu after it (and everything later)
 * stays what it was: the served trace is consistent except at that element.
 */
export function shiftedConv(job: ServedJob, times: number): { job: ServedJob; nodeIndex: number; outIndex: number } {
  const { compiled } = CNN;
  const nodeIndex = compiled.onnxOpTypes.indexOf("Conv");
  const kernel = kernelFor(floatNodeOfTrace(compiled, { input: job.input, nodeOutputs: job.outputs }, nodeIndex));
  const honest = job.outputs[nodeIndex]!;
  const data = Float32Array.from(honest.data as Float32Array);
  const bits = new Uint32Array(data.buffer);
  const out = new ElementCheck();
  for (let outIndex = 0; outIndex < data.length; outIndex++) {
    kernel.check(outIndex, bits[outIndex]!, out);
    if (!(data[outIndex]! < 0) || !(out.bound > 0)) continue;
    data[outIndex] = Math.fround(out.estimate - times * out.bound);
    const outputs = [...job.outputs];
    outputs[nodeIndex] = new Tensor(honest.spec, data);
    return { job: { input: job.input, outputs }, nodeIndex, outIndex };
  }
  throw new Error("no negative element in the first Conv's output");
}

/** What the test server answers at a path: a status and body, or a stall (headers, then nothing). */
export type Route = { readonly status: number; readonly body: string } | { readonly stall: true };

export interface TestServer {
  readonly url: string;
  readonly routes: Map<string, Route>;
  /** Requests seen per path. */
  readonly hits: Map<string, number>;
  close(): Promise<void>;
}

export async function startTestServer(): Promise<TestServer> {
  const routes = new Map<string, Route>();
  const hits = new Map<string, number>();
  const stalled: ServerResponse[] = [];
  const server: Server = createServer((req, res) => {
    const path = req.url ?? "/";
    hits.set(path, (hits.get(path) ?? 0) + 1);
    const route = routes.get(path);
    if (route === undefined) {
      res.writeHead(404).end("{}");
      return;
    }
    if ("stall" in route) {
      res.writeHead(200, { "content-type": "application/json" });
      res.write("{");
      stalled.push(res);
      return;
    }
    res.writeHead(route.status, { "content-type": "application/json" }).end(route.body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    routes,
    hits,
    close: () =>
      new Promise<void>((resolve) => {
        for (const r of stalled) r.destroy();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
