import { Command, CommanderError } from "commander";
import { addConfigOptions, ConfigError, envOnlyHelp, parseConfig, type ConfigOf, type FieldTable } from "./config.ts";
import { StartupError } from "./runtime.ts";

/**
 * A daemon subcommand: its flags come from a field table (config.ts); the action
 * reads the configuration and runs the daemon until it stops. A bad configuration
 * prints one `refute: config: <field>: <problem>` line per bad value and exits 2.
 */
export function daemonCommand<F extends FieldTable>(p: {
  readonly name: string;
  readonly description: string;
  readonly fields: F;
  /** Extra help text (after the options). */
  readonly epilog?: string;
  /** Cross-field validation and the run; may throw ConfigError. */
  readonly run: (config: ConfigOf<F>) => Promise<void>;
}): Command {
  const cmd = new Command(p.name).description(p.description);
  cmd.option("--env-file <path>", "dotenv file to read REFUTE_* values from (default .env, if present)");
  addConfigOptions(cmd, p.fields);
  cmd.addHelpText("after", `${envOnlyHelp(p.fields)}${p.epilog ?? ""}`);
  cmd.action(async (opts: Record<string, unknown>) => {
    const envFile = typeof opts["envFile"] === "string" ? opts["envFile"] : process.env["REFUTE_ENV_FILE"];
    try {
      const config = parseConfig(p.fields, {
        flags: opts,
        env: process.env,
        envFile: { path: envFile ?? ".env", required: envFile !== undefined },
      });
      await p.run(config);
    } catch (e) {
      if (e instanceof ConfigError) {
        for (const line of e.lines()) console.error(line);
        throw new CommanderError(2, "refute.config", "invalid configuration");
      }
      if (e instanceof StartupError) {
        console.error(`refute: ${e.code}: ${e.message}`);
        throw new CommanderError(2, "refute.startup", e.message);
      }
      throw e;
    }
  });
  return cmd;
}
