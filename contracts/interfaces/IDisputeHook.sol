// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {JobId} from "../libraries/Types.sol";

/// @title IDisputeHook
/// @notice What the dispute game may do to a job, and nothing else. The JobManager
///         accepts these calls only from the dispute game wired in at deployment.
/// @dev The JobManager does not look at the clock here: the dispute game decides when a
///      challenge is admissible (within the job's window) and when it is resolved.
interface IDisputeHook {
    /// @notice A dispute-hook function called by someone other than the dispute game.
    /// @param caller The caller.
    error NotDisputeGame(address caller);
    /// @notice The job is under dispute: it cannot finalize, and cannot be frozen again.
    /// @param jobId The job.
    error JobFrozen(JobId jobId);
    /// @notice The job is not under dispute, so it cannot be released or slashed.
    /// @param jobId The job.
    error JobNotFrozen(JobId jobId);

    /// @notice A dispute opened against a job; it cannot finalize until released.
    /// @param jobId The job.
    event JobDisputed(JobId indexed jobId);
    /// @notice A dispute against a job failed; it finalizes once its window is over.
    /// @param jobId The job.
    event JobReleased(JobId indexed jobId);
    /// @notice A job's result was proven wrong: its collateral was slashed and, with its fee,
    ///         sent to the dispute game, which credits the requester's refund and the shares.
    /// @param jobId The job.
    /// @param provider The provider slashed.
    /// @param collateral The collateral taken.
    /// @param refund The fee refunded to the requester (through the dispute game).
    event JobSlashed(JobId indexed jobId, address indexed provider, uint256 collateral, uint256 refund);

    /// @notice Marks a committed job as under dispute. Dispute game only.
    /// @param jobId A Committed job that is not frozen.
    function freeze(JobId jobId) external;

    /// @notice Lifts the dispute mark: the challenge failed. Dispute game only.
    /// @param jobId A Committed, frozen job.
    function release(JobId jobId) external;

    /// @notice Settles a proven fault: status Slashed, the job's whole collateral slashed
    ///         by the StakeManager and its escrowed fee, both transferred to the caller (the
    ///         dispute game, which credits them to claimable balances: no third party is
    ///         paid here, so none can make this revert), then the consumer told (a consumer
    ///         that reverts cannot either). Dispute game only.
    /// @param jobId A Committed, frozen job.
    /// @return requester Who requested the job (owed the fee and its share).
    /// @return collateral The collateral slashed and transferred to the caller.
    /// @return fee The fee transferred to the caller.
    function settleFraud(JobId jobId) external returns (address requester, uint256 collateral, uint256 fee);
}
