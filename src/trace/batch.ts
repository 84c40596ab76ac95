import * as ort from "onnxruntime-node";
import type { CompiledModel } from "../onnx/compile.ts";
import { allocate, Tensor } from "../tensor/tensor.ts";
import { dtypeInfo } from "../tensor/dtype.ts";
import { elementCount, Layout } from "../tensor/spec.ts";
import { batchability } from "./batchable.ts";
import { ExecutionError } from "./errors.ts";
import { infer } from "./infer.ts";
import { checkJobInput } from "./input.ts";
import { ORT_TYPE } from "./ortTensor.ts";
import { getSession, type SessionOptions } from "./session.ts";
import type { ExecutionProviderName } from "./sessionOptions.ts";

/**
 * Elements of the job input, output and every node output together that one
 * batched run may hold: a bound on what a run allocates, whatever the batch size
 * asked for (a batch that would hold more runs as several calls).
 */
export const MAX_BATCH_ELEMENTS = 1 << 24;

/**
 * Plain inference of many jobs: their outputs, in order, exactly as `infer` gives
 * them one by one. A model that batchable.ts accepts runs its jobs stacked along
 * dimension 0, as many per onnxruntime call as MAX_BATCH_ELEMENTS allows (one call
 * costs far more than one job's arithmetic on a small model); any other model runs
 * one call per job.
 */
export async function inferBatch(
  compiled: CompiledModel,
  inputs: readonly Tensor[],
  options: SessionOptions = {},
): Promise<Tensor[]> {
  return (await runBatch(compiled, inputs, options)).outputs;
}

export interface BatchRun {
  /** Per job, in order, its output. */
  readonly outputs: Tensor[];
  /** Whether the jobs ran stacked (the model passed batchable.ts), or one call each. */
  readonly batched: boolean;
  /** The provider onnxruntime actually used (after any CUDA fallback). */
  readonly provider: ExecutionProviderName;
}

/** `inferBatch`, saying how the jobs ran. */
export async function runBatch(
  compiled: CompiledModel,
  inputs: readonly Tensor[],
  options: SessionOptions = {},
): Promise<BatchRun> {
  if (inputs.length === 0) throw new RangeError("a batch needs at least one input");
  const jobInputs = inputs.map((x) => checkJobInput(compiled, x));
  if (!batchability(compiled).ok) {
    const { provider } = await getSession(compiled, "plain", options);
    const outputs: Tensor[] = [];
    for (const x of jobInputs) outputs.push(await infer(compiled, x, options));
    return { outputs, batched: false, provider };
  }
  const { session, provider } = await getSession(compiled, "batch", options);
  const per = maxJobsPerRun(compiled);
  const outputs: Tensor[] = [];
  for (let from = 0; from < jobInputs.length; from += per) {
    outputs.push(...(await runStacked(compiled, session, jobInputs.slice(from, from + per))));
  }
  return { outputs, batched: true, provider };
}

/** How many jobs one batched run takes, from the elements one job's run holds. */
export function maxJobsPerRun(compiled: CompiledModel): number {
  let perJob = elementCount(compiled.input.shape);
  for (const node of compiled.nodes) perJob += elementCount(node.output.shape);
  return Math.max(1, Math.floor(MAX_BATCH_ELEMENTS / perJob));
}

async function runStacked(
  compiled: CompiledModel,
  session: ort.InferenceSession,
  inputs: readonly Tensor[],
): Promise<Tensor[]> {
  const n = inputs.length;
  const inSpec = compiled.input;
  const inCount = elementCount(inSpec.shape);
  const stacked = allocate(inSpec.dtype, n * inCount);
  inputs.forEach((x, k) => stacked.set(x.data as never, k * inCount));
  let results: Awaited<ReturnType<typeof session.run>>;
  try {
    results = await session.run({
      [inSpec.name]: new ort.Tensor(ORT_TYPE[inSpec.dtype], stacked, [n, ...inSpec.shape.slice(1)]),
    });
  } catch (cause) {
    throw new ExecutionError("RUN_FAILED", `onnxruntime failed to run the model: ${(cause as Error).message}`, {
      cause,
    });
  }
  const value = results[compiled.output.name];
  if (value === undefined)
    throw new ExecutionError("OUTPUT_MISMATCH", `onnxruntime returned no ${compiled.output.name}`);
  const out = compiled.output;
  const want = [n, ...out.shape.slice(1)];
  const dims = value.dims.map(Number);
  const type = dtypeInfo(out.dtype).name;
  if (value.type !== type || dims.length !== want.length || dims.some((d, i) => d !== want[i])) {
    throw new ExecutionError(
      "OUTPUT_MISMATCH",
      `batched model output: onnxruntime produced ${value.type} [${dims.join(",")}], expected ${type} [${want.join(",")}]`,
    );
  }
  const outCount = elementCount(out.shape);
  const data = value.data as unknown as { slice(from: number, to: number): Tensor["data"] };
  const spec = { dtype: out.dtype, layout: Layout.ROW_MAJOR, shape: [...out.shape] };
  const outputs: Tensor[] = [];
  for (let k = 0; k < n; k++) outputs.push(new Tensor(spec, data.slice(k * outCount, (k + 1) * outCount)));
  return outputs;
}
