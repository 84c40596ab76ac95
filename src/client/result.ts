/**
 * Reading a job's result: `resultOf` (docs/PROTOCOL.md §7) returns the status and,
 * only once Finalized, the packed output. The output is decoded with the model's
 * registered output spec (read from the ModelRegistry, not assumed), into the same
 * row-major values `refute model run` prints: for the shipped classifier, one int64,
 * the class index.
 */
import { hexToBytes, type Client, type Hex } from "viem";
import { JOB_STATUS_NAMES } from "../chain/enums.ts";
import { readJobModel, readJobResult } from "../chain/read/jobs.ts";
import { readModel } from "../chain/read/registry.ts";
import { unpack } from "../tensor/packing.ts";
import type { TensorSpec } from "../tensor/spec.ts";
import type { ProtocolAddresses } from "./contracts.ts";
import { UnknownJobError, type JobStatusName } from "./errors.ts";

/** Where the protocol lives: a loaded deployment file (src/deployments/load.ts) or anything with its addresses. */
export interface DeploymentRef {
  readonly addresses: ProtocolAddresses;
}

/** A finalized output, decoded. */
export interface JobOutput {
  readonly jobId: bigint;
  readonly modelId: Hex;
  /** The packed output bytes exactly as stored on-chain (docs/PROTOCOL.md §2). */
  readonly packed: Hex;
  /** The model's output spec, as registered. */
  readonly spec: TensorSpec;
  /** The elements in row-major order; `[classIndex]` for the shipped classifier. */
  readonly values: readonly bigint[];
}

export interface JobResult {
  readonly jobId: bigint;
  readonly status: JobStatusName;
  /** Present exactly when the status is Finalized: a committed output is provisional and never returned. */
  readonly output?: JobOutput;
}

/** The name of a JobStatus enum value. */
export function jobStatusName(status: number): JobStatusName {
  const name: JobStatusName | undefined = JOB_STATUS_NAMES[status];
  if (name === undefined) throw new RangeError(`unknown JobStatus ${status}`);
  return name;
}

export interface ResultOfParameters {
  readonly deployment: DeploymentRef;
  readonly jobId: bigint;
}

/**
 * The job's status and, once Finalized, its decoded output. Throws UnknownJobError
 * when the JobManager has no such job (the contract answers None rather than reverting).
 */
export async function resultOf(client: Client, { deployment, jobId }: ResultOfParameters): Promise<JobResult> {
  const a = deployment.addresses;
  const [status, packed] = await readJobResult(client, { address: a.jobManager, jobId });
  const name = jobStatusName(status);
  if (name === "None") throw new UnknownJobError(jobId, a.jobManager);
  if (name !== "Finalized") return { jobId, status: name };
  return { jobId, status: name, output: await decodeOutput(client, deployment, jobId, packed) };
}

/** Decodes packed output bytes with the output spec registered for the job's model. */
async function decodeOutput(client: Client, deployment: DeploymentRef, jobId: bigint, packed: Hex): Promise<JobOutput> {
  const a = deployment.addresses;
  const modelId = await readJobModel(client, { address: a.jobManager, jobId });
  const raw = (await readModel(client, { address: a.modelRegistry, modelId })).output;
  const spec: TensorSpec = { dtype: raw.dtype, layout: raw.layout, shape: [...raw.shape] } as TensorSpec;
  return { jobId, modelId, packed, spec, values: unpack(spec, hexToBytes(packed)).toBigInts() };
}
