/**
 * Fetching a provider's trace (watcher/float/fetch.ts) from a local server on 127.0.0.1:
 * a body over the cap is cut off and not fetched again, a server that stalls past the
 * timeout and one that answers an error are tried the bounded number of times and then
 * reported unavailable. Where trace servers are (watcher/float/servers.ts, the
 * --trace-server flags): per provider, a default, and the input-host rule for hosts.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ConfigError, parseConfig } from "../../src/service/config.ts";
import { WATCHER_FIELDS } from "../../watcher/config.ts";
import { fetchTrace } from "../../watcher/float/fetch.ts";
import { TraceServers } from "../../watcher/float/servers.ts";
import { startTestServer, type TestServer } from "./floatTraces.ts";

const PROVIDER = "0x00000000000000000000000000000000000000cc";
const KEY = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";

describe("fetching a served trace", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());
  const url = (path: string) => new URL(path, server.url);

  it("returns the body within the cap", async () => {
    server.routes.set("/ok", { status: 200, body: '{"nodes":[]}' });
    const r = await fetchTrace(url("/ok"), 100, { timeoutMs: 2000, attempts: 3, backoffMs: 1 });
    assert.equal(r.kind, "ok");
    assert.equal(new TextDecoder().decode(r.kind === "ok" ? r.body : undefined), '{"nodes":[]}');
  });

  it("cuts off a body over the cap, once: it would be as large again", async () => {
    server.routes.set("/big", { status: 200, body: "x".repeat(5000) });
    const r = await fetchTrace(url("/big"), 4096, { timeoutMs: 2000, attempts: 3, backoffMs: 1 });
    assert.equal(r.kind, "oversized");
    assert.match(r.kind === "oversized" ? r.reason : "", /more than the 4096 bytes/);
    assert.equal(server.hits.get("/big"), 1);
  });

  it("gives up on a server that stalls past the timeout after the bounded tries", async () => {
    server.routes.set("/stall", { stall: true });
    const r = await fetchTrace(url("/stall"), 4096, { timeoutMs: 150, attempts: 2, backoffMs: 1 });
    assert.equal(r.kind, "unavailable");
    assert.match(r.kind === "unavailable" ? r.reason : "", /\/stall: .*(timeout|aborted)/i);
    assert.equal(server.hits.get("/stall"), 2);
  });

  it("tries an HTTP error again, then reports it", async () => {
    const r = await fetchTrace(url("/jobs/9/trace"), 4096, { timeoutMs: 2000, attempts: 3, backoffMs: 1 });
    assert.equal(r.kind, "unavailable");
    assert.match(r.kind === "unavailable" ? r.reason : "", /\/jobs\/9\/trace: HTTP 404$/);
    assert.equal(server.hits.get("/jobs/9/trace"), 3);
  });
});

describe("where trace servers are", () => {
  const config = (flags: Record<string, unknown>, env: NodeJS.ProcessEnv = {}) =>
    parseConfig(WATCHER_FIELDS, {
      flags: { rpcUrl: ["http://127.0.0.1:8545"], ...flags },
      env: { REFUTE_PRIVATE_KEY: KEY, ...env },
    });

  it("maps each provider to its server, and others to the default", () => {
    const cfg = config({
      traceServer: [`${PROVIDER.toUpperCase().replace("0X", "0x")}=http://127.0.0.1:7311`],
      traceServerDefault: "http://localhost:7400/base/",
    });
    const servers = new TraceServers(cfg);
    assert.equal(servers.traceUrl(PROVIDER, 12n)?.href, "http://127.0.0.1:7311/jobs/12/trace");
    assert.equal(servers.traceUrl(`0x${"dd".repeat(20)}`, 3n)?.href, "http://localhost:7400/base/jobs/3/trace");
    assert.equal(new TraceServers(config({})).traceUrl(PROVIDER, 1n), undefined);
  });

  it("reads the map from the environment, comma-separated", () => {
    const cfg = config(
      {},
      { REFUTE_TRACE_SERVERS: `${PROVIDER}=http://127.0.0.1:1,0x${"dd".repeat(20)}=http://127.0.0.1:2` },
    );
    assert.equal(cfg.traceServers.size, 2);
  });

  it("refuses an entry that is not <address>=<url>, a URL that is not http(s), or an address given twice", () => {
    const issue = (flags: Record<string, unknown>) => {
      try {
        config(flags);
      } catch (e) {
        assert.ok(e instanceof ConfigError);
        return e.issues.map((i) => `${i.field}: ${i.message}`).join("; ");
      }
      return "";
    };
    assert.match(issue({ traceServer: ["http://127.0.0.1:1"] }), /traceServers: .* is not <address>=<url>/);
    assert.match(
      issue({ traceServer: ["0x12=http://127.0.0.1:1"] }),
      /is not <address>=<url> with a 20-byte hex address/,
    );
    assert.match(issue({ traceServer: [`${PROVIDER}=file:///etc/passwd`] }), /is not an http\(s\) URL/);
    assert.match(issue({ traceServer: [`${PROVIDER}=http://a:1`, `${PROVIDER}=http://b:1`] }), /given twice/);
    assert.match(issue({ traceServerDefault: "ftp://x" }), /traceServerDefault: .* is not an http\(s\) URL/);
  });

  it("takes a host that is loopback or an allowed input host, and refuses any other once input hosts are limited", () => {
    const remote = { traceServer: [`${PROVIDER}=http://traces.example:7311`] };
    assert.doesNotThrow(() => new TraceServers(config(remote)), "no input-host list: any host");
    assert.doesNotThrow(() => new TraceServers(config({ ...remote, inputHost: ["traces.example"] })));
    assert.throws(
      () => new TraceServers(config({ ...remote, inputHost: ["inputs.example"] })),
      (e: unknown) =>
        e instanceof ConfigError &&
        /traces\.example:7311 is neither loopback nor an allowed input host/.test(e.issues[0]?.message ?? ""),
    );
    assert.doesNotThrow(
      () => new TraceServers(config({ traceServerDefault: "http://127.0.0.1:7311", inputHost: ["inputs.example"] })),
    );
  });
});
