/** The operand commitments, the claim or the descriptor do not fit a float32 one-step proof. */
export class FloatStepProofError extends Error {
  override readonly name = "FloatStepProofError";
  readonly shortMessage: string;
  readonly details?: string;
  constructor(shortMessage: string, options: { details?: string; cause?: unknown } = {}) {
    super(options.details ? `${shortMessage}\n\nDetails: ${options.details}` : shortMessage, { cause: options.cause });
    this.shortMessage = shortMessage;
    this.details = options.details;
  }
}
