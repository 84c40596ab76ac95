/**
 * docs/DAEMONS.md "Running locally" runs as written: its ```sh blocks are taken from
 * the file and run through bash, in order, against the real processes they start.
 *
 * What differs from a developer's terminal, and nothing else: the working directory is
 * a scratch folder holding `node_modules/.bin/refute` (so `npx refute` finds this
 * checkout's CLI, offline) and a link to `models/`; `REFUTE_DEPLOYMENTS_DIR` points
 * `deployments/` there too; and port 8545 is a free port (`refute dev` gets `--port`).
 * Long-running blocks (`refute dev`, `refute provide`, `refute watch`) run in their own
 * process group, as in a terminal, and are stopped with SIGINT to that group (Ctrl-C).
 */
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { freePort } from "../../src/chain/anvil.ts";
import { REFUTE_BIN, REPO } from "../../src/demo/daemonProcess.ts";

/** The ```sh blocks of the "## Running locally" section, in order. */
export function runningLocallyBlocks(markdown: string): string[] {
  const start = markdown.indexOf("\n## Running locally\n");
  assert.ok(start >= 0, 'docs/DAEMONS.md has no "## Running locally" section');
  const rest = markdown.slice(start + 1);
  const next = rest.indexOf("\n## ", 3);
  const section = next >= 0 ? rest.slice(0, next) : rest;
  return [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => (m[1] ?? "").trim());
}

class Shell {
  out = "";
  readonly exited: Promise<number | null>;
  private readonly child: ChildProcess;

