/**
 * The whole `refute` program: the shared core's commands (src/cli/main.ts) plus the two
 * daemons, which live in provider/ and watcher/ so that src/ never imports them.
 */
import { PROCESS_IO, type CliIo } from "../src/cli/context.ts";
import { main } from "../src/cli/main.ts";
import { registerProvideCommand } from "../provider/command.ts";
import { registerWatchCommand } from "../watcher/command.ts";

export function refute(argv: readonly string[], io: CliIo = PROCESS_IO): Promise<number> {
  return main(argv, io, [registerProvideCommand, registerWatchCommand]);
}
