// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {JobId, JobStatus, ModelId, Timestamp} from "../libraries/Types.sol";
import {IDisputeHook} from "./IDisputeHook.sol";
import {IModelRegistry} from "./IModelRegistry.sol";
import {IStakeManager} from "./IStakeManager.sol";

/// @title IJobManager
/// @notice The life of an inference job (docs/PROTOCOL.md §7): a requester escrows a fee
///         and posts the input; a staked provider locks collateral and commits the output
///         and its trace; anyone may challenge during the window (through the dispute
///         game); afterwards anyone finalizes: fee to the provider, collateral unlocked,
///         result readable and pushed to an opt-in consumer callback.
/// @dev A job's status only moves forward: None → Requested → Committed → Finalized or
///      Slashed, or Requested → Expired. A job is challengeable while
///      `block.timestamp < windowEnd` and finalizable from `windowEnd` on, unless frozen.
interface IJobManager is IDisputeHook {
    /// @notice A job as the dispute game and integrators see it.
    /// @param requester Who requested and paid; receives refunds and the callback.
    /// @param commitDeadline The last second at which a provider may commit.
    /// @param status Where the job is in its life.
    /// @param frozen Whether a dispute is open.
    /// @param callback Whether the requester asked for a callback.
    /// @param modelId The model.
    /// @param inputRoot Tensor root of the input (docs/PROTOCOL.md §4).
    /// @param fee Escrowed fee, paid to the provider on finalization.
    /// @param collateral Stake the provider locks for this job: the model's collateralPerJob.
    /// @param provider Who committed (zero before the commit).
    /// @param windowEnd End of the challenge window (zero before the commit).
    /// @param outputRoot Tensor root of the committed output.
    /// @param commitmentHash keccak256(abi.encode(uint256 jobId, address provider,
    ///        bytes32 outputRoot)); zero before the commit.
    struct Job {
        address requester;
        Timestamp commitDeadline;
        JobStatus status;
        bool frozen;
        bool callback;
        ModelId modelId;
        bytes32 inputRoot;
        uint128 fee;
        uint128 collateral;
        address provider;
        Timestamp windowEnd;
        bytes32 outputRoot;
        bytes32 commitmentHash;
    }

    /// @notice One provider commitment (docs/PROTOCOL.md §7).
    /// @param jobId The job.
    /// @param outputRoot Tensor root of the output under the model's output spec.
    /// @param output The packed output bytes; they must hash to `outputRoot`.
    struct Commit {
        JobId jobId;
        bytes32 outputRoot;
        bytes output;
    }

    /// @notice Why `commitBatch` skipped a job.
    /// @param UnknownJob No job with this id.
    /// @param AlreadyCommitted The job was committed (and maybe finalized or slashed) first.
    /// @param Expired The job expired: nobody committed by its deadline.
    /// @param DeadlinePassed The job's commit deadline has passed (it can only expire now).
    enum SkipReason {
        UnknownJob,
        AlreadyCommitted,
        Expired,
        DeadlinePassed
    }

