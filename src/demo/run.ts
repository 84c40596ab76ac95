/**
 * `npm run demo`: the whole protocol on one machine. An embedded anvil, the protocol
 * deployed and the shipped model registered with short windows; an honest provider, a
 * cheating provider and a watcher started as real processes (`refute provide`,
 * `refute watch`); a workload of real Fashion-MNIST test images; a live progress line;
 * then the report (src/demo/report.ts), written to `<out>/demo-report.json`.
 */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { addressOf } from "./accounts.ts";
import { setUpChain, type DemoChain } from "./chain.ts";
import { collectClaims, renderClaims } from "./claims.ts";
import type { DaemonProcess } from "./daemonProcess.ts";
import { providerArgs, startDaemon, waitForStake, watcherArgs } from "./daemons.ts";
import { allResolved, progressLine, progressOf, snapshot, type ChainSnapshot } from "./monitor.ts";
import type { DemoOptions } from "./options.ts";
import { buildReport, renderReport, type DemoReport } from "./report.ts";
import { planWorkload, sendWorkload, type SentJob } from "./workload.ts";

export interface DemoIo {
  /** The story (setup lines, the report). */
  readonly out: (text: string) => void;
  /** The progress line; `live` rewrites one terminal line, otherwise a line every few seconds. */
  readonly progress: (line: string) => void;
  readonly live: boolean;
}

export interface DemoResult {
  readonly report: DemoReport;
  readonly reportFile: string;
}

/** Runs the demo; resolves with the report (storyHeld says whether it held). */
export async function runDemo(o: DemoOptions, io: DemoIo): Promise<DemoResult> {
  const started = Date.now();
  const elapsed = () => (Date.now() - started) / 1000;
  const outDir = resolve(o.outDir);
  const work = join(outDir, "demo");
  rmSync(work, { recursive: true, force: true });
  mkdirSync(join(work, "logs"), { recursive: true });
  const say = (line: string) => io.out(`${line}\n`);

  say(`refute demo: ${o.jobs} jobs, cheat rate ${o.cheatRate}, sampling rate ${o.samplingRate}, seed ${o.seed}`);
  const chain = await setUpChain({
    dir: work,
    challengeWindow: o.challengeWindow,
    responseWindow: o.responseWindow,
    log: say,
  });
  const daemons: DaemonProcess[] = [];
  const stopAll = async () => {
    await Promise.all(daemons.map((d) => d.stop()));
    await chain.stop();
  };
  const onSignal = () => {
    void stopAll().then(() => process.exit(130));
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  try {
    const honest = startDaemon(
      chain,
      work,
      "honest-provider",
      "honestProvider",
      providerArgs(chain, work, "honest", ["--requester", addressOf("requester")]),
    );
    const cheater = startDaemon(
      chain,
      work,
      "cheating-provider",
      "cheatingProvider",
      providerArgs(chain, work, "cheater", [
        "--requester",
        addressOf("secondRequester"),
        "--fault",
        o.faults.join(","),
        "--fault-rate",
        "1",
        "--fault-seed",
        String(o.seed),
      ]),
    );
    const watcher = startDaemon(chain, work, "watcher", "watcher", watcherArgs(chain, work, o.samplingRate));
    daemons.push(honest, cheater, watcher);
    say(
      `started honest provider, cheating provider (faults: ${o.faults.join(", ")}) and watcher; logs in ${join(work, "logs")}`,
    );
    await Promise.all([
      honest.waitFor((l) => l.msg === "trace server listening", 120_000, "the honest provider starting"),
      cheater.waitFor((l) => l.msg === "trace server listening", 120_000, "the cheating provider starting"),
      watcher.waitFor((l) => l.msg === "watcher starting", 120_000, "the watcher starting"),
    ]);

    // Providers stake at start (--stake). A commit before the deposit lands would only be
    // retried, but the requests should start when both providers can take them.
    await Promise.all([
      waitForStake(chain, "honestProvider", honest),
      waitForStake(chain, "cheatingProvider", cheater),
    ]);

    const plan = planWorkload(o.jobs, o.cheatRate, o.seed);
    say(
      `requesting ${plan.length} jobs on Fashion-MNIST test images (${plan.filter((j) => j.route === "cheater").length} go to the cheating provider)`,
    );
    const jobs = await sendWorkload({
      plan,
      compiled: chain.compiled,
      modelId: chain.modelId,
      honestRequester: await chain.client("requester"),
      cheatedRequester: await chain.client("secondRequester"),
      commitWindowSec: 300n,
      paceMs: 250,
    });

    const last = await follow(chain, jobs, daemons, o, io, elapsed);
    if (!allResolved(last)) say(`\ngave up after ${o.timeoutSec} s with jobs unresolved`);
    say("\nreplaying every job from chain data for the report…");
    const report = await buildReport({
      client: chain.public,
      addresses: chain.addresses,
      deployBlock: chain.deployBlock,
      jobs,
      watcherLog: watcher.lines,
      cheaterLog: cheater.lines,
      options: o,
      elapsedSec: elapsed(),
    });
    const reportFile = join(outDir, "demo-report.json");
    writeFileSync(reportFile, `${JSON.stringify(report, null, 2)}\n`);
    io.out(`\n${renderReport(report)}`);

    // The daemons withdraw their own payouts as they run: stopped first, so that what each
    // party has left is read once and withdrawn once, here, with no withdraw racing it.
    await Promise.all(daemons.map((d) => d.stop()));
    const claims = await collectClaims({
      client: chain.public,
      addresses: chain.addresses,
      deployBlock: chain.deployBlock,
      signer: chain.client,
    });
    io.out(`\n${renderClaims(claims)}`);
    const withClaims: DemoReport = { ...report, claims };
    writeFileSync(reportFile, `${JSON.stringify(withClaims, null, 2)}\n`);
    say(`report: ${reportFile}`);
    return { report: withClaims, reportFile };
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    await stopAll();
  }
}

/** Polls the chain until every job resolved (or the timeout), printing progress. */
async function follow(
  chain: DemoChain,
  jobs: readonly SentJob[],
  daemons: readonly DaemonProcess[],
  o: DemoOptions,
  io: DemoIo,
  elapsed: () => number,
): Promise<ChainSnapshot> {
  const ids = jobs.map((j) => j.jobId);
  let lastPrinted = 0;
  for (;;) {
    const s = await snapshot(chain.public, chain.addresses, ids, chain.deployBlock);
    const line = progressLine(progressOf(s), elapsed());
    const done = allResolved(s);
    if (io.live) io.progress(`\r${line}\x1b[K${done ? "\n" : ""}`);
    else if (done || elapsed() - lastPrinted >= 5) {
      io.progress(`${line}\n`);
      lastPrinted = elapsed();
    }
    if (done) return s;
    const dead = daemons.find((d) => !d.running);
    if (dead !== undefined) throw new Error(`${dead.name} exited\n${dead.tail()}`);
    if (elapsed() > o.timeoutSec) {
      if (io.live) io.progress("\n");
      return s;
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
}
