// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {IDisputeHook} from "./interfaces/IDisputeHook.sol";
import {IJobManager} from "./interfaces/IJobManager.sol";
import {IModelRegistry} from "./interfaces/IModelRegistry.sol";
import {IRefuteConsumer} from "./interfaces/IRefuteConsumer.sol";
import {IStakeManager} from "./interfaces/IStakeManager.sol";
import {CommitLog} from "./libraries/CommitLog.sol";
import {TensorCodec} from "./libraries/TensorCodec.sol";
import {
    Duration,
    JobId,
    JobStatus,
    LibTimestamp,
    ModelId,
    ModelParams,
    TensorSpec,
    Timestamp
} from "./libraries/Types.sol";

/// @title JobManager
/// @notice Requests, commitments, finalization and the dispute hook of inference jobs.
/// @dev Holds the escrowed fees. Every external call happens after the state change it
///      depends on (checks-effects-interactions), so a consumer callback may re-enter
///      (for example to request its next job) without seeing a half-updated job. The
///      token must be a plain ERC20 (no fee on transfer, no transfer hooks that revert).
contract JobManager is IJobManager {
    using SafeERC20 for IERC20;

    /// @dev Storage layout, chosen for the commit path: a request writes slots 0-3 and a
    ///      commit only rewrites slot 0. Everything a commit adds (provider, window end,
    ///      trace root, output) goes to the CommitLog, written once per transaction as
    ///      contract code, and slot 0 keeps the entry's pointer in place of the commit
    ///      deadline, which the entry keeps instead. The output root and the commitment
    ///      hash are derived when read, not stored: the commit checked that the output
    ///      hashes to the root, so recomputing gives the same root, and only views and
    ///      dispute moves (rare) pay for it, not every commit.
    // Four full slots as laid out below; the linter misjudges the value types' sizes.
    // solhint-disable-next-line gas-struct-packing
    struct JobRecord {
        // slot 0
        address requester;
        // Requested or Expired: the commit deadline (a Timestamp). Committed, Finalized
        // or Slashed: the CommitLog pointer of the job's entry.
        uint64 deadlineOrEntry;
        JobStatus status;
        bool frozen;
        bool callback;
        // slot 1
        ModelId modelId;
        // slot 2
        bytes32 inputRoot;
        // slot 3
        uint128 fee;
        uint128 collateral;
    }

    /// @dev A job's CommitLog entry, decoded. Its bytes: commitDeadline (8),
    ///      windowEnd (8), outputLength (4), then the packed output; the provider is in the
    ///      header of the entry's chunk. No trace commitment: the provider posts its node roots
    ///      only when a challenge asks for them (DisputeGame.postRoots, docs/PROTOCOL.md §7).
    struct Entry {
        Timestamp commitDeadline;
        Timestamp windowEnd;
        uint256 outputLength;
    }

    /// @dev What a commit needs from its model, read once per run of equal models in a batch.
    struct OutputModel {
        ModelId id;
        TensorSpec spec;
        uint256 outputLength;
        Duration challengeWindow;
        uint256 collateral;
    }

    /// @dev Bytes of an entry before the output.
    uint256 private constant ENTRY_HEAD = 20;

    /// @dev Gas kept back beyond the callback's cap: the CALL's own cost (cold account
    ///      access) and the bookkeeping after it (the CallbackFailed event).
    uint256 private constant CALLBACK_GAS_RESERVE = 10_000;

    IERC20 internal immutable TOKEN;
    IStakeManager internal immutable STAKE_MANAGER;
    IModelRegistry internal immutable REGISTRY;
    uint256 internal immutable CALLBACK_GAS_LIMIT;
    address internal immutable DEPLOYER;

    /// @inheritdoc IJobManager
    address public disputeGame;
    /// @dev CommitLog chunks created so far; the next one gets CREATE nonce `chunkCount + 1`
    ///      (a contract's nonce starts at 1). Packed beside `disputeGame`.
    uint40 private _chunkCount;
    /// @inheritdoc IJobManager
    uint256 public jobCount;

    mapping(JobId jobId => JobRecord) private _jobs;

    modifier onlyDisputeGame() {
        require(msg.sender == disputeGame, NotDisputeGame(msg.sender));
        _;
    }

    /// @param stakeManager_ Where collateral is locked; its token is the protocol token.
    /// @param registry_ Where models are registered; must use the same StakeManager.
    /// @param callbackGasLimit_ The gas each consumer callback is given (e.g. 200,000).
    constructor(IStakeManager stakeManager_, IModelRegistry registry_, uint256 callbackGasLimit_) {
        require(address(stakeManager_) != address(0) && address(registry_) != address(0), ZeroAddress());
        require(callbackGasLimit_ != 0, ZeroCallbackGasLimit());
        address registryStakeManager = address(registry_.stakeManager());
        require(
            registryStakeManager == address(stakeManager_),
            StakeManagerMismatch(address(stakeManager_), registryStakeManager)
        );
        TOKEN = stakeManager_.token();
        STAKE_MANAGER = stakeManager_;
        REGISTRY = registry_;
        CALLBACK_GAS_LIMIT = callbackGasLimit_;
        DEPLOYER = msg.sender;
    }

    /// @inheritdoc IJobManager
    function token() external view returns (IERC20) {
        return TOKEN;
    }

    /// @inheritdoc IJobManager
    function stakeManager() external view returns (IStakeManager) {
        return STAKE_MANAGER;
    }

    /// @inheritdoc IJobManager
    function registry() external view returns (IModelRegistry) {
        return REGISTRY;
    }

    /// @inheritdoc IJobManager
    function callbackGasLimit() external view returns (uint256) {
        return CALLBACK_GAS_LIMIT;
    }

    /// @inheritdoc IJobManager
    function initialize(address disputeGame_) external {
        require(msg.sender == DEPLOYER, NotDeployer(msg.sender));
        require(disputeGame == address(0), AlreadyInitialized());
        require(disputeGame_ != address(0), ZeroAddress());
        disputeGame = disputeGame_;
        emit Initialized(disputeGame_);
    }

    // ---------------------------------------------------------------- requests

    /// @inheritdoc IJobManager
    function request(
        ModelId modelId,
        bytes calldata input,
        uint256 fee,
        Timestamp commitDeadline,
        bool callback
    ) external returns (JobId jobId) {
        (TensorSpec memory spec, ModelParams memory p) = REGISTRY.inputSpec(modelId);
        uint256 expected = TensorCodec.elementCount(spec) * TensorCodec.width(spec.dtype);
        require(input.length == expected, InputLengthMismatch(expected, input.length));
        bytes32 inputRoot = TensorCodec.rootOfPacked(spec, input);
        jobId = _open(modelId, inputRoot, p.collateralPerJob, fee, commitDeadline, callback);
        emit JobRequested(jobId, modelId, msg.sender, inputRoot, input, "", fee, commitDeadline);
        if (fee != 0) TOKEN.safeTransferFrom(msg.sender, address(this), fee);
    }

    /// @inheritdoc IJobManager
    function requestWithRoot(
        ModelId modelId,
        bytes32 inputRoot,
        string calldata inputUri,
        uint256 fee,
        Timestamp commitDeadline,
        bool callback
    ) external returns (JobId jobId) {
        require(inputRoot != bytes32(0), ZeroInputRoot());
        require(bytes(inputUri).length != 0, EmptyInputUri());
        ModelParams memory p = REGISTRY.params(modelId);
        jobId = _open(modelId, inputRoot, p.collateralPerJob, fee, commitDeadline, callback);
        emit JobRequested(jobId, modelId, msg.sender, inputRoot, "", inputUri, fee, commitDeadline);
        if (fee != 0) TOKEN.safeTransferFrom(msg.sender, address(this), fee);
    }

    function _open(
        ModelId modelId,
        bytes32 inputRoot,
        uint128 collateral,
        uint256 fee,
        Timestamp commitDeadline,
        bool callback
    ) private returns (JobId jobId) {
        require(fee <= type(uint128).max, FeeTooLarge(fee));
        Timestamp nowTimestamp = LibTimestamp.current();
        require(commitDeadline > nowTimestamp, CommitDeadlineNotInFuture(commitDeadline, nowTimestamp));
        jobId = JobId.wrap(++jobCount);
        JobRecord storage job = _jobs[jobId];
        job.requester = msg.sender;
        job.deadlineOrEntry = commitDeadline.raw();
        // INVARIANT: a job is born Requested; ids are never reused.
        job.status = JobStatus.Requested;
        job.callback = callback;
        job.modelId = modelId;
        job.inputRoot = inputRoot;
        job.fee = uint128(fee);
        // Models are immutable, so this equals the model's collateralPerJob at commit time too.
        job.collateral = collateral;
    }

    // ---------------------------------------------------------------- commits

    /// @inheritdoc IJobManager
    function commit(JobId jobId, bytes32 outputRoot, bytes calldata output) external {
        JobRecord storage job = _jobs[jobId];
        _checkCommittable(jobId, job);
        OutputModel memory m = _loadOutputModel(job.modelId);
        CommitLog.Writer memory log = _openLog(ENTRY_HEAD + output.length);
        _record(log, jobId, job, m, outputRoot, output);
        _closeLog(log);
        STAKE_MANAGER.lock(msg.sender, m.collateral);
    }

    /// @inheritdoc IJobManager
    function commitBatch(Commit[] calldata commits) external {
        uint256 n = commits.length;
        require(n != 0, EmptyBatch());
        // First pass: which jobs can still be committed (another provider may have taken one,
        // or its deadline passed, while the batch waited), and the log bytes of those.
        bool[] memory take = new bool[](n);
        uint256 streamLength;
        uint256 taken;
        for (uint256 i; i < n; ++i) {
            Commit calldata c = commits[i];
            (bool ok, SkipReason why) = _committable(_jobs[c.jobId]);
            if (!ok) {
                emit CommitSkipped(c.jobId, why);
                continue;
            }
            take[i] = true;
            streamLength += ENTRY_HEAD + c.output.length;
            ++taken;
        }
        require(taken != 0, NothingCommitted());
        CommitLog.Writer memory log = _openLog(streamLength);
        OutputModel memory m;
        uint256 totalCollateral;
        bool loaded;
        for (uint256 i; i < n; ++i) {
            if (!take[i]) continue;
            Commit calldata c = commits[i];
            JobRecord storage job = _jobs[c.jobId];
            // A job listed twice was committed by its first entry: this reverts the batch.
            _checkCommittable(c.jobId, job);
            ModelId modelId = job.modelId;
            if (!loaded || modelId != m.id) {
                m = _loadOutputModel(modelId);
                loaded = true;
            }
            _record(log, c.jobId, job, m, c.outputRoot, c.output);
            totalCollateral += m.collateral;
        }
        _closeLog(log);
        // One lock for the jobs committed: the provider needs free stake for all of them.
        STAKE_MANAGER.lock(msg.sender, totalCollateral);
    }

    /// @dev Whether a job can be committed now and, if not, why (the checks of `_checkCommittable`).
    ///      The reason is meaningless when the job can be committed.
    function _committable(JobRecord storage job) private view returns (bool ok, SkipReason why) {
        JobStatus status = job.status;
        if (status == JobStatus.Requested) {
            if (Timestamp.wrap(job.deadlineOrEntry).isPast()) return (false, SkipReason.DeadlinePassed);
            return (true, why);
        }
        if (status == JobStatus.None) return (false, SkipReason.UnknownJob);
        if (status == JobStatus.Expired) return (false, SkipReason.Expired);
        return (false, SkipReason.AlreadyCommitted);
    }

    function _checkCommittable(JobId jobId, JobRecord storage job) private view {
        JobStatus status = job.status;
        // INVARIANT: only a Requested job can be committed, so a job is committed at most once.
        require(status == JobStatus.Requested, UnexpectedStatus(jobId, JobStatus.Requested, status));
        Timestamp deadline = Timestamp.wrap(job.deadlineOrEntry);
        // INVARIANT: no commit after the deadline; from then on only `expire` applies.
        require(!deadline.isPast(), CommitDeadlinePassed(jobId, deadline));
    }

    function _loadOutputModel(ModelId modelId) private view returns (OutputModel memory m) {
        ModelParams memory p;
        (m.spec, p) = REGISTRY.outputSpec(modelId);
        m.id = modelId;
        m.outputLength = TensorCodec.elementCount(m.spec) * TensorCodec.width(m.spec.dtype);
        m.challengeWindow = p.challengeWindow;
        m.collateral = p.collateralPerJob;
    }

    /// @dev One transaction's entries go to one CommitLog stream of `streamLength` bytes.
    function _openLog(uint256 streamLength) private view returns (CommitLog.Writer memory) {
        return CommitLog.open(msg.sender, uint256(_chunkCount) + 1, streamLength);
    }

    function _closeLog(CommitLog.Writer memory log) private {
        // Fits: 2^40 chunks is beyond any chain's lifetime of transactions.
        _chunkCount = uint40(CommitLog.close(log) - 1);
    }

    function _record(
        CommitLog.Writer memory log,
        JobId jobId,
        JobRecord storage job,
        OutputModel memory m,
        bytes32 outputRoot,
        bytes calldata output
    ) private {
        require(output.length == m.outputLength, OutputLengthMismatch(jobId, m.outputLength, output.length));
        bytes32 computed = TensorCodec.rootOfPacked(m.spec, output);
        require(computed == outputRoot, OutputRootMismatch(jobId, outputRoot, computed));
        Timestamp windowEnd = LibTimestamp.current().plus(m.challengeWindow);
        uint64 entry = CommitLog.here(log);
        // Fits: at most 2^26 elements of at most 8 bytes (ModelRegistry validation).
        CommitLog.put(log, abi.encodePacked(job.deadlineOrEntry, windowEnd.raw(), uint32(output.length)));
        CommitLog.putCalldata(log, output);
        job.status = JobStatus.Committed;
        job.deadlineOrEntry = entry;
        emit JobCommitted(
            jobId,
            msg.sender,
            _commitmentHash(jobId, msg.sender, outputRoot),
            outputRoot,
            output,
            windowEnd
        );
    }

    // ---------------------------------------------------------------- resolution

    /// @inheritdoc IJobManager
    function finalize(JobId jobId) external {
        JobRecord storage job = _jobs[jobId];
        JobStatus status = job.status;
        // INVARIANT: only a Committed job finalizes, so it finalizes at most once.
        require(status == JobStatus.Committed, UnexpectedStatus(jobId, JobStatus.Committed, status));
        // INVARIANT: a job under dispute never finalizes.
        require(!job.frozen, JobFrozen(jobId));
        uint64 entry = job.deadlineOrEntry;
        Entry memory e = _entryOf(entry);
        // INVARIANT: no job finalizes before its window closes.
        require(e.windowEnd.isReached(), ChallengeWindowOpen(jobId, e.windowEnd));
        (address provider, uint256 fee, uint256 collateral) = _markFinalized(jobId, job);
        _payProvider(provider, fee, collateral);
        if (job.callback) _callback(jobId, job.requester, JobStatus.Finalized, _outputOf(entry, e));
    }

    /// @inheritdoc IJobManager
    function finalizeBatch(JobId[] calldata jobIds) external returns (uint256 finalized) {
        uint256 n = jobIds.length;
        bool[] memory done = new bool[](n);
        // Consecutive jobs of one provider are paid and unlocked in one go.
        address runProvider;
        uint256 runFee;
        uint256 runCollateral;
        for (uint256 i; i < n; ++i) {
            JobRecord storage job = _jobs[jobIds[i]];
            // INVARIANT: the same three checks as `finalize`; a job failing any is skipped.
            if (job.status != JobStatus.Committed || job.frozen) continue;
            if (!_entryOf(job.deadlineOrEntry).windowEnd.isReached()) continue;
            (address provider, uint256 fee, uint256 collateral) = _markFinalized(jobIds[i], job);
            if (provider != runProvider) {
                if (runProvider != address(0)) _payProvider(runProvider, runFee, runCollateral);
                (runProvider, runFee, runCollateral) = (provider, 0, 0);
            }
            runFee += fee;
            runCollateral += collateral;
            done[i] = true;
            ++finalized;
        }
        if (runProvider != address(0)) _payProvider(runProvider, runFee, runCollateral);
        // Callbacks last: every job of the batch is settled before any consumer runs.
        for (uint256 i; i < n; ++i) {
            if (!done[i]) continue;
            JobRecord storage job = _jobs[jobIds[i]];
            if (job.callback) {
                uint64 entry = job.deadlineOrEntry;
                _callback(jobIds[i], job.requester, JobStatus.Finalized, _outputOf(entry, _entryOf(entry)));
            }
        }
    }

    /// @inheritdoc IJobManager
    function expire(JobId jobId) external {
        JobRecord storage job = _jobs[jobId];
        JobStatus status = job.status;
        // INVARIANT: only a Requested (never committed) job expires.
        require(status == JobStatus.Requested, UnexpectedStatus(jobId, JobStatus.Requested, status));
        Timestamp deadline = Timestamp.wrap(job.deadlineOrEntry);
        // INVARIANT: a job expires only once nobody can commit to it any more.
        require(deadline.isPast(), CommitDeadlineNotPassed(jobId, deadline));
        job.status = JobStatus.Expired;
        address requester = job.requester;
        uint256 fee = job.fee;
        emit JobExpired(jobId, requester, fee);
        if (fee != 0) TOKEN.safeTransfer(requester, fee);
        if (job.callback) _callback(jobId, requester, JobStatus.Expired, "");
    }

    function _markFinalized(
        JobId jobId,
        JobRecord storage job
    ) private returns (address provider, uint256 fee, uint256 collateral) {
        job.status = JobStatus.Finalized;
        provider = CommitLog.providerOf(job.deadlineOrEntry);
        fee = job.fee;
        collateral = job.collateral;
        emit JobFinalized(jobId, provider, fee);
    }

    function _payProvider(address provider, uint256 fee, uint256 collateral) private {
        STAKE_MANAGER.unlock(provider, collateral);
        if (fee != 0) TOKEN.safeTransfer(provider, fee);
    }

    /// @dev A raw CALL with a gas cap and no return data copied: a consumer that reverts,
    ///      burns its gas or returns a huge buffer costs this contract at most the cap.
    ///      The caller must leave enough gas for the consumer to get its whole cap
    ///      (EIP-150 forwards at most 63/64), otherwise a caller could starve the
    ///      callback on purpose; that case reverts the whole call instead.
    function _callback(JobId jobId, address consumer, JobStatus status, bytes memory output) private {
        bytes memory data = abi.encodeCall(IRefuteConsumer.onRefuteResult, (jobId, status, output));
        uint256 gasCap = CALLBACK_GAS_LIMIT;
        uint256 required = gasCap + gasCap / 63 + CALLBACK_GAS_RESERVE;
        uint256 available = gasleft();
        require(available >= required, InsufficientCallbackGas(available, required));
        bool ok;
        assembly ("memory-safe") {
            ok := call(gasCap, consumer, 0, add(data, 0x20), mload(data), 0, 0)
        }
        if (!ok) emit CallbackFailed(jobId, consumer);
    }

    // ---------------------------------------------------------------- dispute hook

    /// @inheritdoc IDisputeHook
    function freeze(JobId jobId) external onlyDisputeGame {
        JobRecord storage job = _jobs[jobId];
        JobStatus status = job.status;
        // INVARIANT: only a Committed job can be disputed.
        require(status == JobStatus.Committed, UnexpectedStatus(jobId, JobStatus.Committed, status));
        require(!job.frozen, JobFrozen(jobId));
        job.frozen = true;
        emit JobDisputed(jobId);
    }

    /// @inheritdoc IDisputeHook
    function release(JobId jobId) external onlyDisputeGame {
        JobRecord storage job = _jobs[jobId];
        JobStatus status = job.status;
        require(status == JobStatus.Committed, UnexpectedStatus(jobId, JobStatus.Committed, status));
        require(job.frozen, JobNotFrozen(jobId));
        job.frozen = false;
        emit JobReleased(jobId);
    }

    /// @inheritdoc IDisputeHook
    function settleFraud(
        JobId jobId
    ) external onlyDisputeGame returns (address requester, uint256 collateral, uint256 fee) {
        JobRecord storage job = _jobs[jobId];
        JobStatus status = job.status;
        // INVARIANT: only a Committed job is slashed, so it is slashed at most once.
        require(status == JobStatus.Committed, UnexpectedStatus(jobId, JobStatus.Committed, status));
        // INVARIANT: only a job under dispute is slashed.
        require(job.frozen, JobNotFrozen(jobId));
        job.status = JobStatus.Slashed;
        job.frozen = false;
        address provider = CommitLog.providerOf(job.deadlineOrEntry);
        requester = job.requester;
        fee = job.fee;
        collateral = job.collateral;
        emit JobSlashed(jobId, provider, collateral, fee);
        // INVARIANT: the slash takes exactly this job's collateral. It and the fee go to the
        // dispute game alone, which credits them: no third party's revert can block a slash.
        STAKE_MANAGER.slash(provider, collateral, msg.sender);
        if (fee != 0) TOKEN.safeTransfer(msg.sender, fee);
        if (job.callback) _callback(jobId, requester, JobStatus.Slashed, "");
    }

    // ---------------------------------------------------------------- views

    /// @inheritdoc IJobManager
    function jobOf(JobId jobId) external view returns (Job memory j) {
        JobRecord storage r = _jobs[jobId];
        require(r.status != JobStatus.None, UnknownJob(jobId));
        j.requester = r.requester;
        j.status = r.status;
        j.frozen = r.frozen;
        j.callback = r.callback;
        j.modelId = r.modelId;
        j.inputRoot = r.inputRoot;
        j.fee = r.fee;
        j.collateral = r.collateral;
        if (!_isCommitted(j.status)) {
            j.commitDeadline = Timestamp.wrap(r.deadlineOrEntry);
            return j;
        }
        uint64 entry = r.deadlineOrEntry;
        Entry memory e = _entryOf(entry);
        (TensorSpec memory spec, ) = REGISTRY.outputSpec(r.modelId);
        j.commitDeadline = e.commitDeadline;
        j.provider = CommitLog.providerOf(entry);
        j.windowEnd = e.windowEnd;
        j.outputRoot = TensorCodec.rootOfPacked(spec, _outputOf(entry, e));
        j.commitmentHash = _commitmentHash(jobId, j.provider, j.outputRoot);
    }

    /// @inheritdoc IJobManager
    function providerOf(JobId jobId) external view returns (address) {
        JobRecord storage r = _jobs[jobId];
        JobStatus status = r.status;
        require(status != JobStatus.None, UnknownJob(jobId));
        return _isCommitted(status) ? CommitLog.providerOf(r.deadlineOrEntry) : address(0);
    }

    /// @inheritdoc IJobManager
    function modelOf(JobId jobId) external view returns (ModelId) {
        JobRecord storage r = _jobs[jobId];
        require(r.status != JobStatus.None, UnknownJob(jobId));
        return r.modelId;
    }

    /// @inheritdoc IJobManager
    function resultOf(JobId jobId) external view returns (JobStatus status, bytes memory output) {
        status = _jobs[jobId].status;
        if (status == JobStatus.Finalized) {
            uint64 entry = _jobs[jobId].deadlineOrEntry;
            output = _outputOf(entry, _entryOf(entry));
        }
    }

    function _isCommitted(JobStatus status) private pure returns (bool) {
        return status == JobStatus.Committed || status == JobStatus.Finalized || status == JobStatus.Slashed;
    }

    /// @dev The head of the entry at `entry`, in one code read.
    function _entryOf(uint64 entry) private view returns (Entry memory e) {
        bytes memory head = CommitLog.read(entry, 0, ENTRY_HEAD);
        uint256 word;
        assembly ("memory-safe") {
            word := mload(add(head, 0x20))
        }
        e.commitDeadline = Timestamp.wrap(uint64(word >> 192));
        e.windowEnd = Timestamp.wrap(uint64(word >> 128));
        e.outputLength = uint32(word >> 96);
    }

    function _outputOf(uint64 entry, Entry memory e) private view returns (bytes memory) {
        return CommitLog.read(entry, ENTRY_HEAD, e.outputLength);
    }

    function _commitmentHash(JobId jobId, address provider, bytes32 outputRoot) private pure returns (bytes32) {
        return keccak256(abi.encode(jobId.raw(), provider, outputRoot));
    }
}
