import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import { after, describe, it } from "node:test";
import { JsonRpcError, ResilientRpc, RpcUnavailableError } from "../../src/service/rpc.ts";

/** A fake JSON-RPC node: `answer(method)` returns a result, throws for a JSON-RPC error, or undefined to hang. */
function fakeNode(answer: (method: string) => unknown): Promise<{ url: string; server: Server; calls: string[] }> {
  const calls: string[] = [];
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (d: Buffer) => (body += d.toString()));
    req.on("end", () => {
      const { id, method } = JSON.parse(body) as { id: number; method: string };
      calls.push(method);
      let out: unknown;
      try {
        out = answer(method);
      } catch (e) {
        res.end(JSON.stringify({ jsonrpc: "2.0", id, error: { code: -32000, message: (e as Error).message } }));
        return;
      }
      if (out === undefined) return;
      res.end(JSON.stringify({ jsonrpc: "2.0", id, result: out }));
    });
  });
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => {
      const a = server.address();
      resolve({ url: `http://127.0.0.1:${typeof a === "object" && a ? a.port : 0}`, server, calls });
    }),
  );
}

describe("RPC fallback with health checks", () => {
  const servers: Server[] = [];
  after(() => {
    for (const s of servers) {
      s.closeAllConnections();
      s.close();
    }
  });

  it("moves on from a hanging endpoint to the next and marks it down", async () => {
    const a = await fakeNode(() => undefined);
    const b = await fakeNode(() => "0x10");
    servers.push(a.server, b.server);
    const events: string[] = [];
    const rpc = new ResilientRpc([a.url, b.url], {
      timeoutMs: 200,
      onChange: (e, ev) => events.push(`${e.url}:${ev}`),
    });
    assert.equal(await rpc.request("eth_blockNumber", []), "0x10");
    assert.deepEqual(events, [`${a.url}:down`]);
    assert.equal(rpc.order()[0]?.url, b.url, "the healthy endpoint is tried first now");
  });

  it("returns JSON-RPC errors as answers, but tries the next endpoint on 'unknown block'", async () => {
    const a = await fakeNode((m) => {
      if (m === "eth_call") throw new Error("execution reverted");
      throw new Error("header not found");
    });
    const b = await fakeNode(() => "0x01");
    servers.push(a.server, b.server);
    const rpc = new ResilientRpc([a.url, b.url], { timeoutMs: 500 });
    await assert.rejects(
      rpc.request("eth_call", []),
      (e: unknown) => e instanceof JsonRpcError && /reverted/.test(e.message),
    );
    assert.equal(b.calls.length, 0);
    assert.equal(await rpc.request("eth_getBalance", []), "0x01");
  });

  it("prefers an endpoint that is not lagging, and fails with RpcUnavailableError when none answers", async () => {
    const lag = await fakeNode(() => "0x5");
    const fresh = await fakeNode(() => "0x20");
    servers.push(lag.server, fresh.server);
    const rpc = new ResilientRpc([lag.url, fresh.url], { timeoutMs: 500, healthIntervalMs: 50, maxLagBlocks: 2 });
    rpc.start();
    await new Promise((r) => setTimeout(r, 200));
    rpc.stop();
    assert.equal(rpc.order()[0]?.url, fresh.url);
    const dead = new ResilientRpc(["http://127.0.0.1:1"], { timeoutMs: 200 });
    await assert.rejects(dead.request("eth_blockNumber", []), RpcUnavailableError);
  });
});