    /// @notice An address parameter that must be set was zero.
    error ZeroAddress();
    /// @notice The callback gas cap must be positive.
    error ZeroCallbackGasLimit();
    /// @notice The registry's StakeManager is not this JobManager's.
    /// @param expected This JobManager's StakeManager.
    /// @param actual The registry's.
    error StakeManagerMismatch(address expected, address actual);
    /// @notice `initialize` called by someone other than the deployer.
    /// @param caller The caller.
    error NotDeployer(address caller);
    /// @notice `initialize` called a second time.
    error AlreadyInitialized();
    /// @notice A fee that does not fit 128 bits.
    /// @param fee The fee given.
    error FeeTooLarge(uint256 fee);
    /// @notice The commit deadline is not in the future.
    /// @param commitDeadline The deadline given.
    /// @param nowTimestamp The current block's timestamp.
    error CommitDeadlineNotInFuture(Timestamp commitDeadline, Timestamp nowTimestamp);
    /// @notice Inline input bytes of the wrong length for the model's input spec.
    /// @param expected n · width.
    /// @param actual The length given.
    error InputLengthMismatch(uint256 expected, uint256 actual);
    /// @notice `requestWithRoot` with a zero input root.
    error ZeroInputRoot();
    /// @notice `requestWithRoot` with no URI: nobody could fetch the input.
    error EmptyInputUri();
    /// @notice No job with this id.
    /// @param jobId The id asked for.
    error UnknownJob(JobId jobId);
    /// @notice The job is not in the status the call needs.
    /// @param jobId The job.
    /// @param expected The status needed.
    /// @param actual The job's status.
    error UnexpectedStatus(JobId jobId, JobStatus expected, JobStatus actual);
    /// @notice A commit after the job's commit deadline.
    /// @param jobId The job.
    /// @param commitDeadline Its deadline.
    error CommitDeadlinePassed(JobId jobId, Timestamp commitDeadline);
    /// @notice `expire` before the job's commit deadline has passed.
    /// @param jobId The job.
    /// @param commitDeadline Its deadline.
    error CommitDeadlineNotPassed(JobId jobId, Timestamp commitDeadline);
    /// @notice Output bytes of the wrong length for the model's output spec.
    /// @param jobId The job.
    /// @param expected n · width.
    /// @param actual The length given.
    error OutputLengthMismatch(JobId jobId, uint256 expected, uint256 actual);
    /// @notice The output bytes do not hash to the committed output root.
    /// @param jobId The job.
    /// @param outputRoot The root committed.
    /// @param computed The root of the bytes.
    error OutputRootMismatch(JobId jobId, bytes32 outputRoot, bytes32 computed);
    /// @notice `commitBatch` with no commits.
    error EmptyBatch();
    /// @notice `commitBatch` in which no job could be committed any more (each was skipped).
    error NothingCommitted();
    /// @notice `finalize` while the challenge window is still open.
    /// @param jobId The job.
    /// @param windowEnd When it closes.
    error ChallengeWindowOpen(JobId jobId, Timestamp windowEnd);
    /// @notice Too little gas left to give the consumer callback its full cap; send more gas.
    /// @param available gasleft() before the callback.
    /// @param required What the callback needs.
    error InsufficientCallbackGas(uint256 available, uint256 required);

    /// @notice The dispute game was wired in.
    /// @param disputeGame The only address that may freeze, release and settle jobs.
    event Initialized(address disputeGame);
    /// @notice A job was requested.
    /// @param jobId The job.
    /// @param modelId The model.
    /// @param requester Who requested and paid.
    /// @param inputRoot Tensor root of the input.
    /// @param input The packed input bytes (empty when posted by root).
    /// @param inputUri Where the input can be fetched (empty when inline).
    /// @param fee The escrowed fee.
    /// @param commitDeadline The last second at which a provider may commit.
    event JobRequested(
        JobId indexed jobId,
        ModelId indexed modelId,
        address indexed requester,
        bytes32 inputRoot,
        bytes input,
        string inputUri,
        uint256 fee,
        Timestamp commitDeadline
    );
    /// @notice A provider committed a result.
    /// @param jobId The job.
    /// @param provider Who committed.
    /// @param commitmentHash What a challenge names.
    /// @param outputRoot Tensor root of the output.
    /// @param output The packed output bytes.
    /// @param windowEnd End of the challenge window.
    event JobCommitted(
        JobId indexed jobId,
        address indexed provider,
        bytes32 commitmentHash,
        bytes32 outputRoot,
        bytes output,
        Timestamp windowEnd
    );
    /// @notice `commitBatch` left a job out that can no longer be committed.
    /// @param jobId The job.
    /// @param reason Why.
    event CommitSkipped(JobId indexed jobId, SkipReason reason);
    /// @notice A job became final.
    /// @param jobId The job.
    /// @param provider Who was paid.
    /// @param fee The fee paid.
    event JobFinalized(JobId indexed jobId, address indexed provider, uint256 fee);
    /// @notice Nobody committed before the deadline; the fee went back.
    /// @param jobId The job.
    /// @param requester Who was refunded.
    /// @param refund The fee refunded.
    event JobExpired(JobId indexed jobId, address indexed requester, uint256 refund);
    /// @notice The consumer callback reverted or ran out of gas; the job resolved anyway.
    /// @param jobId The job.
    /// @param consumer The requester called.
    event CallbackFailed(JobId indexed jobId, address indexed consumer);

    /// @notice The protocol token (the StakeManager's).
    function token() external view returns (IERC20);

    /// @notice Where providers' collateral is locked.
    function stakeManager() external view returns (IStakeManager);

    /// @notice Where models are registered.
    function registry() external view returns (IModelRegistry);

    /// @notice The only address that may call the dispute hook (zero until initialized).
    function disputeGame() external view returns (address);

    /// @notice The gas each consumer callback is given.
    function callbackGasLimit() external view returns (uint256);

    /// @notice Number of jobs requested so far; job ids run from 1 to this.
    function jobCount() external view returns (uint256);

    /// @notice Wires in the dispute game, once, by the deployer.
    /// @param disputeGame_ The only address that may freeze, release and settle jobs.
    function initialize(address disputeGame_) external;

