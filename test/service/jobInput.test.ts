/**
 * Inputs of jobs requested by root and URI, fetched from a real HTTP server on
 * 127.0.0.1: the right bytes pass, everything else is refused for good or left to
 * retry, and a hostile server cannot make the daemon read more than the input's size.
 */
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import { loadWorkload } from "../../src/bench/inputs.ts";
import { resolveJobInput, type InputPolicy } from "../../src/service/jobInput.ts";
import { packedByteLength } from "../../src/tensor/spec.ts";
import { tensorRoot } from "../../src/tensor/commitment.ts";
import { pack } from "../../src/tensor/packing.ts";

describe("job inputs by URI", () => {
  const { compiled, inputs } = loadWorkload(2);
  const spec = compiled.input;
  const [input, other] = inputs;
  assert.ok(input && other, "the workload has two images");
  const packed = pack(input);
  const root = tensorRoot(input);
  let server: Server;
  let base: string;
  let host: string;
  let streamedBytes = 0;
  const policy = (): InputPolicy => ({ allowedHosts: [], timeoutMs: 2_000 });

  before(async () => {
    server = createServer((req, res) => {
      switch (req.url) {
        case "/input":
          res.end(Buffer.from(packed));
          return;
        case "/other":
          res.end(Buffer.from(pack(other)));
          return;
        case "/short":
          res.end(Buffer.from(packed.subarray(0, 100)));
          return;
        case "/declared-huge":
          res.writeHead(200, { "content-length": String(1 << 30) });
          res.end();
          return;
        case "/endless": {
          // Chunked, no length: keeps sending until the client hangs up.
          res.writeHead(200);
          const chunk = Buffer.alloc(64 * 1024, 1);
          const push = () => {
            while (res.write(chunk)) {
              streamedBytes += chunk.length;
              if (streamedBytes > 64 << 20) return res.end();
            }
            res.once("drain", push);
          };
          res.on("close", () => res.removeAllListeners("drain"));
          push();
          return;
        }
        case "/slow":
          setTimeout(() => res.end(Buffer.from(packed)), 5_000).unref();
          return;
        case "/redirect":
          res.writeHead(302, { location: "/input" });
          res.end();
          return;
        default:
          res.writeHead(404);
          res.end();
      }
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const port = (server.address() as AddressInfo).port;
    host = `127.0.0.1:${port}`;
    base = `http://${host}`;
  });
  after(() => {
    server.closeAllConnections();
    server.close();
  });

  const job = (inputUri: string, inputRoot = root) => ({ input: new Uint8Array(), inputRoot, inputUri });

  test("an inline input is used as is, without any fetch", async () => {
    const r = await resolveJobInput({ input: packed, inputRoot: root, inputUri: "" }, spec, policy());
    assert.deepEqual(r, { kind: "ok", packed, fetched: false });
  });

  test("the bytes at the URI are fetched and their root checked against the job's inputRoot", async () => {
    const r = await resolveJobInput(job(`${base}/input`), spec, policy());
    assert.equal(r.kind, "ok");
    if (r.kind === "ok") {
      assert.deepEqual(r.packed, packed);
      assert.equal(r.fetched, true);
      assert.equal(r.packed.length, packedByteLength(spec));
    }
  });

  test("another input at the URI is refused: its root is not the job's", async () => {
    const r = await resolveJobInput(job(`${base}/other`), spec, policy());
    assert.equal(r.kind, "refused");
    assert.match(r.kind === "refused" ? r.reason : "", /has root 0x[0-9a-f]{64}, the job's inputRoot is 0x/);
  });

  test("a wrong size is refused, and a body past the input's size is cut off unread", async () => {
    const short = await resolveJobInput(job(`${base}/short`), spec, policy());
    assert.deepEqual(short, {
      kind: "refused",
      reason: `${base}/short holds 100 bytes, the input is ${packed.length}`,
    });
    const declared = await resolveJobInput(job(`${base}/declared-huge`), spec, policy());
    assert.equal(declared.kind, "refused");
    const endless = await resolveJobInput(job(`${base}/endless`), spec, policy());
    assert.deepEqual(endless, {
      kind: "refused",
      reason: `${base}/endless holds more than the ${packed.length} bytes of the input`,
    });
    assert.ok(streamedBytes < 16 << 20, `the server got to send ${streamedBytes} bytes`);
  });

  test("HTTP errors, timeouts and unreachable hosts are left to retry", async () => {
    const missing = await resolveJobInput(job(`${base}/missing`), spec, policy());
    assert.deepEqual(missing, { kind: "retry", reason: `${base}/missing: HTTP 404` });
    const slow = await resolveJobInput(job(`${base}/slow`), spec, { allowedHosts: [], timeoutMs: 200 });
    assert.equal(slow.kind, "retry");
    const closed = await resolveJobInput(job("http://127.0.0.1:1/input"), spec, policy());
    assert.equal(closed.kind, "retry");
  });

  test("a file URI, another scheme, a non-URL or a host not allowed is refused; a redirect is not followed", async () => {
    const file = await resolveJobInput(job("file:///etc/passwd"), spec, policy());
    assert.deepEqual(file, { kind: "refused", reason: "input URI scheme file: is not fetched (http and https only)" });
    assert.equal((await resolveJobInput(job("ipfs://bafy"), spec, policy())).kind, "refused");
    assert.equal((await resolveJobInput(job("not a url"), spec, policy())).kind, "refused");
    // Redirects are not followed: they could lead anywhere, past the host list.
    assert.equal((await resolveJobInput(job(`${base}/redirect`), spec, policy())).kind, "retry");
    const elsewhere = await resolveJobInput(job(`${base}/input`), spec, {
      allowedHosts: ["inputs.example"],
      timeoutMs: 2_000,
    });
    assert.deepEqual(elsewhere, { kind: "refused", reason: `input host ${host} is not in the allowed input hosts` });
    const allowed = await resolveJobInput(job(`${base}/input`), spec, { allowedHosts: [host], timeoutMs: 2_000 });
    assert.equal(allowed.kind, "ok");
  });
});
