/**
 * `refute dev`: a local chain to develop against, kept running until Ctrl-C. The
 * demo's chain (src/demo/chain.ts) on a fixed loopback port, its deployment written
 * where `--network local` finds it, funded accounts, and the demo's provider and
 * watcher (src/demo/daemons.ts) as real child processes; then what to use and how to
 * submit a job. The chain and the daemons run in their own process groups, so a
 * terminal's Ctrl-C reaches only this process, which stops the daemons first and the
 * chain last (a second signal kills everything at once).
 */
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { addressOf, keyOf, type Role } from "./accounts.ts";
import { FUNDED_TOKENS, IMAGES_FILE, MODEL_FILE, setUpChain, TOKEN, type DemoChain } from "./chain.ts";
import type { DaemonProcess, LogLine } from "./daemonProcess.ts";
import { providerArgs, STAKE, startDaemon, waitForStake, watcherArgs } from "./daemons.ts";
import { UsageError } from "../cli/errors.ts";
import { deploymentPath } from "../deployments/load.ts";

export const DEV_NETWORK = "local";
export const DEV_PORT = 8545;
/** The line `refute dev` prints once everything is up. */
export const READY_LINE = "refute dev: ready";

export interface DevOptions {
  readonly port: number;
  /** Logs and the daemons' databases; emptied at start. */
  readonly dir: string;
  readonly deploymentFile: string;
  readonly challengeWindow: number;
  readonly responseWindow: number;
  /** Start a provider / a watcher (off to run one of your own instead). */
  readonly provider: boolean;
  readonly watcher: boolean;
}

export interface DevIo {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

/** Who `refute dev` funds, and what for (the order of the printout). */
const FUNDED: readonly { role: Role; label: string; note: (o: DevOptions) => string }[] = [
  { role: "requester", label: "requester", note: () => "sign your requests with this key" },
  {
    role: "honestProvider",
    label: "provider",
    note: (o) => (o.provider ? `the provider above, staked ${STAKE / TOKEN}` : "unused (--no-provider)"),
  },
  {
    role: "watcher",
    label: "watcher",
    note: (o) => (o.watcher ? "the watcher above" : "unused (--no-watcher)"),
  },
  { role: "ownProvider", label: "spare", note: () => "for a provider of your own" },
  { role: "ownWatcher", label: "spare", note: () => "for a watcher of your own" },
];

/** Provider and watcher log messages worth a line on the console. */
const NOTABLE = new Set([
  "job requested",
  "job committed",
  "job finalized",
  "job slashed",
  "depositing stake",
  "job MISMATCH: challenging",
  "challenge committed",
  "one-step proof sent",
  "bond lost",
]);

const MARKER = ".refute-dev";

/** Empties `dir` for a fresh session; refuses a non-empty folder `refute dev` did not make. */
function prepareDir(dir: string): void {
  if (existsSync(dir) && readdirSync(dir).length > 0 && !existsSync(join(dir, MARKER)))
    throw new UsageError("BAD_FLAG", `--dir ${dir} is not empty and was not made by refute dev; pick another folder`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, "logs"), { recursive: true });
  writeFileSync(join(dir, MARKER), "state of `refute dev`: emptied each time it starts\n");
}