    /// @notice Requests a job with the input inline; escrows `fee` from the caller.
    /// @param modelId A registered model.
    /// @param input The packed input tensor (docs/PROTOCOL.md §2): n · width bytes.
    /// @param fee Paid to the provider on finalization, refunded otherwise.
    /// @param commitDeadline The last second at which a provider may commit; in the future.
    /// @param callback Whether to call `IRefuteConsumer.onRefuteResult` on the caller
    ///        when the job resolves.
    /// @return jobId The new job.
    function request(
        ModelId modelId,
        bytes calldata input,
        uint256 fee,
        Timestamp commitDeadline,
        bool callback
    ) external returns (JobId jobId);

    /// @notice Requests a job whose input is too large to post: its root and a URI.
    /// @param modelId A registered model.
    /// @param inputRoot Tensor root of the input (docs/PROTOCOL.md §4), non-zero.
    /// @param inputUri Where the packed input can be fetched, non-empty.
    /// @param fee Paid to the provider on finalization, refunded otherwise.
    /// @param commitDeadline The last second at which a provider may commit; in the future.
    /// @param callback Whether to call back the caller when the job resolves.
    /// @return jobId The new job.
    function requestWithRoot(
        ModelId modelId,
        bytes32 inputRoot,
        string calldata inputUri,
        uint256 fee,
        Timestamp commitDeadline,
        bool callback
    ) external returns (JobId jobId);

    /// @notice Commits a result for a Requested job, by its deadline; locks the model's
    ///         collateralPerJob of the caller's free stake. The window ends
    ///         `challengeWindow` from now.
    /// @param jobId The job.
    /// @param outputRoot Tensor root of the output under the model's output spec.
    ///         Only the output is committed: the node roots are posted, ending in
    ///         `outputRoot`, when a challenge asks for them (docs/PROTOCOL.md §7).
    /// @param output The packed output bytes; they must hash to `outputRoot`.
    function commit(JobId jobId, bytes32 outputRoot, bytes calldata output) external;

    /// @notice Commits many results at once, as the caller; locks their collateral in
    ///         one call. Cheapest when commits of the same model are adjacent (the model
    ///         spec is read once per run of equal models). A job that can no longer be
    ///         committed (unknown, committed first by someone else, expired, past its
    ///         deadline) is skipped with `CommitSkipped`, so one job taken by a race does
    ///         not sink the batch; collateral is locked only for the jobs committed.
    ///         Reverts `NothingCommitted` when every job was skipped, and reverts the whole
    ///         batch on the caller's own mistakes (a wrong output or root, a job listed
    ///         twice, too little free stake).
    /// @param commits The commitments.
    function commitBatch(Commit[] calldata commits) external;

    /// @notice Finalizes a Committed job whose window is over and that is not frozen:
    ///         fee to the provider, collateral unlocked, then the consumer callback (if
    ///         asked for), which can never make this revert. Anyone may call.
    /// @param jobId The job.
    function finalize(JobId jobId) external;

    /// @notice Finalizes every listed job that can be finalized now and skips the rest
    ///         (not Committed, frozen, window open), so one job racing to another state
    ///         cannot sink the batch. Anyone may call.
    /// @param jobIds The jobs.
    /// @return finalized How many were finalized.
    function finalizeBatch(JobId[] calldata jobIds) external returns (uint256 finalized);

    /// @notice Closes a Requested job whose commit deadline has passed: fee back to the
    ///         requester, status Expired, consumer told. Anyone may call.
    /// @param jobId The job.
    function expire(JobId jobId) external;

    /// @notice A job's full record. Reverts `UnknownJob` if the job does not exist.
    /// @dev The output root and commitment hash are recomputed from the committed output
    ///      (they are not stored), which costs a registry read; `providerOf` and `modelOf`
    ///      answer the common narrow questions without it.
    function jobOf(JobId jobId) external view returns (Job memory);

    /// @notice Who committed the job; zero before its commit. Reverts `UnknownJob` if the
    ///         job does not exist.
    function providerOf(JobId jobId) external view returns (address);

    /// @notice The job's model. Reverts `UnknownJob` if the job does not exist.
    function modelOf(JobId jobId) external view returns (ModelId);

    /// @notice A job's status and, only once Finalized, its output.
    /// @return status The job's status.
    /// @return output The packed output bytes when Finalized; empty otherwise (a
    ///         committed output is provisional and must not be consumed).
    function resultOf(JobId jobId) external view returns (JobStatus status, bytes memory output);
}
