import { Command } from "commander";
import { addConfigOptions, ConfigError, envOnlyHelp, parseConfig, type ConfigOf, type FieldTable } from "./config.ts";
import { describeError, ExitCode } from "../cli/errors.ts";

/**
 * A daemon subcommand: its flags come from a field table (config.ts); the action
 * reads the configuration and runs the daemon until it stops. A bad configuration
 * prints one `refute: config: <field>: <problem>` line per bad value and exits 2; any other
 * error the operator can fix (describeError) is one `refute: <code>: <problem>: <fix>` line, exit 2.
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
      // cmd.error writes through the program's configured output (tests capture it) and
      // throws a CommanderError, which `refute` turns into exit code 2.
      if (e instanceof ConfigError) cmd.error(e.lines().join("\n"), { exitCode: 2, code: "refute.config" });
      // Start-up errors the operator can fix (StartupError, an unfunded key, an unreachable
      // RPC, missing artifacts…) are one line and exit 2, as for every command (cli/errors.ts).
      const { line, exitCode } = describeError(e);
      if (exitCode === ExitCode.REJECTED) cmd.error(line, { exitCode, code: "refute.startup" });
      throw e;
    }
  });
  return cmd;
}
