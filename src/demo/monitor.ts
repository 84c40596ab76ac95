/**
 * The demo's live view of the chain: each job's status and which jobs have been
 * challenged, read every second, condensed into one progress line.
 */
import type { PublicClient } from "viem";
import { JOB_STATUS_NAMES, type JobStatusName } from "../chain/enums.ts";
import { getChallengeRevealedLogs } from "../chain/read/disputeEvents.ts";
import { readJob } from "../chain/read/jobs.ts";
import type { ProtocolAddresses } from "../client/contracts.ts";

export type { JobStatusName } from "../chain/enums.ts";

export interface ChainSnapshot {
  readonly status: ReadonlyMap<bigint, JobStatusName>;
  readonly frozen: ReadonlySet<bigint>;
  readonly challenged: ReadonlySet<bigint>;
}

export interface Progress {
  readonly jobs: number;
  readonly committed: number;
  readonly finalized: number;
  readonly challenged: number;
  readonly slashed: number;
  readonly expired: number;
  readonly disputesOpen: number;
}

export async function snapshot(
  client: PublicClient,
  addresses: Pick<ProtocolAddresses, "jobManager" | "disputeGame">,
  jobIds: readonly bigint[],
  fromBlock: bigint,
): Promise<ChainSnapshot> {
  const jobs = await Promise.all(
    jobIds.map(async (jobId) => ({ jobId, job: await readJob(client, { address: addresses.jobManager, jobId }) })),
  );
  const status = new Map<bigint, JobStatusName>();
  const frozen = new Set<bigint>();
  for (const { jobId, job } of jobs) {
    status.set(jobId, JOB_STATUS_NAMES[job.status] ?? "None");
    if (job.frozen) frozen.add(jobId);
  }
  const revealed = await getChallengeRevealedLogs(client, { address: addresses.disputeGame, fromBlock });
  const ours = new Set(jobIds);
  const challenged = new Set(revealed.map((l) => l.args.jobId).filter((id) => ours.has(id)));
  return { status, frozen, challenged };
}

export function progressOf(s: ChainSnapshot): Progress {
  const count = (...names: JobStatusName[]) => [...s.status.values()].filter((v) => names.includes(v)).length;
  return {
    jobs: s.status.size,
    committed: count("Committed", "Finalized", "Slashed"),
    finalized: count("Finalized"),
    challenged: s.challenged.size,
    slashed: count("Slashed"),
    expired: count("Expired"),
    disputesOpen: s.frozen.size,
  };
}

/** Whether every job reached an end state. */
export function allResolved(s: ChainSnapshot): boolean {
  return [...s.status.values()].every((v) => v === "Finalized" || v === "Slashed" || v === "Expired");
}

export function progressLine(p: Progress, elapsedSec: number): string {
  return (
    `[${String(Math.round(elapsedSec)).padStart(4)} s] jobs ${p.jobs} | committed ${p.committed} | finalized ${p.finalized} | ` +
    `challenged ${p.challenged} | slashed ${p.slashed}${p.disputesOpen ? ` | disputes open ${p.disputesOpen}` : ""}${p.expired ? ` | expired ${p.expired}` : ""}`
  );
}
