// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IDisputeHook} from "../../contracts/interfaces/IDisputeHook.sol";
import {IJobManager} from "../../contracts/interfaces/IJobManager.sol";
import {IStakeManager} from "../../contracts/interfaces/IStakeManager.sol";
import {JobId, JobStatus} from "../../contracts/libraries/Types.sol";
import {RefuteFixture} from "./utils/RefuteFixture.sol";

/// @notice The dispute hook: freeze, release and settleFraud, called by `game`.
contract JobManagerDisputeTest is RefuteFixture {
    address internal challenger = makeAddr("challenger");

    function _unexpected(JobId id, JobStatus expected, JobStatus actual) internal pure returns (bytes memory) {
        return abi.encodeWithSelector(IJobManager.UnexpectedStatus.selector, id, expected, actual);
    }

    function _frozenJob() internal returns (JobId id) {
        id = _committedJob();
        vm.prank(game);
        jobs.freeze(id);
    }

    function _settle(JobId id) internal returns (address requester_, uint256 collateral, uint256 fee) {
        vm.prank(game);
        return jobs.settleFraud(id);
    }

    // ------------------------------------------------------------ freeze

    function test_freeze_committed_setsFlag() public {
        JobId id = _committedJob();
        vm.expectEmit(address(jobs));
        emit IDisputeHook.JobDisputed(id);
        vm.prank(game);
        jobs.freeze(id);
        assertTrue(jobs.jobOf(id).frozen);
    }

    function test_freeze_afterWindowEnd_succeeds() public {
        // The dispute game, not the JobManager, decides when a challenge is admissible.
        JobId id = _committedJob();
        _pastWindow(id);
        vm.prank(game);
        jobs.freeze(id);
        assertTrue(jobs.jobOf(id).frozen);
    }

    function testFuzz_freeze_notGame_reverts(address caller) public {
        vm.assume(caller != game);
        JobId id = _committedJob();
        vm.prank(caller);
        vm.expectRevert(abi.encodeWithSelector(IDisputeHook.NotDisputeGame.selector, caller));
        jobs.freeze(id);
    }

    function test_freeze_requested_reverts() public {
        JobId id = _request();
        vm.prank(game);
        vm.expectRevert(_unexpected(id, JobStatus.Committed, JobStatus.Requested));
        jobs.freeze(id);
    }

    function test_freeze_finalized_reverts() public {
        JobId id = _committedJob();
        _pastWindow(id);
        jobs.finalize(id);
        vm.prank(game);
        vm.expectRevert(_unexpected(id, JobStatus.Committed, JobStatus.Finalized));
        jobs.freeze(id);
    }

    function test_freeze_alreadyFrozen_reverts() public {
        JobId id = _frozenJob();
        vm.prank(game);
        vm.expectRevert(abi.encodeWithSelector(IDisputeHook.JobFrozen.selector, id));
        jobs.freeze(id);
    }

    // ------------------------------------------------------------ release

    function test_release_frozen_clearsFlagAndAllowsFinalize() public {
        JobId id = _frozenJob();
        _pastWindow(id);
        vm.expectEmit(address(jobs));
        emit IDisputeHook.JobReleased(id);
        vm.prank(game);
        jobs.release(id);
        assertFalse(jobs.jobOf(id).frozen);
        jobs.finalize(id);
        assertEq(uint8(jobs.jobOf(id).status), uint8(JobStatus.Finalized));
    }

    function test_release_beforeWindowEnd_finalizeWaits() public {
        JobId id = _frozenJob();
        vm.prank(game);
        jobs.release(id);
        vm.expectRevert(abi.encodeWithSelector(IJobManager.ChallengeWindowOpen.selector, id, jobs.jobOf(id).windowEnd));
        jobs.finalize(id);
    }

    function test_release_notGame_reverts() public {
        JobId id = _frozenJob();
        vm.prank(provider);
        vm.expectRevert(abi.encodeWithSelector(IDisputeHook.NotDisputeGame.selector, provider));
        jobs.release(id);
    }

    function test_release_notFrozen_reverts() public {
        JobId id = _committedJob();
        vm.prank(game);
        vm.expectRevert(abi.encodeWithSelector(IDisputeHook.JobNotFrozen.selector, id));
        jobs.release(id);
    }

    function test_release_requested_reverts() public {
        JobId id = _request();
        vm.prank(game);
        vm.expectRevert(_unexpected(id, JobStatus.Committed, JobStatus.Requested));
        jobs.release(id);
    }

    // ------------------------------------------------------------ settleFraud

    function test_settleFraud_frozen_sendsCollateralAndFeeToTheGameAlone() public {
        JobId id = _frozenJob();
        uint256 requesterBefore = token.balanceOf(requester);
        uint256 totalBefore = stakes.totalStaked();
        uint256 freeBefore = _freeStake(provider);
        vm.expectEmit(address(jobs));
        emit IDisputeHook.JobSlashed(id, provider, COLLATERAL, FEE);
        vm.expectEmit(address(stakes));
        emit IStakeManager.Slashed(provider, COLLATERAL, game);
        (address who, uint256 collateral, uint256 fee) = _settle(id);
        assertEq(who, requester);
        assertEq(collateral, COLLATERAL);
        assertEq(fee, FEE);
        IJobManager.Job memory j = jobs.jobOf(id);
        assertEq(uint8(j.status), uint8(JobStatus.Slashed));
        assertFalse(j.frozen);
        // Nothing is pushed to a third party: the dispute game credits the shares (PROTOCOL §9.5).
        assertEq(token.balanceOf(game), COLLATERAL + FEE);
        assertEq(token.balanceOf(requester), requesterBefore);
        assertEq(token.balanceOf(address(jobs)), 0);
        assertEq(_lockedStake(provider), 0);
        assertEq(_freeStake(provider), freeBefore, "free stake untouched");
        assertEq(stakes.totalStaked(), totalBefore - COLLATERAL);
        (JobStatus status, bytes memory out) = jobs.resultOf(id);
        assertEq(uint8(status), uint8(JobStatus.Slashed));
        assertEq(out.length, 0);
    }

    function test_settleFraud_zeroFee_transfersOnlyTheCollateral() public {
        (bytes memory input, ) = _tensor(specA.input, 7);
        vm.prank(requester);
        JobId id = jobs.request(modelA, input, 0, _deadline(), false);
        _commit(id);
        vm.prank(game);
        jobs.freeze(id);
        (, uint256 collateral, uint256 fee) = _settle(id);
        assertEq(fee, 0);
        assertEq(collateral, COLLATERAL);
        assertEq(token.balanceOf(game), COLLATERAL);
    }

    function test_settleFraud_otherJobsCollateralUntouched() public {
        JobId a = _frozenJob();
        _committedJob();
        _settle(a);
        assertEq(_lockedStake(provider), COLLATERAL, "the other job's collateral stays locked");
    }

    function test_settleFraud_notGame_reverts() public {
        JobId id = _frozenJob();
        vm.prank(challenger);
        vm.expectRevert(abi.encodeWithSelector(IDisputeHook.NotDisputeGame.selector, challenger));
        jobs.settleFraud(id);
    }

    function test_settleFraud_notFrozen_reverts() public {
        JobId id = _committedJob();
        vm.prank(game);
        vm.expectRevert(abi.encodeWithSelector(IDisputeHook.JobNotFrozen.selector, id));
        jobs.settleFraud(id);
    }

    function test_settleFraud_twice_reverts() public {
        JobId id = _frozenJob();
        _settle(id);
        vm.prank(game);
        vm.expectRevert(_unexpected(id, JobStatus.Committed, JobStatus.Slashed));
        jobs.settleFraud(id);
    }

    function test_settleFraud_requested_reverts() public {
        JobId id = _request();
        vm.prank(game);
        vm.expectRevert(_unexpected(id, JobStatus.Committed, JobStatus.Requested));
        jobs.settleFraud(id);
    }

    function test_finalize_slashed_reverts() public {
        JobId id = _frozenJob();
        _settle(id);
        _pastWindow(id);
        vm.expectRevert(_unexpected(id, JobStatus.Committed, JobStatus.Slashed));
        jobs.finalize(id);
    }

    function test_freeze_slashed_reverts() public {
        JobId id = _frozenJob();
        _settle(id);
        vm.prank(game);
        vm.expectRevert(_unexpected(id, JobStatus.Committed, JobStatus.Slashed));
        jobs.freeze(id);
    }

    function test_freezeReleaseFreeze_thenSettle_succeeds() public {
        JobId id = _frozenJob();
        vm.startPrank(game);
        jobs.release(id);
        jobs.freeze(id);
        vm.stopPrank();
        _settle(id);
        assertEq(uint8(jobs.jobOf(id).status), uint8(JobStatus.Slashed));
    }
}
