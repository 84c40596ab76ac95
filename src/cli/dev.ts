/**
 * `refute dev [--port 8545]`: a local chain with the protocol deployed
 * (deployments/local.json), the shipped model registered with short windows, funded
 * accounts, a provider and a watcher, until Ctrl-C (src/demo/dev.ts).
 */
import { resolve } from "node:path";
import { Command, InvalidArgumentError } from "commander";
import { portIsFree } from "../chain/anvil.ts";
import { buildSolidity } from "../chain/build.ts";
import { DEFAULT_DEMO_OPTIONS } from "../demo/options.ts";
import { DEV_NETWORK, DEV_PORT, runDev } from "../demo/dev.ts";
import { deploymentPath } from "../deployments/load.ts";
import type { CommandContext } from "./context.ts";
import { UsageError } from "./errors.ts";

interface DevFlags {
  readonly port: number;
  readonly deployment?: string;
  readonly dir: string;
  readonly challengeWindow: number;
  readonly responseWindow: number;
  readonly provider: boolean;
  readonly watcher: boolean;
}

function intFlag(min: number, max: number): (v: string) => number {
  return (v) => {
    const n = Number(v);
    if (!/^\d+$/.test(v) || n < min || n > max)
      throw new InvalidArgumentError(`expected a whole number in ${min}…${max}, got ${JSON.stringify(v)}`);
    return n;
  };
}

/** `refute dev`. */
export function devCommand({ io, setExit }: CommandContext): Command {
  const d = DEFAULT_DEMO_OPTIONS;
  return new Command("dev")
    .description(
      "run a local chain to develop against until Ctrl-C: anvil on 127.0.0.1, the protocol deployed " +
        `(deployments/${DEV_NETWORK}.json), the shipped model registered with short windows, funded accounts, ` +
        "a provider and a watcher; prints the RPC, the keys and how to submit a job",
    )
    .option("--port <port>", `anvil's port on 127.0.0.1 (default ${DEV_PORT})`, intFlag(1, 65535), DEV_PORT)
    .option("--deployment <file>", `where to write the deployment (default deployments/${DEV_NETWORK}.json)`)
    .option("--dir <dir>", "logs and daemon databases, emptied at each start", ".data/dev")
    .option(
      "--challenge-window <s>",
      `the model's challenge window, seconds (default ${d.challengeWindow})`,
      intFlag(5, 3600),
      d.challengeWindow,
    )
    .option(
      "--response-window <s>",
      `the model's response window, seconds, at least the deployment's minResponseWindow of 10 (default ${d.responseWindow})`,
      // The local deployment refuses a model below StakeManager.minResponseWindow (10 s).
      intFlag(10, 3600),
      d.responseWindow,
    )
    .option("--no-provider", "start no provider (to run your own)")
    .option("--no-watcher", "start no watcher (to run your own)")
    .action(async (flags: DevFlags) => {
      if (!(await portIsFree(flags.port)))
        throw new UsageError("PORT_IN_USE", `127.0.0.1:${flags.port} is in use; pick another with --port`);
      // Contracts first (a cache hit of a couple of seconds when up to date): deploying
      // reads their bytecode from artifacts/, and a fresh checkout has none.
      if (!(await buildSolidity({ tests: false, log: (line) => io.stdout(`${line}\n`) }))) {
        setExit(1);
        return;
      }
      const code = await runDev(
        {
          port: flags.port,
          dir: resolve(flags.dir),
          deploymentFile: flags.deployment !== undefined ? resolve(flags.deployment) : deploymentPath(DEV_NETWORK),
          challengeWindow: flags.challengeWindow,
          responseWindow: flags.responseWindow,
          provider: flags.provider,
          watcher: flags.watcher,
        },
        { out: io.stdout, err: io.stderr },
      );
      setExit(code);
    });
}
