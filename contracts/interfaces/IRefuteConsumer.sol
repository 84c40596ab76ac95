// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {JobId, JobStatus} from "../libraries/Types.sol";

/// @title IRefuteConsumer
/// @notice Implemented by a requester contract that asked for a callback. The JobManager
///         calls it once, when the job resolves, with a gas cap and without looking at
///         the outcome: a callback that reverts, runs out of gas or returns garbage never
///         blocks the job. Consumers that need certainty can always pull with
///         `IJobManager.resultOf`.
interface IRefuteConsumer {
    /// @notice A job resolved.
    /// @dev Check `msg.sender` is the JobManager before trusting the call.
    /// @param jobId The job.
    /// @param status Finalized (output is final), Slashed (the committed output was proven
    ///        wrong; output is empty) or Expired (nobody committed in time; output is empty).
    /// @param output The packed output tensor (docs/PROTOCOL.md §2) when Finalized.
    function onRefuteResult(JobId jobId, JobStatus status, bytes calldata output) external;
}