  constructor(
    readonly script: string,
    cwd: string,
    env: NodeJS.ProcessEnv,
  ) {
    this.child = spawn("bash", ["-c", `set -e\n${script}`], {
      cwd,
      env,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.child.stdout?.on("data", (d: Buffer) => (this.out += d.toString()));
    this.child.stderr?.on("data", (d: Buffer) => (this.out += d.toString()));
    this.exited = new Promise((resolve) => this.child.once("exit", (code) => resolve(code)));
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  async waitFor(text: string | RegExp, ms: number): Promise<void> {
    const deadline = Date.now() + ms;
    const hit = () => (typeof text === "string" ? this.out.includes(text) : text.test(this.out));
    while (!hit()) {
      if (!this.running) throw new Error(`exited before ${String(text)}:\n${this.script}\n${this.out}`);
      if (Date.now() > deadline) throw new Error(`no ${String(text)} within ${ms} ms:\n${this.script}\n${this.out}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  /** Ctrl-C: SIGINT to the process group; SIGKILL to it after `graceMs`. */
  async interrupt(graceMs = 60_000): Promise<void> {
    const pid = this.child.pid;
    if (pid === undefined) return;
    const group = (sig: NodeJS.Signals) => {
      try {
        process.kill(-pid, sig);
      } catch {
        // gone
      }
    };
    group("SIGINT");
    const t = setTimeout(() => group("SIGKILL"), graceMs);
    await this.exited;
    clearTimeout(t);
  }
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, "127.0.0.1");
    s.once("connect", () => (s.destroy(), resolve(true)));
    s.once("error", () => resolve(false));
  });
}

describe('docs/DAEMONS.md "Running locally"', { timeout: 600_000 }, () => {
  const blocks = runningLocallyBlocks(readFileSync(join(REPO, "docs", "DAEMONS.md"), "utf8"));
  const scratch = mkdtempSync(join(tmpdir(), "refute-docs-"));
  const shells: Shell[] = [];
  let port = 0;
  let env: NodeJS.ProcessEnv = {};

  before(async () => {
    mkdirSync(join(scratch, "node_modules", ".bin"), { recursive: true });
    symlinkSync(REFUTE_BIN, join(scratch, "node_modules", ".bin", "refute"));
    symlinkSync(join(REPO, "models"), join(scratch, "models"));
    mkdirSync(join(scratch, "deployments"));
    port = await freePort();
    env = {
      ...process.env,
      REFUTE_DEPLOYMENTS_DIR: join(scratch, "deployments"),
      npm_config_offline: "true",
      npm_config_update_notifier: "false",
    };
    delete env["REFUTE_RPC_URL"];
    delete env["REFUTE_PRIVATE_KEY"];
  });
  after(async () => {
    await Promise.all(shells.map((s) => s.interrupt(5_000)));
    rmSync(scratch, { recursive: true, force: true });
  });

  /** A block as run here: port 8545 is the free port. */
  const adapt = (block: string) =>
    block
      .replaceAll("127.0.0.1:8545", `127.0.0.1:${port}`)
      .replace(/^npx refute dev\b/m, `npx refute dev --port ${port}`);
  const start = (block: string) => {
    const s = new Shell(adapt(block), scratch, env);
    shells.push(s);
    return s;
  };
  const find = (pred: (b: string) => boolean, what: string) => {
    const b = blocks.find(pred);
    assert.ok(b !== undefined, `no block ${what} in the section:\n${blocks.join("\n---\n")}`);
    return b;
  };
  const devBlock = (flag: string) =>
    find((b) => new RegExp(`^npx refute dev${flag}$`).test(b), `running "npx refute dev${flag}"`);
  const requestBlock = () => find((b) => /refute request .*--wait/.test(b), "requesting a job");

  async function stopDev(dev: Shell): Promise<void> {
    await dev.interrupt();
    assert.match(dev.out, /refute dev: stopped/);
    assert.equal(await portOpen(port), false, "the chain's port is closed");
  }

  async function requestAndWait(): Promise<string> {
    const r = start(requestBlock());
    const code = await r.exited;
    assert.equal(code, 0, r.out);
    assert.match(r.out, /status {2}Finalized/);
    return r.out;
  }

  it("the section's blocks are the procedures this test runs", () => {
    assert.equal(blocks.length, 6, blocks.join("\n---\n"));
    for (const b of blocks) assert.doesNotMatch(b, /0x…|<[a-z]+>/, "no placeholders: every command runs as written");
  });

  it("refute dev, then a job requested from another terminal", async () => {
    const dev = start(devBlock(""));
    await dev.waitFor("refute dev: ready", 180_000);
    await requestAndWait();
    await stopDev(dev);
  });

  it("refute dev --no-provider, and a provider of your own (which stakes, then serves the job)", async () => {
    const dev = start(devBlock(" --no-provider"));
    await dev.waitFor("refute dev: ready", 180_000);
    assert.doesNotMatch(dev.out, /^ {2}provider +pid/m);
    const provider = start(find((b) => /refute provide /.test(b), "running a provider"));
    await provider.waitFor('"msg":"depositing stake"', 120_000);
    const out = await requestAndWait();
    const jobId = /jobId {3}(\d+)/.exec(out)?.[1];
    await provider.waitFor(new RegExp(`"jobId":"?${jobId}"?,.*"msg":"job finalized"`), 60_000);
    await provider.interrupt();
    await stopDev(dev);
  });

  it("refute dev --no-watcher, and a watcher of your own (which verifies the job)", async () => {
    const dev = start(devBlock(" --no-watcher"));
    await dev.waitFor("refute dev: ready", 180_000);
    assert.doesNotMatch(dev.out, /^ {2}watcher +pid/m);
    const watcher = start(find((b) => /refute watch /.test(b), "running a watcher"));
    await watcher.waitFor('"msg":"watcher starting"', 120_000);
    const out = await requestAndWait();
    const jobId = /jobId {3}(\d+)/.exec(out)?.[1];
    await watcher.waitFor(new RegExp(`"jobId":"?${jobId}"?,.*"msg":"job verified"`), 60_000);
    const metrics = await (await fetch("http://127.0.0.1:9464/metrics")).text();
    assert.match(metrics, /refute_watcher_jobs_verified/);
    await watcher.interrupt();
    await stopDev(dev);
  });
});
