/**
 * The daemons the demo and `refute dev` run: `refute provide` and `refute watch` as
 * real child processes on the demo chain (src/demo/chain.ts), with short polls and one
 * confirmation for 1 s blocks, logs under `<work>/logs/`, and the wait until a
 * provider's stake is in.
 */
import { join } from "node:path";
import { readStake } from "../chain/read/stake.ts";
import { addressOf, keyOf, type Role } from "./accounts.ts";
import { MODEL_FILE, TOKEN, type DemoChain } from "./chain.ts";
import { DaemonProcess, type DaemonProcessOptions } from "./daemonProcess.ts";

/** What a provider's `--stake` deposits. */
export const STAKE = 5000n * TOKEN;

const COMMON = ["--poll-interval", "300", "--confirmations", "1"];

/** Starts a daemon signing as `role`, its log in `<work>/logs/<name>.log`. */
export function startDaemon(
  chain: DemoChain,
  work: string,
  name: string,
  role: Role,
  args: readonly string[],
  options: Omit<DaemonProcessOptions, "logFile"> = {},
): DaemonProcess {
  return new DaemonProcess(
    name,
    args,
    { REFUTE_RPC_URL: chain.anvil.rpcUrl, REFUTE_PRIVATE_KEY: keyOf(role), REFUTE_LOG_LEVEL: "info" },
    { ...options, logFile: join(work, "logs", `${name}.log`) },
  );
}

/** `refute provide` serving the shipped model, staking STAKE, its database `<work>/<name>.sqlite`. */
export function providerArgs(chain: DemoChain, work: string, name: string, extra: readonly string[]): string[] {
  return [
    "provide",
    "--deployment",
    chain.deploymentFile,
    "--model",
    MODEL_FILE,
    "--db",
    join(work, `${name}.sqlite`),
    "--trace-port",
    "0",
    "--stake",
    STAKE.toString(),
    "--batch-wait",
    "500",
    ...COMMON,
    ...extra,
  ];
}

/** `refute watch` re-executing with the shipped model, its database `<work>/watcher.sqlite`. */
export function watcherArgs(
  chain: DemoChain,
  work: string,
  samplingRate: number,
  extra: readonly string[] = [],
): string[] {
  return [
    "watch",
    "--deployment",
    chain.deploymentFile,
    "--model",
    MODEL_FILE,
    "--db",
    join(work, "watcher.sqlite"),
    "--sampling-rate",
    String(samplingRate),
    "--bump-after",
    "6",
    ...COMMON,
    ...extra,
  ];
}

/** Waits until the provider's free stake reaches what `--stake` deposits. */
export async function waitForStake(
  chain: DemoChain,
  role: Role,
  daemon: DaemonProcess,
  timeoutMs = 120_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { free } = await readStake(chain.public, {
      address: chain.addresses.stakeManager,
      provider: addressOf(role),
    });
    if (free >= STAKE) return;
    if (!daemon.running) throw new Error(`${daemon.name} exited before staking\n${daemon.tail()}`);
    if (Date.now() > deadline) throw new Error(`${daemon.name} did not stake within ${timeoutMs} ms\n${daemon.tail()}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}
