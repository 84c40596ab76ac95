// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC20Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";
import {JobManager} from "../../contracts/JobManager.sol";
import {ModelRegistry} from "../../contracts/ModelRegistry.sol";
import {StakeManager} from "../../contracts/StakeManager.sol";
import {IDisputeHook} from "../../contracts/interfaces/IDisputeHook.sol";
import {IJobManager} from "../../contracts/interfaces/IJobManager.sol";
import {IModelRegistry} from "../../contracts/interfaces/IModelRegistry.sol";
import {IStakeManager} from "../../contracts/interfaces/IStakeManager.sol";
import {TensorCodec} from "../../contracts/libraries/TensorCodec.sol";
import {
    Duration,
    JobId,
    JobStatus,
    ModelId,
    ModelSpec,
    TensorSpec,
    Timestamp
} from "../../contracts/libraries/Types.sol";
import {RefuteFixture} from "./utils/RefuteFixture.sol";

contract JobManagerTest is RefuteFixture {
    address internal provider2 = makeAddr("provider2");
    ModelSpec internal specB;
    ModelId internal modelB;

    function setUp() public override {
        super.setUp();
        specB = modelSpec(2, _shape1(4), 7, _shape1(1));
        specB.params.collateralPerJob = 50e18;
        specB.params.challengeWindow = Duration.wrap(2 hours);
        modelB = registry.register(specB);
        _fund(provider2, 1_000_000e18);
        vm.prank(provider2);
        stakes.deposit(10_000e18);
    }

    function _commitment(JobId id, address who, bytes32 outputRoot) internal pure returns (bytes32) {
        return keccak256(abi.encode(JobId.unwrap(id), who, outputRoot));
    }

    function _unexpected(JobId id, JobStatus expected, JobStatus actual) internal pure returns (bytes memory) {
        return abi.encodeWithSelector(IJobManager.UnexpectedStatus.selector, id, expected, actual);
    }

    // ------------------------------------------------------------ constructor / initialize

    function test_constructor_readsTokenFromStakeManager() public view {
        assertEq(address(jobs.token()), address(token));
        assertEq(address(jobs.stakeManager()), address(stakes));
        assertEq(address(jobs.registry()), address(registry));
        assertEq(jobs.callbackGasLimit(), CALLBACK_GAS);
        assertEq(jobs.disputeGame(), game);
    }

    function test_constructor_zeroStakeManager_reverts() public {
        vm.expectRevert(IJobManager.ZeroAddress.selector);
        new JobManager(IStakeManager(address(0)), registry, CALLBACK_GAS);
    }

    function test_constructor_zeroRegistry_reverts() public {
        vm.expectRevert(IJobManager.ZeroAddress.selector);
        new JobManager(stakes, IModelRegistry(address(0)), CALLBACK_GAS);
    }

    function test_constructor_zeroCallbackGas_reverts() public {
        vm.expectRevert(IJobManager.ZeroCallbackGasLimit.selector);
        new JobManager(stakes, registry, 0);
    }

    function test_constructor_registryOfOtherStakeManager_reverts() public {
        StakeManager other = new StakeManager(
            token,
            Duration.wrap(UNBONDING_DELAY),
            Duration.wrap(MAX_CHALLENGE_WINDOW),
            Duration.wrap(MIN_RESPONSE_WINDOW),
            Duration.wrap(MAX_RESPONSE_WINDOW)
        );
        ModelRegistry otherRegistry = new ModelRegistry(other);
        vm.expectRevert(
            abi.encodeWithSelector(IJobManager.StakeManagerMismatch.selector, address(stakes), address(other))
        );
        new JobManager(stakes, otherRegistry, CALLBACK_GAS);
    }

    function test_initialize_byDeployer_wires() public {
        JobManager jm = new JobManager(stakes, registry, CALLBACK_GAS);
        vm.expectEmit(address(jm));
        emit IJobManager.Initialized(game);
        jm.initialize(game);
        assertEq(jm.disputeGame(), game);
    }

    function test_initialize_notDeployer_reverts() public {
        JobManager jm = new JobManager(stakes, registry, CALLBACK_GAS);
        vm.prank(requester);
        vm.expectRevert(abi.encodeWithSelector(IJobManager.NotDeployer.selector, requester));
        jm.initialize(game);
    }

    function test_initialize_twice_reverts() public {
        vm.expectRevert(IJobManager.AlreadyInitialized.selector);
        jobs.initialize(requester);
    }

    function test_initialize_zeroGame_reverts() public {
        JobManager jm = new JobManager(stakes, registry, CALLBACK_GAS);
        vm.expectRevert(IJobManager.ZeroAddress.selector);
        jm.initialize(address(0));
    }

    // ------------------------------------------------------------ request

    function test_request_inlineInput_escrowsAndRecords() public {
        (bytes memory input, bytes32 inputRoot) = _tensor(specA.input, 7);
        Timestamp deadline = _deadline();
        uint256 before = token.balanceOf(requester);
        vm.expectEmit(address(jobs));
        emit IJobManager.JobRequested(JobId.wrap(1), modelA, requester, inputRoot, input, "", FEE, deadline);
        vm.prank(requester);
        JobId id = jobs.request(modelA, input, FEE, deadline, true);
        assertEq(id.raw(), 1);
        assertEq(jobs.jobCount(), 1);
        assertEq(token.balanceOf(requester), before - FEE);
        assertEq(token.balanceOf(address(jobs)), FEE);
        IJobManager.Job memory j = jobs.jobOf(id);
        assertEq(j.requester, requester);
        assertEq(j.commitDeadline.raw(), deadline.raw());
        assertEq(uint8(j.status), uint8(JobStatus.Requested));
        assertFalse(j.frozen);
        assertTrue(j.callback);
        assertEq(j.modelId.raw(), modelA.raw());
        assertEq(j.inputRoot, inputRoot);
        assertEq(j.fee, FEE);
        assertEq(j.collateral, COLLATERAL);
        assertEq(j.provider, address(0));
        assertEq(j.windowEnd.raw(), 0);
        assertEq(j.outputRoot, bytes32(0));
        assertEq(j.commitmentHash, bytes32(0));
    }

    function test_request_inputRoot_matchesProtocolEncoding() public {
        // int8[2,3]: six bytes in one word, so dataRoot is the zero-padded word itself (§3, §4).
        bytes memory input = hex"01ff7f800002";
        vm.prank(requester);
        JobId id = jobs.request(modelA, input, FEE, _deadline(), false);
        bytes32 word = bytes32(bytes.concat(input, new bytes(26)));
        assertEq(jobs.jobOf(id).inputRoot, keccak256(abi.encode(specA.input, word)));
    }

    function test_request_idsIncrease() public {
        JobId a = _request();
        JobId b = _request();
        assertEq(a.raw() + 1, b.raw());
    }

    function test_request_zeroFee_succeeds() public {
        (bytes memory input, ) = _tensor(specA.input, 7);
        vm.prank(requester);
        JobId id = jobs.request(modelA, input, 0, _deadline(), false);
        assertEq(jobs.jobOf(id).fee, 0);
        assertEq(token.balanceOf(address(jobs)), 0);
    }

    function test_request_unknownModel_reverts() public {
        ModelId unknown = ModelId.wrap(keccak256("nope"));
        vm.prank(requester);
        vm.expectRevert(abi.encodeWithSelector(IModelRegistry.UnknownModel.selector, unknown));
        jobs.request(unknown, hex"00", FEE, _deadline(), false);
    }

    function testFuzz_request_wrongInputLength_reverts(uint256 len) public {
        len = bound(len, 0, 200);
        vm.assume(len != 6);
        vm.prank(requester);
        vm.expectRevert(abi.encodeWithSelector(IJobManager.InputLengthMismatch.selector, 6, len));
        jobs.request(modelA, new bytes(len), FEE, _deadline(), false);
    }

    function testFuzz_request_deadlineNotInFuture_reverts(uint64 deadline) public {
        deadline = uint64(bound(deadline, 0, block.timestamp));
        (bytes memory input, ) = _tensor(specA.input, 7);
        vm.prank(requester);
        vm.expectRevert(
            abi.encodeWithSelector(
                IJobManager.CommitDeadlineNotInFuture.selector,
                Timestamp.wrap(deadline),
                Timestamp.wrap(uint64(block.timestamp))
            )
        );
        jobs.request(modelA, input, FEE, Timestamp.wrap(deadline), false);
    }

    function test_request_feeAbove128Bits_reverts() public {
        (bytes memory input, ) = _tensor(specA.input, 7);
        uint256 fee = uint256(type(uint128).max) + 1;
        vm.prank(requester);
        vm.expectRevert(abi.encodeWithSelector(IJobManager.FeeTooLarge.selector, fee));
        jobs.request(modelA, input, fee, _deadline(), false);
    }

    function test_request_withoutAllowance_reverts() public {
        address poor = makeAddr("poor");
        token.mint(poor, FEE);
        (bytes memory input, ) = _tensor(specA.input, 7);
        vm.prank(poor);
        vm.expectRevert(
            abi.encodeWithSelector(IERC20Errors.ERC20InsufficientAllowance.selector, address(jobs), 0, FEE)
        );
        jobs.request(modelA, input, FEE, _deadline(), false);
    }

    // ------------------------------------------------------------ requestWithRoot

    function test_requestWithRoot_recordsRootAndUri() public {
        bytes32 root = keccak256("big input");
        Timestamp deadline = _deadline();
        vm.expectEmit(address(jobs));
        emit IJobManager.JobRequested(JobId.wrap(1), modelA, requester, root, "", "ipfs://input", FEE, deadline);
        vm.prank(requester);
        JobId id = jobs.requestWithRoot(modelA, root, "ipfs://input", FEE, deadline, false);
        IJobManager.Job memory j = jobs.jobOf(id);
        assertEq(j.inputRoot, root);
        assertEq(uint8(j.status), uint8(JobStatus.Requested));
        assertEq(token.balanceOf(address(jobs)), FEE);
    }

    function test_requestWithRoot_zeroRoot_reverts() public {
        vm.prank(requester);
        vm.expectRevert(IJobManager.ZeroInputRoot.selector);
        jobs.requestWithRoot(modelA, bytes32(0), "ipfs://input", FEE, _deadline(), false);
    }

    function test_requestWithRoot_emptyUri_reverts() public {
        vm.prank(requester);
        vm.expectRevert(IJobManager.EmptyInputUri.selector);
        jobs.requestWithRoot(modelA, keccak256("x"), "", FEE, _deadline(), false);
    }

    function test_requestWithRoot_unknownModel_reverts() public {
        ModelId unknown = ModelId.wrap(keccak256("nope"));
        vm.prank(requester);
        vm.expectRevert(abi.encodeWithSelector(IModelRegistry.UnknownModel.selector, unknown));
        jobs.requestWithRoot(unknown, keccak256("x"), "ipfs://input", FEE, _deadline(), false);
    }

    function test_requestWithRoot_deadlineNow_reverts() public {
        Timestamp nowTs = Timestamp.wrap(uint64(block.timestamp));
        vm.prank(requester);
        vm.expectRevert(abi.encodeWithSelector(IJobManager.CommitDeadlineNotInFuture.selector, nowTs, nowTs));
        jobs.requestWithRoot(modelA, keccak256("x"), "ipfs://input", FEE, nowTs, false);
    }

    // ------------------------------------------------------------ commit

    function test_commit_validOutput_locksAndRecords() public {
        JobId id = _request();
        (bytes memory output, bytes32 outputRoot) = _tensor(specA.output, 1);
        Timestamp windowEnd = Timestamp.wrap(uint64(block.timestamp) + WINDOW);
        bytes32 commitment = _commitment(id, provider, outputRoot);
        uint256 freeBefore = _freeStake(provider);
        vm.expectEmit(address(jobs));
        emit IJobManager.JobCommitted(id, provider, commitment, outputRoot, output, windowEnd);
        vm.prank(provider);
        jobs.commit(id, outputRoot, output);
        IJobManager.Job memory j = jobs.jobOf(id);
        assertEq(uint8(j.status), uint8(JobStatus.Committed));
        assertEq(j.provider, provider);
        assertEq(j.windowEnd.raw(), windowEnd.raw());
        assertEq(j.outputRoot, outputRoot);
        assertEq(j.commitmentHash, commitment);
        assertEq(_freeStake(provider), freeBefore - COLLATERAL);
        assertEq(_lockedStake(provider), COLLATERAL);
        (JobStatus status, bytes memory out) = jobs.resultOf(id);
        assertEq(uint8(status), uint8(JobStatus.Committed));
        assertEq(out.length, 0, "a provisional output is never served");
    }

    function test_commit_outputRoot_matchesProtocolEncoding() public {
        JobId id = _request();
        // int32[1,3]: twelve bytes in one word.
        bytes memory output = hex"00000001fffffffe7fffffff";
        bytes32 root = keccak256(abi.encode(specA.output, bytes32(bytes.concat(output, new bytes(20)))));
        vm.prank(provider);
        jobs.commit(id, root, output);
        assertEq(jobs.jobOf(id).outputRoot, root);
    }

    function test_commit_unknownJob_reverts() public {
        (bytes memory output, bytes32 root) = _tensor(specA.output, 1);
        vm.prank(provider);
        vm.expectRevert(_unexpected(JobId.wrap(9), JobStatus.Requested, JobStatus.None));
        jobs.commit(JobId.wrap(9), root, output);
    }

    function test_commit_twice_reverts() public {
        JobId id = _committedJob();
        (bytes memory output, bytes32 root) = _tensor(specA.output, 2);
        vm.prank(provider2);
        vm.expectRevert(_unexpected(id, JobStatus.Requested, JobStatus.Committed));
        jobs.commit(id, root, output);
    }

    function testFuzz_commit_byDeadline_succeeds(uint256 wait) public {
        JobId id = _request();
        wait = bound(wait, 0, 1 hours);
        skip(wait);
        _commit(id);
        assertEq(uint8(jobs.jobOf(id).status), uint8(JobStatus.Committed));
    }

    function testFuzz_commit_afterDeadline_reverts(uint256 wait) public {
        JobId id = _request();
        Timestamp deadline = jobs.jobOf(id).commitDeadline;
        wait = bound(wait, 1 hours + 1, 365 days);
        skip(wait);
        (bytes memory output, bytes32 root) = _tensor(specA.output, 1);
        vm.prank(provider);
        vm.expectRevert(abi.encodeWithSelector(IJobManager.CommitDeadlinePassed.selector, id, deadline));
        jobs.commit(id, root, output);
    }

    function test_commit_expiredJob_reverts() public {
        JobId id = _request();
        skip(1 hours + 1);
        jobs.expire(id);
        (bytes memory output, bytes32 root) = _tensor(specA.output, 1);
        vm.prank(provider);
        vm.expectRevert(_unexpected(id, JobStatus.Requested, JobStatus.Expired));
        jobs.commit(id, root, output);
    }

    function testFuzz_commit_wrongOutputLength_reverts(uint256 len) public {
        JobId id = _request();
        len = bound(len, 0, 100);
        vm.assume(len != 12);
        vm.prank(provider);
        vm.expectRevert(abi.encodeWithSelector(IJobManager.OutputLengthMismatch.selector, id, 12, len));
        jobs.commit(id, bytes32(0), new bytes(len));
    }

    function test_commit_wrongOutputRoot_reverts() public {
        JobId id = _request();
        (bytes memory output, bytes32 root) = _tensor(specA.output, 1);
        bytes32 wrong = keccak256("wrong");
        vm.prank(provider);
        vm.expectRevert(abi.encodeWithSelector(IJobManager.OutputRootMismatch.selector, id, wrong, root));
        jobs.commit(id, wrong, output);
    }

    function test_commit_rootOfOtherSpec_reverts() public {
        JobId id = _request();
        (bytes memory output, ) = _tensor(specA.output, 1);
        // Same bytes, root computed under another shape: the spec is part of the root.
        TensorSpec memory other = TensorSpec({dtype: 6, layout: 0, shape: _shape1(3)});
        bytes32 otherRoot = TensorCodec.rootOfPacked(other, output);
        bytes32 root = TensorCodec.rootOfPacked(specA.output, output);
        vm.prank(provider);
        vm.expectRevert(abi.encodeWithSelector(IJobManager.OutputRootMismatch.selector, id, otherRoot, root));
        jobs.commit(id, otherRoot, output);
    }

    function test_commit_withoutFreeStake_reverts() public {
        JobId id = _request();
        address poor = makeAddr("poor");
        _fund(poor, COLLATERAL);
        vm.prank(poor);
        stakes.deposit(COLLATERAL - 1);
        (bytes memory output, bytes32 root) = _tensor(specA.output, 1);
        vm.prank(poor);
        vm.expectRevert(
            abi.encodeWithSelector(IStakeManager.InsufficientFreeStake.selector, poor, COLLATERAL - 1, COLLATERAL)
        );
        jobs.commit(id, root, output);
    }

    function test_commit_unbondingStakeDoesNotCount_reverts() public {
        JobId id = _request();
        vm.prank(provider);
        stakes.requestWithdrawal(10_000e18 - COLLATERAL + 1);
        (bytes memory output, bytes32 root) = _tensor(specA.output, 1);
        vm.prank(provider);
        vm.expectRevert(
            abi.encodeWithSelector(IStakeManager.InsufficientFreeStake.selector, provider, COLLATERAL - 1, COLLATERAL)
        );
        jobs.commit(id, root, output);
    }

    // ------------------------------------------------------------ commitBatch

    function _batch(
        JobId[] memory ids,
        ModelSpec[] memory specs
    ) internal pure returns (IJobManager.Commit[] memory c) {
        c = new IJobManager.Commit[](ids.length);
        for (uint256 i; i < ids.length; ++i) {
            (bytes memory output, bytes32 root) = _tensor(specs[i].output, 100 + i);
            c[i] = IJobManager.Commit({jobId: ids[i], outputRoot: root, output: output});
        }
    }

    function _mixedJobs() internal returns (JobId[] memory ids, ModelSpec[] memory specs) {
        ids = new JobId[](5);
        specs = new ModelSpec[](5);
        for (uint256 i; i < 5; ++i) {
            bool b = i == 2 || i == 3;
            specs[i] = b ? specB : specA;
            ids[i] = _requestAs(requester, b ? modelB : modelA, specs[i], false);
        }
    }

    function test_commitBatch_mixedModels_commitsAllAndLocksSum() public {
        (JobId[] memory ids, ModelSpec[] memory specs) = _mixedJobs();
        IJobManager.Commit[] memory c = _batch(ids, specs);
        uint256 freeBefore = _freeStake(provider);
        vm.prank(provider);
        jobs.commitBatch(c);
        for (uint256 i; i < 5; ++i) {
            IJobManager.Job memory j = jobs.jobOf(ids[i]);
            assertEq(uint8(j.status), uint8(JobStatus.Committed));
            assertEq(j.provider, provider);
            assertEq(j.outputRoot, c[i].outputRoot);
            uint64 window = specs[i].params.challengeWindow.raw();
            assertEq(j.windowEnd.raw(), uint64(block.timestamp) + window);
        }
        uint256 total = 3 * COLLATERAL + 2 * 50e18;
        assertEq(_freeStake(provider), freeBefore - total);
        assertEq(_lockedStake(provider), total);
    }

    function test_commitBatch_empty_reverts() public {
        vm.prank(provider);
        vm.expectRevert(IJobManager.EmptyBatch.selector);
        jobs.commitBatch(new IJobManager.Commit[](0));
    }

    function test_commitBatch_oneBadRoot_revertsAll() public {
        (JobId[] memory ids, ModelSpec[] memory specs) = _mixedJobs();
        IJobManager.Commit[] memory c = _batch(ids, specs);
        bytes32 good = c[3].outputRoot;
        c[3].outputRoot = keccak256("bad");
        vm.prank(provider);
        vm.expectRevert(abi.encodeWithSelector(IJobManager.OutputRootMismatch.selector, ids[3], c[3].outputRoot, good));
        jobs.commitBatch(c);
        assertEq(uint8(jobs.jobOf(ids[0]).status), uint8(JobStatus.Requested));
    }

    function test_commitBatch_duplicateJob_reverts() public {
        (JobId[] memory ids, ModelSpec[] memory specs) = _mixedJobs();
        ids[4] = ids[0];
        IJobManager.Commit[] memory c = _batch(ids, specs);
        vm.prank(provider);
        vm.expectRevert(_unexpected(ids[0], JobStatus.Requested, JobStatus.Committed));
        jobs.commitBatch(c);
    }

    function test_commitBatch_stakeForSomeButNotAll_reverts() public {
        (JobId[] memory ids, ModelSpec[] memory specs) = _mixedJobs();
        IJobManager.Commit[] memory c = _batch(ids, specs);
        address poor = makeAddr("poor");
        _fund(poor, 1_000e18);
        vm.prank(poor);
        stakes.deposit(300e18);
        vm.prank(poor);
        vm.expectRevert(abi.encodeWithSelector(IStakeManager.InsufficientFreeStake.selector, poor, 300e18, 400e18));
        jobs.commitBatch(c);
    }

    function test_commitBatch_everyJobPastDeadline_revertsNothingCommitted() public {
        (JobId[] memory ids, ModelSpec[] memory specs) = _mixedJobs();
        IJobManager.Commit[] memory c = _batch(ids, specs);
        skip(1 hours + 1);
        vm.prank(provider);
        vm.expectRevert(IJobManager.NothingCommitted.selector);
        jobs.commitBatch(c);
    }

    function test_commitBatch_skipsJobsNoLongerCommittable_andCommitsTheRest() public {
        JobId[] memory ids = new JobId[](5);
        ModelSpec[] memory specs = new ModelSpec[](5);
        (bytes memory inputB, ) = _tensor(specB.input, 7);
        for (uint256 i; i < 5; ++i) {
            bool b = i == 2 || i == 3;
            specs[i] = b ? specB : specA;
            if (b) {
                // Jobs 2 and 3 have a 10-second deadline.
                vm.prank(requester);
                ids[i] = jobs.request(modelB, inputB, FEE, Timestamp.wrap(uint64(block.timestamp) + 10), false);
            } else {
                ids[i] = _requestAs(requester, modelA, specA, false);
            }
        }
        IJobManager.Commit[] memory c = _batch(ids, specs);
        // Job 1 is taken by another provider first; job 2 expires; job 3 is past its deadline;
        // an unknown job id comes last.
        address rival = makeAddr("rival");
        _fund(rival, 1_000e18);
        vm.prank(rival);
        stakes.deposit(1_000e18);
        vm.prank(rival);
        jobs.commit(ids[1], c[1].outputRoot, c[1].output);
        skip(11);
        jobs.expire(ids[2]);
        IJobManager.Commit[] memory all = new IJobManager.Commit[](6);
        for (uint256 i; i < 5; ++i) all[i] = c[i];
        all[5] = IJobManager.Commit({jobId: JobId.wrap(999), outputRoot: c[0].outputRoot, output: c[0].output});

        uint256 freeBefore = _freeStake(provider);
        vm.expectEmit(address(jobs));
        emit IJobManager.CommitSkipped(ids[1], IJobManager.SkipReason.AlreadyCommitted);
        vm.expectEmit(address(jobs));
        emit IJobManager.CommitSkipped(ids[2], IJobManager.SkipReason.Expired);
        vm.expectEmit(address(jobs));
        emit IJobManager.CommitSkipped(ids[3], IJobManager.SkipReason.DeadlinePassed);
        vm.expectEmit(address(jobs));
        emit IJobManager.CommitSkipped(JobId.wrap(999), IJobManager.SkipReason.UnknownJob);
        vm.prank(provider);
        jobs.commitBatch(all);

        // The committed entries sit in one log stream with nothing of the skipped ones in between.
        for (uint256 k; k < 2; ++k) {
            uint256 i = k == 0 ? 0 : 4;
            IJobManager.Job memory j = jobs.jobOf(ids[i]);
            assertEq(uint8(j.status), uint8(JobStatus.Committed));
            assertEq(j.provider, provider);
            assertEq(j.outputRoot, c[i].outputRoot);
        }
        assertEq(jobs.jobOf(ids[1]).provider, rival, "the rival's commitment stands");
        assertEq(uint8(jobs.jobOf(ids[3]).status), uint8(JobStatus.Requested));
        assertEq(_freeStake(provider), freeBefore - 2 * COLLATERAL, "collateral of the two committed jobs only");
        assertEq(_lockedStake(provider), 2 * COLLATERAL);
        _pastWindow(ids[4]);
        jobs.finalize(ids[4]);
        (, bytes memory out) = jobs.resultOf(ids[4]);
        assertEq(out, c[4].output);
    }

    // ------------------------------------------------------------ finalize

    function test_finalize_afterWindow_paysAndUnlocks() public {
        JobId id = _request();
        (bytes memory output, ) = _commit(id);
        _pastWindow(id);
        uint256 balance = token.balanceOf(provider);
        uint256 free = _freeStake(provider);
        vm.expectEmit(address(jobs));
        emit IJobManager.JobFinalized(id, provider, FEE);
        jobs.finalize(id);
        assertEq(token.balanceOf(provider), balance + FEE);
        assertEq(_freeStake(provider), free + COLLATERAL);
        assertEq(_lockedStake(provider), 0);
        assertEq(token.balanceOf(address(jobs)), 0);
        (JobStatus status, bytes memory out) = jobs.resultOf(id);
        assertEq(uint8(status), uint8(JobStatus.Finalized));
        assertEq(out, output);
    }

    function testFuzz_finalize_beforeWindowEnd_reverts(uint256 wait) public {
        JobId id = _committedJob();
        Timestamp windowEnd = jobs.jobOf(id).windowEnd;
        wait = bound(wait, 0, WINDOW - 1);
        skip(wait);
        vm.expectRevert(abi.encodeWithSelector(IJobManager.ChallengeWindowOpen.selector, id, windowEnd));
        jobs.finalize(id);
    }

    function testFuzz_finalize_anyTimeAfterWindow_succeeds(uint256 wait) public {
        JobId id = _committedJob();
        wait = bound(wait, WINDOW, 10 * 365 days);
        skip(wait);
        jobs.finalize(id);
        assertEq(uint8(jobs.jobOf(id).status), uint8(JobStatus.Finalized));
    }

    function test_finalize_frozen_reverts() public {
        JobId id = _committedJob();
        vm.prank(game);
        jobs.freeze(id);
        _pastWindow(id);
        vm.expectRevert(abi.encodeWithSelector(IDisputeHook.JobFrozen.selector, id));
        jobs.finalize(id);
    }

    function test_finalize_requested_reverts() public {
        JobId id = _request();
        skip(2 days);
        vm.expectRevert(_unexpected(id, JobStatus.Committed, JobStatus.Requested));
        jobs.finalize(id);
    }

    function test_finalize_unknown_reverts() public {
        vm.expectRevert(_unexpected(JobId.wrap(5), JobStatus.Committed, JobStatus.None));
        jobs.finalize(JobId.wrap(5));
    }

    function test_finalize_twice_reverts() public {
        JobId id = _committedJob();
        _pastWindow(id);
        jobs.finalize(id);
        vm.expectRevert(_unexpected(id, JobStatus.Committed, JobStatus.Finalized));
        jobs.finalize(id);
    }

    function test_finalize_zeroFee_unlocksOnly() public {
        (bytes memory input, ) = _tensor(specA.input, 7);
        vm.prank(requester);
        JobId id = jobs.request(modelA, input, 0, _deadline(), false);
        _commit(id);
        _pastWindow(id);
        uint256 balance = token.balanceOf(provider);
        jobs.finalize(id);
        assertEq(token.balanceOf(provider), balance);
        assertEq(_lockedStake(provider), 0);
    }

    // ------------------------------------------------------------ finalizeBatch

    function test_finalizeBatch_mixedProviders_paysEach() public {
        JobId[] memory ids = new JobId[](5);
        for (uint256 i; i < 5; ++i) {
            ids[i] = _request();
            _commitAs(i == 2 || i == 4 ? provider2 : provider, ids[i], specA);
        }
        skip(WINDOW);
        uint256 b1 = token.balanceOf(provider);
        uint256 b2 = token.balanceOf(provider2);
        assertEq(jobs.finalizeBatch(ids), 5);
        assertEq(token.balanceOf(provider), b1 + 3 * FEE);
        assertEq(token.balanceOf(provider2), b2 + 2 * FEE);
        assertEq(_lockedStake(provider), 0);
        assertEq(_lockedStake(provider2), 0);
        for (uint256 i; i < 5; ++i) {
            assertEq(uint8(jobs.jobOf(ids[i]).status), uint8(JobStatus.Finalized));
        }
    }

    function test_finalizeBatch_ineligibleJobs_skipped() public {
        JobId[] memory ids = new JobId[](6);
        ids[0] = _committedJob(); // finalizable
        ids[1] = _committedJob(); // frozen
        ids[2] = _request(); // never committed
        ids[3] = JobId.wrap(999); // unknown
        ids[4] = ids[0]; // duplicate
        vm.prank(game);
        jobs.freeze(ids[1]);
        skip(WINDOW);
        ids[5] = _committedJob(); // window still open
        uint256 balance = token.balanceOf(provider);
        assertEq(jobs.finalizeBatch(ids), 1);
        assertEq(token.balanceOf(provider), balance + FEE);
        assertEq(uint8(jobs.jobOf(ids[0]).status), uint8(JobStatus.Finalized));
        assertEq(uint8(jobs.jobOf(ids[1]).status), uint8(JobStatus.Committed));
        assertEq(uint8(jobs.jobOf(ids[2]).status), uint8(JobStatus.Requested));
        assertEq(uint8(jobs.jobOf(ids[5]).status), uint8(JobStatus.Committed));
        assertEq(_lockedStake(provider), 2 * COLLATERAL);
    }

    function test_finalizeBatch_empty_returnsZero() public {
        assertEq(jobs.finalizeBatch(new JobId[](0)), 0);
    }

    // ------------------------------------------------------------ expire

    function test_expire_afterDeadline_refunds() public {
        JobId id = _request();
        skip(1 hours + 1);
        uint256 balance = token.balanceOf(requester);
        vm.expectEmit(address(jobs));
        emit IJobManager.JobExpired(id, requester, FEE);
        vm.prank(makeAddr("anyone"));
        jobs.expire(id);
        assertEq(token.balanceOf(requester), balance + FEE);
        assertEq(token.balanceOf(address(jobs)), 0);
        assertEq(uint8(jobs.jobOf(id).status), uint8(JobStatus.Expired));
    }

    function testFuzz_expire_untilDeadline_reverts(uint256 wait) public {
        JobId id = _request();
        Timestamp deadline = jobs.jobOf(id).commitDeadline;
        wait = bound(wait, 0, 1 hours);
        skip(wait);
        vm.expectRevert(abi.encodeWithSelector(IJobManager.CommitDeadlineNotPassed.selector, id, deadline));
        jobs.expire(id);
    }

    function test_expire_committed_reverts() public {
        JobId id = _committedJob();
        skip(1 days);
        vm.expectRevert(_unexpected(id, JobStatus.Requested, JobStatus.Committed));
        jobs.expire(id);
    }

    function test_expire_twice_reverts() public {
        JobId id = _request();
        skip(1 hours + 1);
        jobs.expire(id);
        vm.expectRevert(_unexpected(id, JobStatus.Requested, JobStatus.Expired));
        jobs.expire(id);
    }

    function test_expire_unknown_reverts() public {
        vm.expectRevert(_unexpected(JobId.wrap(3), JobStatus.Requested, JobStatus.None));
        jobs.expire(JobId.wrap(3));
    }

    // ------------------------------------------------------------ views

    function test_jobOf_unknown_reverts() public {
        vm.expectRevert(abi.encodeWithSelector(IJobManager.UnknownJob.selector, JobId.wrap(1)));
        jobs.jobOf(JobId.wrap(1));
    }

    function test_resultOf_unknown_none() public view {
        (JobStatus status, bytes memory out) = jobs.resultOf(JobId.wrap(1));
        assertEq(uint8(status), uint8(JobStatus.None));
        assertEq(out.length, 0);
    }

    function test_resultOf_expired_noOutput() public {
        JobId id = _request();
        skip(1 hours + 1);
        jobs.expire(id);
        (JobStatus status, bytes memory out) = jobs.resultOf(id);
        assertEq(uint8(status), uint8(JobStatus.Expired));
        assertEq(out.length, 0);
    }

    function test_resultOf_longOutput_roundTrips() public {
        ModelSpec memory big = modelSpec(3, _shape1(8), 6, _shape2(10, 30)); // 1200 bytes, 38 words
        ModelId id = registry.register(big);
        JobId job = _requestAs(requester, id, big, false);
        (bytes memory output, ) = _commitAs(provider, job, big);
        _pastWindow(job);
        jobs.finalize(job);
        (, bytes memory out) = jobs.resultOf(job);
        assertEq(out, output);
    }
}
