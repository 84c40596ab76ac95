/**
 * `refute dev` as a real process: it comes up on a free loopback port, prints a
 * chain that answers, a deployment file, a provider and a watcher that are alive and
 * a requester key that can request a job the provider commits; SIGINT stops it all
 * (exit 0, the chain's port closed, no daemon left).
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import type { Hex } from "viem";
import { freePort } from "../../src/chain/anvil.ts";
import { JobStatus } from "../../src/chain/enums.ts";
import { readJob } from "../../src/chain/read/jobs.ts";
import { connectSigner } from "../../src/cli/network.ts";
import { requestJob } from "../../src/client/calls.ts";
import { send } from "../../src/client/send.ts";
import { READY_LINE } from "../../src/demo/dev.ts";
import { REFUTE_BIN, REPO } from "../../src/demo/daemonProcess.ts";
import { loadDeployment } from "../../src/deployments/load.ts";
import { pack } from "../../src/tensor/packing.ts";
import { imageInput } from "../e2e/harness.ts";

async function until<T>(f: () => Promise<T | undefined> | T | undefined, ms: number, what: string, ctx = () => "") {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms: ${what}\n${ctx()}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, "127.0.0.1");
    s.once("connect", () => (s.destroy(), resolve(true)));
    s.once("error", () => resolve(false));
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe("refute dev", { timeout: 300_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), "refute-dev-"));
  const pids: number[] = [];
  after(() => {
    for (const pid of pids) if (alive(pid)) process.kill(pid, "SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  });

  it("starts a chain, deploys, runs a provider and a watcher, serves a job, and stops cleanly on SIGINT", async () => {
    const port = await freePort();
    const child = spawn(
      process.execPath,
      [REFUTE_BIN, "dev", "--port", String(port), "--dir", join(dir, "dev"), "--deployment", join(dir, "local.json")],
      { cwd: REPO, stdio: ["ignore", "pipe", "pipe"] },
    );
    if (child.pid !== undefined) pids.push(child.pid);
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (out += d.toString()));
    const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
      child.once("exit", (code, signal) => resolve({ code, signal })),
    );
    const ctx = () => out;

    await until(() => (out.includes("Ctrl-C stops") ? true : undefined), 180_000, "the ready output", ctx);
    assert.ok(out.includes(READY_LINE), out);
    const field = (re: RegExp): string => {
      const value = re.exec(out)?.[1];
      assert.ok(value !== undefined, `no ${re} in the output\n${out}`);
      return value;
    };
    const rpc = field(/^ {2}rpc +(\S+)/m);
    const deploymentFile = field(/^ {2}deployment +(\S+)/m);
    const providerPid = Number(field(/^ {2}provider +pid (\d+)/m));
    const health = field(/^ {2}provider +pid \d+, (\S+\/health)/m);
    const watcherPid = Number(field(/^ {2}watcher +pid (\d+)/m));
    const metrics = field(/^ {2}watcher +pid \d+, (\S+\/metrics)/m);
    const requesterKey = field(/^ {4}requester +0x[0-9a-fA-F]{40} +key (0x[0-9a-f]{64})/m) as Hex;
    const modelId = field(/^ {2}model +(0x[0-9a-f]{64})/m) as Hex;
    pids.push(providerPid, watcherPid);
    assert.equal(rpc, `http://127.0.0.1:${port}`);
    assert.match(
      out,
      /REFUTE_PRIVATE_KEY=0x[0-9a-f]{64} npx refute request --network local .*--model 0x[0-9a-f]{64} .*--wait/,
    );

    // The chain answers, the deployment is where it says.
    const res = await fetch(rpc, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }),
    });
    assert.equal(((await res.json()) as { result: string }).result, "0x7a69");
    const deployment = loadDeployment(deploymentFile);
    assert.equal(deployment.chainId, 31337);

    // The daemons are alive and serving.
    assert.ok(alive(providerPid) && alive(watcherPid));
    assert.deepEqual(await (await fetch(health)).json(), { ok: true });
    const m = await (await fetch(metrics)).text();
    assert.match(m, /refute_watcher_head/);

    // A job from the printed requester key is committed by the provider.
    const signer = await connectSigner(rpc, requesterKey, "local");
    const client = { public: signer.public, wallet: signer.wallet, addresses: deployment.addresses };
    const compiled = (await import("../../src/onnx/compile.ts")).compileModel(
      new Uint8Array((await import("node:fs")).readFileSync(join(REPO, "models", "fmnist-mlp.onnx"))),
    );
    const now = (await signer.public.getBlock()).timestamp;
    const { receipt } = await send(
      client,
      requestJob(deployment.addresses, {
        modelId,
        input: pack(imageInput(compiled, 0)),
        fee: 10n ** 18n,
        commitDeadline: now + 120n,
      }),
    );
    const log = receipt.logs.find((l) => l.address.toLowerCase() === deployment.addresses.jobManager.toLowerCase());
    const jobId = BigInt(log?.topics[1] ?? "0x0");
    await until(
      async () => {
        const job = await readJob(signer.public, { address: deployment.addresses.jobManager, jobId });
        return job.status === JobStatus.Committed ? true : undefined;
      },
      90_000,
      `job ${jobId} committed`,
      ctx,
    );
    await until(
      () => (out.includes(`[provider] job committed jobId=${jobId}`) ? true : undefined),
      10_000,
      "echo",
      ctx,
    );

    // Ctrl-C: everything stops, exit 0.
    child.kill("SIGINT");
    const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
    const { code, signal } = await exited;
    clearTimeout(timer);
    assert.deepEqual({ code, signal }, { code: 0, signal: null }, out);
    assert.match(out, /refute dev: stopped/);
    assert.equal(await portOpen(port), false, "the chain's port is closed");
    assert.equal(alive(providerPid), false, "the provider is gone");
    assert.equal(alive(watcherPid), false, "the watcher is gone");
  });
});
