/**
 * The requester's client, `refute/client`: submit jobs and read their results from
 * TypeScript with a viem client, in viem's action style (client first, one
 * parameters object). See docs/INTEGRATION.md "From TypeScript" and
 * examples/request-job.ts.
 *
 *     const { jobId } = await requestJob(walletClient, { deployment, model, input });
 *     const output = await waitForResult(publicClient, { deployment, jobId });
 */
export { requestJob, DEFAULT_FEE, DEFAULT_COMMIT_WINDOW_SECONDS } from "./request.ts";
export type { RequestJobParameters, RequestJobReturnType } from "./request.ts";
export { resultOf, jobStatusName } from "./result.ts";
export type { DeploymentRef, JobOutput, JobResult, ResultOfParameters } from "./result.ts";
export { waitForResult, DEFAULT_WAIT_TIMEOUT_MS } from "./wait.ts";
export type { WaitForResultParameters } from "./wait.ts";
export { watchJob } from "./watch.ts";
export { claimableOf, withdrawClaimable } from "./claims.ts";
export type { ClaimableParameters } from "./claims.ts";
export type { WatchJobParameters } from "./watch.ts";
export { isModelId, modelIdOfFile } from "./model.ts";
export type { ModelRegistrationOptions } from "./model.ts";
export {
  InsufficientFeeBalanceError,
  JobFailedError,
  UnknownJobError,
  UnknownModelError,
  WaitTimeoutError,
} from "./errors.ts";
export type { JobStatusName } from "./errors.ts";
export type { ProtocolAddresses } from "./contracts.ts";
export { loadDeployment, type DeploymentFile } from "../deployments/load.ts";
