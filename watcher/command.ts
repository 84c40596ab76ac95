import type { Command } from "commander";
import { CRASH_STAGES } from "../src/service/crash.ts";
import { daemonCommand } from "../src/service/command.ts";
import { WATCHER_FIELDS } from "./config.ts";

/** Adds `refute watch` to the program. */
export function registerWatchCommand(program: Command): void {
  program.addCommand(
    daemonCommand({
      name: "watch",
      description:
        "run the watcher daemon: re-execute a random sample of committed jobs and challenge, dispute and win against wrong ones",
      fields: WATCHER_FIELDS,
      epilog:
        "\nPrecedence: flags, then the environment, then the env file. Logs are JSON lines on stdout.\n" +
        `Test hook: REFUTE_CRASH_AT=<${CRASH_STAGES.join("|")}> kills the process (SIGKILL) at that stage.\n` +
        "See docs/DAEMONS.md.\n",
      run: async (config) => {
        const { runWatcher } = await import("./daemon.ts");
        await runWatcher(config);
      },
    })
      .copyInheritedSettings(program)
      .exitOverride(),
  );
}
