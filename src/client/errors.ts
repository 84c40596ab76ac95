/**
 * The typed errors of the requester's client (src/client/index.ts). Each is a class
 * with a literal `name`, so callers can branch with `instanceof` (or on `name` after
 * the error crossed a process boundary as JSON) instead of parsing messages.
 */
import type { Address, Hex } from "viem";
import type { JobStatusName } from "../chain/enums.ts";

/** A job status as its name: the contracts' JobStatus enum (docs/PROTOCOL.md §7). */
export type { JobStatusName } from "../chain/enums.ts";

/** No job with this id on this deployment (`resultOf` says None): a wrong id, or the wrong deployment. */
export class UnknownJobError extends Error {
  override readonly name = "UnknownJobError";
  constructor(
    readonly jobId: bigint,
    readonly jobManager: Address,
  ) {
    super(`job ${jobId} does not exist on the JobManager at ${jobManager}`);
  }
}

/** The modelId is not registered in this deployment's ModelRegistry. */
export class UnknownModelError extends Error {
  override readonly name = "UnknownModelError";
  constructor(
    readonly modelId: Hex,
    readonly modelRegistry: Address,
  ) {
    super(`model ${modelId} is not registered in the ModelRegistry at ${modelRegistry}`);
  }
}

/**
 * The job resolved without a result: Slashed (the committed output was proven wrong)
 * or Expired (nobody committed by the commit deadline). Either way the fee is refunded
 * to the requester: a slashed job's refund (fee and requester share) is credited to the
 * requester's `claimable` balance in the DisputeGame and collected with `withdraw()`
 * (claimableOf / withdrawClaimable); `refundPending` says an expired job's deadline passed
 * but nobody has called `expire(jobId)` yet, which is what sends that refund.
 */
export class JobFailedError extends Error {
  override readonly name = "JobFailedError";
  constructor(
    readonly jobId: bigint,
    readonly status: "Slashed" | "Expired",
    readonly refundPending = false,
  ) {
    super(
      status === "Slashed"
        ? `job ${jobId} was slashed: its committed output was proven wrong (the fee and the requester's share are claimable in the DisputeGame: withdraw them with withdrawClaimable)`
        : refundPending
          ? `job ${jobId} expired: nobody committed by its commit deadline (call expire(${jobId}) to refund the fee)`
          : `job ${jobId} expired: nobody committed by its commit deadline (the fee was refunded)`,
    );
  }
}

/** `waitForResult` gave up: the job was still `lastStatus` when `timeoutMs` had passed. */
export class WaitTimeoutError extends Error {
  override readonly name = "WaitTimeoutError";
  constructor(
    readonly jobId: bigint,
    readonly timeoutMs: number,
    readonly lastStatus: JobStatusName,
  ) {
    super(`job ${jobId} was not final after ${timeoutMs} ms (still ${lastStatus})`);
  }
}

/** The requester holds less of the fee token than the fee: checked before anything is sent. */
export class InsufficientFeeBalanceError extends Error {
  override readonly name = "InsufficientFeeBalanceError";
  constructor(
    readonly account: Address,
    readonly token: Address,
    readonly balance: bigint,
    readonly fee: bigint,
  ) {
    super(`${account} holds ${balance} of the fee token ${token}, the fee is ${fee}`);
  }
}