/** Runs until SIGINT/SIGTERM/SIGHUP (0) or until a daemon dies (1). */
export async function runDev(o: DevOptions, io: DevIo): Promise<number> {
  prepareDir(o.dir);
  const say = (line: string) => io.out(`${line}\n`);
  let chain: DemoChain | undefined;
  const daemons: DaemonProcess[] = [];
  const killAll = () => {
    for (const d of daemons) d.kill("SIGKILL");
    if (chain?.anvil.process.exitCode === null) chain.anvil.process.kill("SIGKILL");
  };
  let signals = 0;
  let onStop: () => void = () => {};
  const stopRequested = new Promise<"signal">((resolve) => (onStop = () => resolve("signal")));
  const onSignal = (sig: NodeJS.Signals) => {
    signals += 1;
    if (signals === 1) {
      io.err(`\nrefute dev: ${sig}: stopping the daemons, then the chain (again to kill at once)\n`);
      onStop();
    } else {
      killAll();
      process.exit(130);
    }
  };
  const signalNames = ["SIGINT", "SIGTERM", "SIGHUP"] as const;
  for (const s of signalNames) process.on(s, onSignal);
  // Children in their own process groups outlive an unexpected exit: never leave them behind.
  process.on("exit", killAll);
  try {
    say(`refute dev: anvil on 127.0.0.1:${o.port}, the protocol and fmnist-mlp, a provider and a watcher`);
    chain = await setUpChain({
      dir: o.dir,
      port: o.port,
      network: DEV_NETWORK,
      deploymentFile: o.deploymentFile,
      challengeWindow: o.challengeWindow,
      responseWindow: o.responseWindow,
      funded: FUNDED.map((f) => f.role),
      requesters: ["requester"],
      detached: true,
      log: say,
    });
    if (signals > 0) return 0;
    const c = chain;
    const echo = (name: string) => (l: LogLine) => {
      const level = typeof l["level"] === "number" ? l["level"] : 0;
      if (l.msg === undefined || (!NOTABLE.has(l.msg) && level < 50)) return;
      const fields = ["jobId", "challenge", "amount", "err"]
        .filter((k) => l[k] !== undefined)
        .map((k) => `${k}=${String(l[k])}`);
      say(`[${name}] ${level >= 50 ? "error: " : ""}${l.msg}${fields.length > 0 ? ` ${fields.join(" ")}` : ""}`);
    };
    const opts = (name: string) => ({ detached: true, onLine: echo(name) });
    const metrics = ["--metrics-port", "0"];
    const provider = o.provider
      ? startDaemon(
          c,
          o.dir,
          "provider",
          "honestProvider",
          providerArgs(c, o.dir, "provider", metrics),
          opts("provider"),
        )
      : undefined;
    const watcher = o.watcher
      ? startDaemon(c, o.dir, "watcher", "watcher", watcherArgs(c, o.dir, 1, metrics), opts("watcher"))
      : undefined;
    for (const d of [provider, watcher]) if (d !== undefined) daemons.push(d);

    const portOf = async (d: DaemonProcess | undefined, msg: string) =>
      d === undefined ? undefined : Number((await d.waitFor((l) => l.msg === msg, 120_000, msg))["port"]);
    const ready = Promise.all([
      portOf(provider, "trace server listening"),
      portOf(watcher, "metrics listening"),
      provider !== undefined ? waitForStake(c, "honestProvider", provider) : undefined,
    ]);
    ready.catch(() => {});
    const first = await Promise.race([ready, stopRequested]);
    if (first === "signal") return 0;
    const [tracePort, metricsPort] = first;

    // Paths under the working directory relative to it (as typed), others absolute.
    const here = (p: string) => {
      const r = relative(process.cwd(), p);
      return r === "" || r.startsWith("..") ? p : r;
    };
    const defaultFile = o.deploymentFile === deploymentPath(DEV_NETWORK);
    const network = defaultFile
      ? `--network ${DEV_NETWORK}`
      : `--network ${DEV_NETWORK} --deployment ${here(o.deploymentFile)}`;
    const w = o.challengeWindow;
    const lines = [
      "",
      READY_LINE,
      `  rpc         ${c.anvil.rpcUrl} (chain 31337, a block a second)`,
      `  deployment  ${o.deploymentFile}`,
      `  token       ${c.addresses.token} (TestToken: anyone can mint)`,
      `  model       ${c.modelId} (${here(MODEL_FILE)}; challenge window ${w} s, response window ${o.responseWindow} s)`,
    ];
    if (provider !== undefined)
      lines.push(
        `  provider    pid ${provider.pid}, http://127.0.0.1:${tracePort}/health, log ${here(join(o.dir, "logs", "provider.log"))}`,
      );
    if (watcher !== undefined)
      lines.push(
        `  watcher     pid ${watcher.pid}, http://127.0.0.1:${metricsPort}/metrics, log ${here(join(o.dir, "logs", "watcher.log"))}`,
      );
    lines.push(
      `  funded accounts (anvil's public test keys: 10000 ETH and ${FUNDED_TOKENS / TOKEN} tokens each):`,
      ...FUNDED.map((f) => `    ${f.label.padEnd(10)} ${addressOf(f.role)}  key ${keyOf(f.role)}  ${f.note(o)}`),
      "",
      "submit a job from another terminal:",
      `  REFUTE_RPC_URL=${c.anvil.rpcUrl} REFUTE_PRIVATE_KEY=${keyOf("requester")} npx refute request ${network} ` +
        `--model ${c.modelId} --input ${here(IMAGES_FILE)} --index 0 --wait`,
      "",
      "Ctrl-C stops the daemons, then the chain.",
    );
    say(lines.join("\n"));

    const died = daemons.map((d) => d.exited.then(() => d));
    const ended = await Promise.race([stopRequested, ...died]);
    if (ended === "signal") return 0;
    io.err(`refute dev: ${ended.name} exited; stopping\n${ended.tail()}\n`);
    return 1;
  } finally {
    await Promise.all(daemons.map((d) => d.stop()));
    await chain?.stop();
    for (const s of signalNames) process.off(s, onSignal);
    process.off("exit", killAll);
    if (signals > 0) say("refute dev: stopped");
  }
}
