import type { Command } from "commander";
import { daemonCommand } from "../src/service/command.ts";
import { PROVIDER_FIELDS } from "./config.ts";

/** Adds `refute provide` to the program. */
export function registerProvideCommand(program: Command): void {
  program.addCommand(
    daemonCommand({
      name: "provide",
      description:
        "run the provider daemon: serve jobs of the hosted models (trace, commit, answer disputes, finalize) and serve traces over HTTP",
      fields: PROVIDER_FIELDS,
      epilog:
        "\nPrecedence: flags, then the environment, then the env file. Logs are JSON lines on stdout.\n" +
        "See docs/DAEMONS.md.\n",
      run: async (config) => {
        const { runProvider } = await import("./daemon.ts");
        await runProvider(config);
      },
    })
      .copyInheritedSettings(program)
      .exitOverride(),
  );
}
