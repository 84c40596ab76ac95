import { Command, CommanderError } from "commander";
import { PROCESS_IO, type CliIo, type CommandContext } from "./context.ts";
import { describeError, ExitCode } from "./errors.ts";
import { inspectCommand } from "./inspect.ts";
import { runCommand } from "./run.ts";
import { registerEconomicsCommand } from "./economics.ts";
import { deployCommand } from "./deploy.ts";
import { registerCommand } from "./register.ts";
import { replayCommand } from "./replay.ts";
import { requestCommand } from "./request.ts";
import { devCommand } from "./dev.ts";

/** Adds one command (with its subcommands) to the program: how the daemons join the CLI. */
export type RegisterCommand = (program: Command) => void;

/**
 * The `refute` command line. Returns the exit code instead of exiting, so
 * tests can call it in-process; bin/refute.js sets process.exitCode from it.
 * Every failure is one line on stderr, `refute: <code>: <message>` (errors.ts describeError):
 * exit 2 for a bad model, input or argument or an environment the user must fix (RPC,
 * chain, funds, deployment file, artifacts), with the fix in the message; 1 for an internal failure.
 * The daemons (`provide`, `watch`) live outside src/ and are passed in as `daemons`
 * (bin/cli.ts composes the whole program), so the shared core never imports them.
 */
export async function main(
  argv: readonly string[],
  io: CliIo = PROCESS_IO,
  daemons: readonly RegisterCommand[] = [],
): Promise<number> {
  let exitCode: number = ExitCode.OK;
  const ctx: CommandContext = {
    io,
    setExit: (code) => {
      exitCode = code;
    },
  };
  const output = { writeOut: io.stdout, writeErr: io.stderr };
  const program = new Command("refute")
    .description("Refute: optimistic verification of integer ONNX inference")
    .configureOutput(output)
    .exitOverride();
  const model = new Command("model").description("inspect and run models").configureOutput(output).exitOverride();
  model.addCommand(inspectCommand(ctx).configureOutput(output).exitOverride());
  model.addCommand(runCommand(ctx).configureOutput(output).exitOverride());
  model.addCommand(registerCommand(ctx).configureOutput(output).exitOverride());
  program.addCommand(model);
  registerEconomicsCommand(program);
  for (const register of daemons) register(program);
  program.addCommand(deployCommand(ctx).configureOutput(output).exitOverride());
  program.addCommand(replayCommand(ctx).configureOutput(output).exitOverride());
  program.addCommand(requestCommand(ctx).configureOutput(output).exitOverride());
  program.addCommand(devCommand(ctx).configureOutput(output).exitOverride());

  try {
    await program.parseAsync([...argv]);
  } catch (e) {
    if (e instanceof CommanderError) {
      // commander has already printed its one-line message (or the help).
      return e.exitCode === 0 ? ExitCode.OK : ExitCode.REJECTED;
    }
    const { line, exitCode: code } = describeError(e);
    io.stderr(`${line}\n`);
    if (process.env["REFUTE_DEBUG"] === "1" && e instanceof Error) io.stderr(`${e.stack}\n`);
    return code;
  }
  return exitCode;
}
