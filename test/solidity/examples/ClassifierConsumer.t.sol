// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ClassifierConsumer} from "../../../contracts/examples/ClassifierConsumer.sol";
import {IDisputeHook} from "../../../contracts/interfaces/IDisputeHook.sol";
import {IJobManager} from "../../../contracts/interfaces/IJobManager.sol";
import {TensorCodec} from "../../../contracts/libraries/TensorCodec.sol";
import {JobId, JobStatus, ModelId, ModelSpec, Timestamp} from "../../../contracts/libraries/Types.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {RefuteFixture} from "../utils/RefuteFixture.sol";

/// @notice The dispute game's pull payments, reduced to what the consumer uses: etched at the
///         fixture's stand-in `game` address, which receives a slashed job's collateral and fee.
contract PullPaymentsStandIn {
    IERC20 internal token;
    mapping(address account => uint256) public claimable;

    function init(IERC20 token_) external {
        token = token_;
    }

    function credit(address account, uint256 amount) external {
        claimable[account] += amount;
    }

    function withdraw() external returns (uint256 amount) {
        amount = claimable[msg.sender];
        claimable[msg.sender] = 0;
        token.transfer(msg.sender, amount);
    }
}

/// @notice The example consumer acts on a result only once it is Finalized: never on a
///         provisional (Committed) one, one under dispute, or one proven wrong (Slashed).
contract ClassifierConsumerTest is RefuteFixture {
    ClassifierConsumer internal consumer;
    ModelSpec internal specC;
    ModelId internal modelC;
    address internal user = makeAddr("user");

    function setUp() public override {
        super.setUp();
        // The shipped classifier's interface: int8 [1,28,28] in, int64 [1] out.
        uint32[] memory inShape = new uint32[](3);
        (inShape[0], inShape[1], inShape[2]) = (1, 28, 28);
        specC = modelSpec(3, inShape, 7, _shape1(1));
        modelC = registry.register(specC);
        consumer = new ClassifierConsumer(jobs, modelC);
        vm.etch(game, address(new PullPaymentsStandIn()).code);
        PullPaymentsStandIn(game).init(token);
        token.mint(user, 100e18);
        vm.prank(user);
        token.approve(address(consumer), type(uint256).max);
    }

    // ------------------------------------------------------------ helpers

    function _image() internal pure returns (bytes memory image) {
        image = new bytes(784);
        for (uint256 i; i < 784; ++i) {
            image[i] = bytes1(uint8(i % 128));
        }
    }

    function _classify(bool callback) internal returns (JobId id) {
        vm.prank(user);
        id = consumer.classify(_image(), FEE, _deadline(), callback);
    }

    /// @dev The provider commits `label` as the packed int64 output.
    function _commitLabel(JobId id, int64 label) internal {
        bytes memory output = abi.encodePacked(label);
        bytes32 root = TensorCodec.rootOfPacked(specC.output, output);
        vm.prank(provider);
        jobs.commit(id, root, output);
    }

    function _freeze(JobId id) internal {
        vm.prank(game);
        jobs.freeze(id);
    }

    function _slash(JobId id) internal {
        _freeze(id);
        _settleFraud(id);
    }

    /// @dev As the dispute game settles: the collateral and fee come to it, and the requester's
    ///      fee and 30 % share are credited to the consumer's claimable balance.
    function _settleFraud(JobId id) internal {
        vm.prank(game);
        (address who, uint256 collateral, uint256 fee) = jobs.settleFraud(id);
        PullPaymentsStandIn(game).credit(who, fee + (collateral * 3) / 10);
    }

    function _state(JobId id) internal view returns (ClassifierConsumer.RequestState) {
        return consumer.requestOf(id).state;
    }

    function _totalActed() internal view returns (uint256 n) {
        for (uint256 c; c < 10; ++c) {
            n += consumer.classCount(c);
        }
    }

    function _expectNotFinalized(JobId id, JobStatus status) internal {
        vm.expectRevert(abi.encodeWithSelector(ClassifierConsumer.NotFinalized.selector, id, status));
        consumer.pull(id);
    }

    // ------------------------------------------------------------ requests

    function test_classify_escrowsTheFeeAndRequestsTheJob() public {
        uint256 before = token.balanceOf(user);
        JobId id = _classify(true);
        assertEq(token.balanceOf(user), before - FEE);
        assertEq(token.balanceOf(address(consumer)), 0);
        IJobManager.Job memory j = jobs.jobOf(id);
        assertEq(j.requester, address(consumer));
        assertTrue(j.callback);
        assertEq(ModelId.unwrap(j.modelId), ModelId.unwrap(modelC));
        assertEq(uint8(_state(id)), uint8(ClassifierConsumer.RequestState.Pending));
        assertEq(consumer.requestOf(id).requester, user);
    }

    function test_classify_wrongImageLength_reverts() public {
        vm.prank(user);
        vm.expectRevert(abi.encodeWithSelector(ClassifierConsumer.InvalidImage.selector, 783));
        consumer.classify(new bytes(783), FEE, _deadline(), true);
    }

    // ------------------------------------------------------------ never acts early

    function test_pull_requestedJob_reverts() public {
        JobId id = _classify(true);
        _expectNotFinalized(id, JobStatus.Requested);
    }

    function test_pull_provisionalCommittedResult_reverts() public {
        JobId id = _classify(true);
        _commitLabel(id, 3);
        _expectNotFinalized(id, JobStatus.Committed);
        assertEq(_totalActed(), 0);
    }

    function test_pull_provisionalResultPastWindowNotYetFinalized_reverts() public {
        JobId id = _classify(false);
        _commitLabel(id, 3);
        _pastWindow(id);
        _expectNotFinalized(id, JobStatus.Committed);
        assertEq(_totalActed(), 0);
    }

    function test_pull_disputedResult_reverts() public {
        JobId id = _classify(true);
        _commitLabel(id, 3);
        _freeze(id);
        _pastWindow(id);
        vm.expectRevert(abi.encodeWithSelector(IDisputeHook.JobFrozen.selector, id));
        jobs.finalize(id);
        _expectNotFinalized(id, JobStatus.Committed);
        assertEq(uint8(_state(id)), uint8(ClassifierConsumer.RequestState.Pending));
        assertEq(_totalActed(), 0);
    }

    function test_onRefuteResult_spoofedByStranger_reverts() public {
        JobId id = _classify(true);
        _commitLabel(id, 3);
        vm.expectRevert(abi.encodeWithSelector(ClassifierConsumer.NotJobManager.selector, address(this)));
        consumer.onRefuteResult(id, JobStatus.Finalized, abi.encodePacked(int64(3)));
        assertEq(_totalActed(), 0);
    }

    function test_onRefuteResult_nonFinalStatusFromJobManager_reverts() public {
        JobId id = _classify(true);
        vm.prank(address(jobs));
        vm.expectRevert(abi.encodeWithSelector(ClassifierConsumer.NotFinalized.selector, id, JobStatus.Committed));
        consumer.onRefuteResult(id, JobStatus.Committed, abi.encodePacked(int64(3)));
    }

    function test_onRefuteResult_unknownJob_reverts() public {
        vm.prank(address(jobs));
        vm.expectRevert(abi.encodeWithSelector(ClassifierConsumer.UnknownRequest.selector, JobId.wrap(99)));
        consumer.onRefuteResult(JobId.wrap(99), JobStatus.Finalized, abi.encodePacked(int64(3)));
    }

    // ------------------------------------------------------------ acts on final results

    function test_finalize_callback_actsOnTheFinalizedLabel() public {
        JobId id = _classify(true);
        _commitLabel(id, 7);
        _pastWindow(id);
        vm.expectEmit(address(consumer));
        emit ClassifierConsumer.Classified(id, user, 7);
        jobs.finalize(id);
        assertEq(uint8(_state(id)), uint8(ClassifierConsumer.RequestState.Accepted));
        assertEq(consumer.requestOf(id).label, 7);
        assertEq(consumer.classCount(7), 1);
        assertEq(_totalActed(), 1);
    }

    function test_pull_finalizedWithoutCallback_acts() public {
        JobId id = _classify(false);
        _commitLabel(id, 2);
        _pastWindow(id);
        jobs.finalize(id);
        assertEq(_totalActed(), 0);
        assertEq(consumer.pull(id), 2);
        assertEq(consumer.classCount(2), 1);
    }

    function test_pull_afterCallback_doesNotActTwice() public {
        JobId id = _classify(true);
        _commitLabel(id, 4);
        _pastWindow(id);
        jobs.finalize(id);
        assertEq(consumer.pull(id), 4);
        assertEq(consumer.pull(id), 4);
        assertEq(consumer.classCount(4), 1);
    }

    function test_finalize_disputeFailedThenReleased_acts() public {
        JobId id = _classify(true);
        _commitLabel(id, 5);
        _freeze(id);
        vm.prank(game);
        jobs.release(id);
        _pastWindow(id);
        jobs.finalize(id);
        assertEq(consumer.classCount(5), 1);
    }

    function test_finalize_outputNotAClass_rejected() public {
        JobId id = _classify(true);
        _commitLabel(id, 10);
        _pastWindow(id);
        vm.expectEmit(address(consumer));
        emit ClassifierConsumer.Rejected(id, JobStatus.Finalized);
        jobs.finalize(id);
        assertEq(uint8(_state(id)), uint8(ClassifierConsumer.RequestState.Rejected));
        assertEq(_totalActed(), 0);
    }

    function test_onRefuteResult_finalized_costsFarLessThanTheCap() public {
        JobId id = _classify(true);
        bytes memory output = abi.encodePacked(int64(8));
        vm.prank(address(jobs));
        uint256 before = gasleft();
        consumer.onRefuteResult(id, JobStatus.Finalized, output);
        uint256 used = before - gasleft();
        emit log_named_uint("callback gas", used);
        assertLt(used, CALLBACK_GAS / 2);
    }

    function test_finalize_callbackStaysUnderTheGasCap() public {
        JobId id = _classify(true);
        _commitLabel(id, 1);
        _pastWindow(id);
        jobs.finalize(id);
        // A callback that ran out of gas would have left the request Pending (CallbackFailed).
        assertEq(uint8(_state(id)), uint8(ClassifierConsumer.RequestState.Accepted));
    }

    // ------------------------------------------------------------ fraud is never acted on

    function test_slash_callback_recordsRejectedAndNeverActs() public {
        JobId id = _classify(true);
        _commitLabel(id, 9);
        _freeze(id);
        vm.expectEmit(address(consumer));
        emit ClassifierConsumer.Rejected(id, JobStatus.Slashed);
        _settleFraud(id);
        assertEq(uint8(_state(id)), uint8(ClassifierConsumer.RequestState.Rejected));
        assertEq(_totalActed(), 0);
        _expectNotFinalized(id, JobStatus.Slashed);
        assertEq(consumer.refundOf(user), FEE);
    }

    function test_slash_refundedFeeCanBeWithdrawn() public {
        JobId id = _classify(true);
        _commitLabel(id, 9);
        _slash(id);
        assertEq(token.balanceOf(address(consumer)), 0, "the refund waits in the dispute game");
        uint256 before = token.balanceOf(user);
        vm.prank(user);
        consumer.withdraw();
        assertEq(token.balanceOf(user), before + FEE);
        assertEq(PullPaymentsStandIn(game).claimable(address(consumer)), 0, "collected");
        assertEq(token.balanceOf(address(consumer)), (COLLATERAL * 3) / 10, "the share stays with the consumer");
        vm.prank(user);
        vm.expectRevert(abi.encodeWithSelector(ClassifierConsumer.NothingToWithdraw.selector, user));
        consumer.withdraw();
    }

    function test_reclaim_slashedWithoutCallback_recordsRejected() public {
        JobId id = _classify(false);
        _commitLabel(id, 9);
        _slash(id);
        consumer.reclaim(id);
        assertEq(uint8(_state(id)), uint8(ClassifierConsumer.RequestState.Rejected));
        assertEq(consumer.refundOf(user), FEE);
        assertEq(_totalActed(), 0);
        vm.expectRevert(abi.encodeWithSelector(ClassifierConsumer.NotReclaimable.selector, id, JobStatus.Slashed));
        consumer.reclaim(id);
    }

    function test_reclaim_finalizedJob_reverts() public {
        JobId id = _classify(false);
        _commitLabel(id, 1);
        _pastWindow(id);
        jobs.finalize(id);
        vm.expectRevert(abi.encodeWithSelector(ClassifierConsumer.NotReclaimable.selector, id, JobStatus.Finalized));
        consumer.reclaim(id);
    }

    function test_expire_callback_refundsTheFee() public {
        JobId id = _classify(true);
        vm.warp(Timestamp.unwrap(jobs.jobOf(id).commitDeadline) + 1);
        jobs.expire(id);
        assertEq(uint8(_state(id)), uint8(ClassifierConsumer.RequestState.Expired));
        assertEq(consumer.refundOf(user), FEE);
        _expectNotFinalized(id, JobStatus.Expired);
    }
}
