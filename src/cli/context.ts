/** Where the CLI writes; tests pass their own to capture output in-process. */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

export const PROCESS_IO: CliIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
};

/** What every command gets: the output streams and a way to set the exit code. */
export interface CommandContext {
  readonly io: CliIo;
  readonly setExit: (code: number) => void;
}
