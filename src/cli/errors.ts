import { ModelValidationError } from "../onnx/errors.ts";
import { ExecutionError, InputMismatchError } from "../trace/errors.ts";

/** A problem with what the user passed (missing file, bad flag value, unreadable input). */
export class UsageError extends Error {
  override readonly name = "UsageError";
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export const ExitCode = {
  OK: 0,
  /** onnxruntime or an internal failure on an accepted model. */
  FAILURE: 1,
  /** A bad model, a bad input or bad arguments. */
  REJECTED: 2,
} as const;

/** The one line printed for an error, and the exit code it maps to. Never a stack trace. */
export function describeError(e: unknown): { line: string; exitCode: number } {
  const flat = (s: string) => s.replace(/\s+/g, " ").trim();
  if (e instanceof ModelValidationError || e instanceof InputMismatchError || e instanceof UsageError) {
    return { line: `refute: ${e.code}: ${flat(e.message)}`, exitCode: ExitCode.REJECTED };
  }
  if (e instanceof ExecutionError) return { line: `refute: ${e.code}: ${flat(e.message)}`, exitCode: ExitCode.FAILURE };
  const message = e instanceof Error ? e.message : String(e);
  return { line: `refute: INTERNAL: ${flat(message)}`, exitCode: ExitCode.FAILURE };
}
