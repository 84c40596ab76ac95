/** Reads of the JobManager: a job, its result, its model, how many jobs there are. */
import type { Address, Client, ContractFunctionReturnType, Hex } from "viem";
import { readContract } from "viem/actions";
import { jobManagerAbi } from "../abis.ts";
import { blockParameter, type AtBlock } from "./block.ts";

/** A job as `jobOf` returns it (IJobManager.Job). */
export type Job = ContractFunctionReturnType<typeof jobManagerAbi, "view", "jobOf">;

/** `resultOf`: the status and, once Finalized, the packed output (empty before). */
export type JobResult = ContractFunctionReturnType<typeof jobManagerAbi, "view", "resultOf">;

export interface JobParameters extends AtBlock {
  /** The JobManager. */
  readonly address: Address;
  readonly jobId: bigint;
}

export function readJob(client: Client, p: JobParameters): Promise<Job> {
  return readContract(client, {
    address: p.address,
    abi: jobManagerAbi,
    functionName: "jobOf",
    args: [p.jobId],
    ...blockParameter(p),
  });
}

export function readJobResult(client: Client, p: JobParameters): Promise<JobResult> {
  return readContract(client, {
    address: p.address,
    abi: jobManagerAbi,
    functionName: "resultOf",
    args: [p.jobId],
    ...blockParameter(p),
  });
}

/** The modelId the job was requested for. */
export function readJobModel(client: Client, p: JobParameters): Promise<Hex> {
  return readContract(client, {
    address: p.address,
    abi: jobManagerAbi,
    functionName: "modelOf",
    args: [p.jobId],
    ...blockParameter(p),
  });
}

/** How many jobs were requested: ids run from 1 to this. */
export function readJobCount(client: Client, p: { readonly address: Address } & AtBlock): Promise<bigint> {
  return readContract(client, {
    address: p.address,
    abi: jobManagerAbi,
    functionName: "jobCount",
    ...blockParameter(p),
  });
}
