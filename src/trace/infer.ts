import type { CompiledModel } from "../onnx/compile.ts";
import type { Tensor } from "../tensor/tensor.ts";
import { ExecutionError } from "./errors.ts";
import { checkJobInput } from "./input.ts";
import { fromOrtTensor, toOrtTensor } from "./ortTensor.ts";
import { getSession, type SessionOptions } from "./session.ts";

/**
 * Plain inference: the published model, only its output, no roots. The
 * baseline against which the cost of tracing and committing is measured.
 */
export async function infer(compiled: CompiledModel, input: Tensor, options: SessionOptions = {}): Promise<Tensor> {
  const jobInput = checkJobInput(compiled, input);
  const { session } = await getSession(compiled, "plain", options);
  let results: Awaited<ReturnType<typeof session.run>>;
  try {
    results = await session.run({ [compiled.input.name]: toOrtTensor(jobInput) });
  } catch (cause) {
    throw new ExecutionError("RUN_FAILED", `onnxruntime failed to run the model: ${(cause as Error).message}`, {
      cause,
    });
  }
  const value = results[compiled.output.name];
  if (value === undefined)
    throw new ExecutionError("OUTPUT_MISMATCH", `onnxruntime returned no ${compiled.output.name}`);
  return fromOrtTensor(value, compiled.output, "model output");
}
