/**
 * The JobManager's events the daemons follow: requests (the provider's work, and a
 * job's input for the watcher) and commits (the watcher's jobs to check). Logs are
 * read `strict` (only logs whose every argument decodes), so `args` is complete. Each
 * query names its logs before returning them: inferred against the declared return
 * type, viem's `strict` would widen to boolean and `args` to partial.
 */
import type { Address, Client, GetContractEventsReturnType } from "viem";
import { getContractEvents } from "viem/actions";
import { jobManagerAbi } from "../abis.ts";
import { onlyLog } from "./once.ts";
import { blockRange, type BlockRange } from "./range.ts";

export type JobRequestedLog = GetContractEventsReturnType<typeof jobManagerAbi, "JobRequested", true>[number];
export type JobCommittedLog = GetContractEventsReturnType<typeof jobManagerAbi, "JobCommitted", true>[number];

interface JobEventParameters extends BlockRange {
  /** The JobManager. */
  readonly address: Address;
}

/** Every request in the range, in chain order. */
export async function getJobRequestedLogs(client: Client, p: JobEventParameters): Promise<JobRequestedLog[]> {
  const logs = await getContractEvents(client, {
    address: p.address,
    abi: jobManagerAbi,
    eventName: "JobRequested",
    strict: true,
    ...blockRange(p),
  });
  return logs;
}

/** One job's request (its input, input root and URI), or undefined when not in the range: once per job (once.ts). */
export async function readJobRequest(
  client: Client,
  p: JobEventParameters & { readonly jobId: bigint },
): Promise<JobRequestedLog["args"] | undefined> {
  const logs = await getContractEvents(client, {
    address: p.address,
    abi: jobManagerAbi,
    eventName: "JobRequested",
    args: { jobId: p.jobId },
    strict: true,
    ...blockRange(p),
  });
  return onlyLog(logs, "JobRequested", `job ${p.jobId}`)?.args;
}
