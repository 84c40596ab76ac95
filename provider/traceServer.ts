/**
 * The provider's trace server on 127.0.0.1: the trace behind the output it committed, for
 * watchers and auditors, for as long as it keeps the job (the challenge window, any dispute
 * and the retention period). An honest integer job is traced on the first request (its commit
 * runs the plain model only); a float32 job's trace is the one stored at its commit (dtype 1,
 * packed fp32 bit patterns). `traceRoot` is the hash of `nodeRoots` the dispute game would store.
 *
 *   GET /jobs/:id/trace → {
 *     jobId, modelId, outputRoot, traceRoot, nodeRoots: [hex…],
 *     nodes: [{ index, root, spec: { dtype, layout, shape }, packed: "0x…" }…]
 *   }
 *   GET /health → { ok: true, jobs: <traces held> }
 *
 * `packed` is the canonical packing of docs/PROTOCOL.md §2. A job it withholds
 * (fault injection) or no longer holds answers 404.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { bytesToHex, type Hex } from "viem";
import { traceRootOf } from "../src/graph/descriptor.ts";
import { packedByteLength, type TensorSpec } from "../src/tensor/spec.ts";
import type { ProviderJob, ProviderStore } from "./store.ts";

export interface TraceServer {
  readonly port: number;
  close(): Promise<void>;
}

export async function startTraceServer(p: {
  readonly port: number;
  readonly store: ProviderStore;
  /** Output specs of the nodes of a model, when the model is hosted. */
  readonly nodeSpecs: (modelId: Hex) => Promise<readonly TensorSpec[] | undefined>;
  /** Computes and stores a job's trace when it is not stored yet (an honest job is traced on demand). */
  readonly trace: (job: ProviderJob) => Promise<void>;
}): Promise<TraceServer> {
  const server: Server = createServer((req, res) => {
    // A failure while serving (the node RPC down while a model's registration is read) answers
    // 500; it must not reject unhandled, which would end the daemon.
    serve(req, res).catch((err: unknown) => {
      if (res.headersSent) return res.destroy();
      res.writeHead(500, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: `the trace could not be served: ${(err as Error).message}` }));
    });
  });
  const serve = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };
    if (req.method !== "GET") return send(405, { error: "method not allowed" });
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    if (url.pathname === "/health") return send(200, { ok: true });
    const id = /^\/jobs\/(\d{1,78})\/trace$/.exec(url.pathname)?.[1];
    if (id === undefined) return send(404, { error: "not found" });
    let job = p.store.job(BigInt(id));
    if (job === undefined || job.outputRoot === undefined) return send(404, { error: `no trace for job ${id}` });
    if (job.nodeRoots === undefined) {
      try {
        await p.trace(job);
      } catch (err) {
        return send(500, { error: `job ${id} could not be traced: ${(err as Error).message}` });
      }
      job = p.store.job(job.jobId);
      if (job?.nodeRoots === undefined) return send(404, { error: `no trace for job ${id}` });
    }
    if (!job.reveals) return send(404, { error: `trace of job ${id} withheld` });
    const nodes = p.store.nodes(job.jobId);
    const specs = await p.nodeSpecs(job.modelId);
    if (nodes.length === 0 || specs === undefined) return send(404, { error: `trace of job ${id} no longer held` });
    const served = [];
    for (const [i, leaves] of nodes.entries()) {
      const spec = specs[i];
      if (spec === undefined)
        return send(500, { error: `job ${id} has ${nodes.length} nodes, its model ${specs.length}` });
      served.push({
        index: i,
        root: job.nodeRoots[i],
        spec,
        packed: bytesToHex(leaves.subarray(0, packedByteLength(spec))),
      });
    }
    send(200, {
      jobId: job.jobId.toString(),
      modelId: job.modelId,
      outputRoot: job.outputRoot,
      traceRoot: traceRootOf(job.nodeRoots),
      nodeRoots: job.nodeRoots,
      nodes: served,
    });
  };
  const port = await new Promise<number>((resolve, reject) => {
    server.once("error", reject);
    server.listen(p.port, "127.0.0.1", () => {
      const a = server.address();
      resolve(typeof a === "object" && a ? a.port : p.port);
    });
  });
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
