/** The job input does not fit the model's input spec (dtype, shape, element range). */
export class InputMismatchError extends Error {
  override readonly name = "InputMismatchError";
  readonly code = "INPUT_MISMATCH";
}

export type ExecutionErrorCode = "SESSION_FAILED" | "RUN_FAILED" | "OUTPUT_MISMATCH";

/** onnxruntime failed, or returned something other than what the loader inferred (a loader or runtime bug). */
export class ExecutionError extends Error {
  override readonly name = "ExecutionError";
  constructor(
    readonly code: ExecutionErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
