// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {IDisputeGame} from "../interfaces/IDisputeGame.sol";
import {IJobManager} from "../interfaces/IJobManager.sol";
import {IRefuteConsumer} from "../interfaces/IRefuteConsumer.sol";
import {JobId, JobStatus, ModelId, Timestamp} from "../libraries/Types.sol";

/// @title ClassifierConsumer
/// @notice An example integration (docs/INTEGRATION.md): a contract that asks Refute to
///         classify a 28×28 Fashion-MNIST image with the shipped model and acts on the
///         answer (tallies it and emits `Classified`) only once the answer is final.
///         A provisional (Committed) answer, one under dispute, and one proven wrong
///         (Slashed) are never acted on; a Slashed answer is recorded as rejected and the
///         user's fee becomes refundable.
/// @dev Two ways to learn the result, both acting through the same checks:
///      - the opt-in callback `onRefuteResult`, sent by the JobManager when the job
///        resolves (gas-capped: this callback stays far below the cap);
///      - `pull(jobId)`, which reads `IJobManager.resultOf` and reverts unless the job is
///        Finalized (for requests made without a callback, or a callback that failed).
///      When a job is slashed, the protocol credits its fee and the requester's 30 % share
///      of the collateral to this contract's claimable balance in the DisputeGame (pull
///      payments, docs/PROTOCOL.md §9.5); `withdraw` collects them when it needs the fee.
///      The share stays here; a production consumer would forward it.
contract ClassifierConsumer is IRefuteConsumer {
    using SafeERC20 for IERC20;

    /// @notice Where a request stands here (not in the protocol).
    enum RequestState {
        None,
        Pending,
        Accepted,
        Rejected,
        Expired
    }

    /// @notice One classification request.
    /// @param requester Who asked and paid the fee.
    /// @param state Where it stands.
    /// @param label The class, once Accepted.
    /// @param fee The fee escrowed in the JobManager.
    struct Request {
        address requester;
        RequestState state;
        uint8 label;
        uint128 fee;
    }

    /// @notice Classes of the shipped model (docs/INTEGRATION.md).
    uint256 public constant NUM_CLASSES = 10;
    /// @notice Packed bytes of the model's input: int8 [1, 28, 28].
    uint256 public constant INPUT_BYTES = 784;
    /// @notice Packed bytes of the model's output: int64 [1], big-endian.
    uint256 public constant OUTPUT_BYTES = 8;

    /// @notice The protocol's JobManager: the only address whose callback is trusted.
    IJobManager public immutable jobManager;
    /// @notice The fee token (the protocol's).
    IERC20 public immutable token;
    /// @notice The registered classifier.
    ModelId public immutable model;

    mapping(JobId jobId => Request) internal _requests;
    /// @notice Fees refundable to each requester (their jobs were slashed or expired).
    mapping(address requester => uint256 amount) public refundOf;
    /// @notice How many accepted answers named each class: what this consumer "acts" on.
    uint256[NUM_CLASSES] public classCount;

    /// @notice The callback came from somebody other than the JobManager.
    /// @param caller The caller.
    error NotJobManager(address caller);
    /// @notice The image is not the model's packed input.
    /// @param length The length given.
    error InvalidImage(uint256 length);
    /// @notice No request of this consumer has this job id.
    /// @param jobId The job.
    error UnknownRequest(JobId jobId);
    /// @notice The job's result is not final (yet, or ever): nothing to act on.
    /// @param jobId The job.
    /// @param status The job's status in the JobManager.
    error NotFinalized(JobId jobId, JobStatus status);
    /// @notice `reclaim` on a job that was neither slashed nor expired.
    /// @param jobId The job.
    /// @param status The job's status in the JobManager.
    error NotReclaimable(JobId jobId, JobStatus status);
    /// @notice `withdraw` with nothing refundable.
    /// @param requester The caller.
    error NothingToWithdraw(address requester);

    /// @notice A classification was requested.
    /// @param jobId The protocol job.
    /// @param requester Who asked.
    /// @param fee The fee escrowed.
    event ClassificationRequested(JobId indexed jobId, address indexed requester, uint256 fee);
    /// @notice A final answer was accepted and acted on.
    /// @param jobId The job.
    /// @param requester Who asked.
    /// @param label The class.
    event Classified(JobId indexed jobId, address indexed requester, uint8 label);
    /// @notice An answer was rejected: proven wrong (Slashed) or not a valid class.
    /// @param jobId The job.
    /// @param status The job's status (Slashed, or Finalized with an invalid output).
    event Rejected(JobId indexed jobId, JobStatus status);
    /// @notice Nobody answered before the commit deadline.
    /// @param jobId The job.
    event Expired(JobId indexed jobId);

    /// @param jobManager_ The protocol's JobManager.
    /// @param model_ The registered classifier (input int8 [1,28,28], output int64 [1]).
    constructor(IJobManager jobManager_, ModelId model_) {
        jobManager = jobManager_;
        model = model_;
        token = jobManager_.token();
        token.forceApprove(address(jobManager_), type(uint256).max);
    }

    /// @notice Requests a classification; pulls `fee` from the caller and escrows it in the
    ///         JobManager.
    /// @param image The quantized image: 784 int8 values, row-major (docs/INTEGRATION.md).
    /// @param fee Paid to the provider once the answer is final; refundable otherwise.
    /// @param commitDeadline The last second at which a provider may answer.
    /// @param callback Whether the JobManager should call `onRefuteResult` when the job resolves.
    /// @return jobId The protocol job.
    function classify(
        bytes calldata image,
        uint256 fee,
        Timestamp commitDeadline,
        bool callback
    ) external returns (JobId jobId) {
        require(image.length == INPUT_BYTES, InvalidImage(image.length));
        token.safeTransferFrom(msg.sender, address(this), fee);
        jobId = jobManager.request(model, image, fee, commitDeadline, callback);
        // The JobManager bounds the fee to 128 bits.
        _requests[jobId] = Request({requester: msg.sender, state: RequestState.Pending, label: 0, fee: uint128(fee)});
        emit ClassificationRequested(jobId, msg.sender, fee);
    }

    /// @inheritdoc IRefuteConsumer
    /// @dev Trusts only the JobManager, and acts only on status Finalized.
    function onRefuteResult(JobId jobId, JobStatus status, bytes calldata output) external {
        require(msg.sender == address(jobManager), NotJobManager(msg.sender));
        Request storage r = _known(jobId);
        // INVARIANT: a request is resolved once; a late callback after `pull` changes nothing.
        if (r.state != RequestState.Pending) return;
        if (status == JobStatus.Finalized) {
            _accept(jobId, r, output);
        } else if (status == JobStatus.Slashed) {
            _reject(jobId, r, status);
        } else if (status == JobStatus.Expired) {
            _expire(jobId, r);
        } else {
            // INVARIANT: nothing but a Finalized result is ever acted on.
            revert NotFinalized(jobId, status);
        }
    }

    /// @notice Reads the job's result from the JobManager and acts on it if it is final.
    /// @dev Reverts `NotFinalized` for a Requested, Committed (provisional, possibly under
    ///      dispute), Slashed or Expired job. Idempotent once Accepted.
    /// @param jobId A job requested through `classify`.
    /// @return label The class.
    function pull(JobId jobId) external returns (uint8 label) {
        Request storage r = _known(jobId);
        (JobStatus status, bytes memory output) = jobManager.resultOf(jobId);
        // INVARIANT: nothing but a Finalized result is ever acted on.
        require(status == JobStatus.Finalized, NotFinalized(jobId, status));
        if (r.state == RequestState.Pending) _accept(jobId, r, output);
        require(r.state == RequestState.Accepted, NotFinalized(jobId, status));
        return r.label;
    }

    /// @notice Records a Slashed or Expired job that no callback reported, making its fee
    ///         refundable.
    /// @param jobId A job requested through `classify`.
    function reclaim(JobId jobId) external {
        Request storage r = _known(jobId);
        (JobStatus status, ) = jobManager.resultOf(jobId);
        require(
            r.state == RequestState.Pending && (status == JobStatus.Slashed || status == JobStatus.Expired),
            NotReclaimable(jobId, status)
        );
        if (status == JobStatus.Slashed) _reject(jobId, r, status);
        else _expire(jobId, r);
    }

    /// @notice Sends the caller its refundable fees. The fee of a slashed job waits in the
    ///         DisputeGame as this contract's claimable balance: it is collected first when
    ///         this contract holds too little.
    function withdraw() external {
        uint256 amount = refundOf[msg.sender];
        require(amount != 0, NothingToWithdraw(msg.sender));
        refundOf[msg.sender] = 0;
        if (token.balanceOf(address(this)) < amount) collect();
        token.safeTransfer(msg.sender, amount);
    }

    /// @notice Collects this contract's claimable balance in the DisputeGame (the fees and
    ///         requester shares of its slashed jobs); anyone may call.
    function collect() public {
        IDisputeGame game = IDisputeGame(jobManager.disputeGame());
        if (game.claimable(address(this)) != 0) game.withdraw();
    }

    /// @notice A request's state and, once Accepted, its label.
    /// @param jobId The job.
    function requestOf(JobId jobId) external view returns (Request memory) {
        return _requests[jobId];
    }

    function _known(JobId jobId) internal view returns (Request storage r) {
        r = _requests[jobId];
        require(r.state != RequestState.None, UnknownRequest(jobId));
    }

    /// @dev The action: a valid label is tallied. An output that is not one class index
    ///      (which an honest run of the registered model never produces) is rejected.
    function _accept(JobId jobId, Request storage r, bytes memory output) internal {
        int64 label = output.length == OUTPUT_BYTES ? int64(uint64(bytes8(output))) : -1;
        if (label < 0 || uint64(label) >= NUM_CLASSES) {
            _reject(jobId, r, JobStatus.Finalized);
            return;
        }
        r.state = RequestState.Accepted;
        r.label = uint8(uint64(label));
        classCount[r.label] += 1;
        emit Classified(jobId, r.requester, r.label);
    }

    function _reject(JobId jobId, Request storage r, JobStatus status) internal {
        r.state = RequestState.Rejected;
        // The protocol credited the fee to this contract's claimable balance in the DisputeGame.
        if (status == JobStatus.Slashed) refundOf[r.requester] += r.fee;
        emit Rejected(jobId, status);
    }

    function _expire(JobId jobId, Request storage r) internal {
        r.state = RequestState.Expired;
        refundOf[r.requester] += r.fee;
        emit Expired(jobId);
    }
}
