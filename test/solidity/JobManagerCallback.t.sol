// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IJobManager} from "../../contracts/interfaces/IJobManager.sol";
import {JobId, JobStatus} from "../../contracts/libraries/Types.sol";
import {
    ConsumerBase,
    GasBurningConsumer,
    RecordingConsumer,
    ReentrantConsumer,
    ReturnBombConsumer,
    RevertBombConsumer,
    RevertingConsumer
} from "./utils/Consumers.sol";
import {RefuteFixture} from "./utils/RefuteFixture.sol";

contract JobManagerCallbackTest is RefuteFixture {
    function _consumerJob(ConsumerBase consumer) internal returns (JobId id) {
        token.mint(address(consumer), 100e18);
        (bytes memory input, ) = _tensor(specA.input, 7);
        id = consumer.requestJob(modelA, input, FEE, _deadline());
    }

    function _readyJob(ConsumerBase consumer) internal returns (JobId id, bytes memory output) {
        id = _consumerJob(consumer);
        (output, ) = _commit(id);
        _pastWindow(id);
    }

    function _assertFinalized(JobId id) internal view {
        (JobStatus status, ) = jobs.resultOf(id);
        assertEq(uint8(status), uint8(JobStatus.Finalized));
        assertEq(_lockedStake(provider), 0);
    }

    function _slash(JobId id) internal {
        vm.startPrank(game);
        jobs.freeze(id);
        jobs.settleFraud(id);
        vm.stopPrank();
    }

    // ------------------------------------------------------------ delivery

    function test_finalize_consumer_receivesOutput() public {
        RecordingConsumer c = new RecordingConsumer(jobs);
        (JobId id, bytes memory output) = _readyJob(c);
        jobs.finalize(id);
        assertEq(c.calls(), 1);
        assertEq(c.lastJob().raw(), id.raw());
        assertEq(uint8(c.lastStatus()), uint8(JobStatus.Finalized));
        assertEq(c.lastOutput(), output);
        assertEq(c.lastCaller(), address(jobs));
    }

    function test_finalize_noCallbackRequested_notCalled() public {
        RecordingConsumer c = new RecordingConsumer(jobs);
        token.mint(address(c), 100e18);
        (bytes memory input, ) = _tensor(specA.input, 7);
        vm.prank(address(c));
        JobId id = jobs.request(modelA, input, FEE, _deadline(), false);
        _commit(id);
        _pastWindow(id);
        jobs.finalize(id);
        assertEq(c.calls(), 0);
    }

    function test_finalize_eoaRequesterWithCallback_succeeds() public {
        JobId id = _requestAs(requester, modelA, specA, true);
        _commit(id);
        _pastWindow(id);
        jobs.finalize(id);
        _assertFinalized(id);
    }

    function test_settleFraud_consumer_toldSlashedWithoutOutput() public {
        RecordingConsumer c = new RecordingConsumer(jobs);
        JobId id = _consumerJob(c);
        _commit(id);
        _slash(id);
        assertEq(c.calls(), 1);
        assertEq(uint8(c.lastStatus()), uint8(JobStatus.Slashed));
        assertEq(c.lastOutput().length, 0);
    }

    function test_expire_consumer_toldExpired() public {
        RecordingConsumer c = new RecordingConsumer(jobs);
        JobId id = _consumerJob(c);
        skip(1 hours + 1);
        jobs.expire(id);
        assertEq(c.calls(), 1);
        assertEq(uint8(c.lastStatus()), uint8(JobStatus.Expired));
        assertEq(c.lastOutput().length, 0);
        assertEq(token.balanceOf(address(c)), 100e18, "refunded");
    }

    function test_finalizeBatch_consumers_eachCalledOnce() public {
        RecordingConsumer c = new RecordingConsumer(jobs);
        JobId[] memory ids = new JobId[](3);
        for (uint256 i; i < 3; ++i) {
            ids[i] = _consumerJob(c);
            _commit(ids[i]);
        }
        skip(WINDOW);
        JobId[] memory withDuplicate = new JobId[](4);
        (withDuplicate[0], withDuplicate[1], withDuplicate[2], withDuplicate[3]) = (ids[0], ids[1], ids[0], ids[2]);
        assertEq(jobs.finalizeBatch(withDuplicate), 3);
        assertEq(c.calls(), 3);
        assertEq(c.lastJob().raw(), ids[2].raw());
    }

    // ------------------------------------------------------------ hostile consumers

    function test_finalize_revertingConsumer_stillFinalizes() public {
        RevertingConsumer c = new RevertingConsumer(jobs);
        (JobId id, ) = _readyJob(c);
        vm.expectEmit(address(jobs));
        emit IJobManager.CallbackFailed(id, address(c));
        jobs.finalize(id);
        _assertFinalized(id);
    }

    function test_finalize_gasBurningConsumer_stillFinalizes() public {
        GasBurningConsumer c = new GasBurningConsumer(jobs);
        (JobId id, ) = _readyJob(c);
        vm.expectEmit(address(jobs));
        emit IJobManager.CallbackFailed(id, address(c));
        uint256 before = gasleft();
        jobs.finalize(id);
        uint256 used = before - gasleft();
        _assertFinalized(id);
        // The consumer burnt its cap and not a unit more.
        assertGt(used, CALLBACK_GAS);
        assertLt(used, CALLBACK_GAS + 100_000);
    }

    function test_finalize_returnBombConsumer_stillFinalizes() public {
        ReturnBombConsumer c = new ReturnBombConsumer(jobs, 200_000);
        (JobId id, ) = _readyJob(c);
        uint256 before = gasleft();
        jobs.finalize(id);
        uint256 used = before - gasleft();
        _assertFinalized(id);
        // The 200 KB are never copied into the JobManager's memory.
        assertLt(used, CALLBACK_GAS + 100_000);
    }

    function test_finalize_returnBombBeyondCap_stillFinalizes() public {
        ReturnBombConsumer c = new ReturnBombConsumer(jobs, 10_000_000);
        (JobId id, ) = _readyJob(c);
        vm.expectEmit(address(jobs));
        emit IJobManager.CallbackFailed(id, address(c));
        jobs.finalize(id);
        _assertFinalized(id);
    }

    function test_finalize_revertBombConsumer_stillFinalizes() public {
        RevertBombConsumer c = new RevertBombConsumer(jobs);
        (JobId id, ) = _readyJob(c);
        vm.expectEmit(address(jobs));
        emit IJobManager.CallbackFailed(id, address(c));
        uint256 before = gasleft();
        jobs.finalize(id);
        assertLt(before - gasleft(), CALLBACK_GAS + 100_000);
        _assertFinalized(id);
    }

    function test_settleFraud_revertingConsumer_stillSettles() public {
        RevertingConsumer c = new RevertingConsumer(jobs);
        JobId id = _consumerJob(c);
        _commit(id);
        _slash(id);
        (JobStatus status, ) = jobs.resultOf(id);
        assertEq(uint8(status), uint8(JobStatus.Slashed));
    }

    function test_expire_gasBurningConsumer_stillExpires() public {
        GasBurningConsumer c = new GasBurningConsumer(jobs);
        JobId id = _consumerJob(c);
        skip(1 hours + 1);
        jobs.expire(id);
        (JobStatus status, ) = jobs.resultOf(id);
        assertEq(uint8(status), uint8(JobStatus.Expired));
    }

    function test_finalize_reentrantConsumer_cannotFinalizeTwiceButCanRequest() public {
        (bytes memory input, ) = _tensor(specA.input, 7);
        ReentrantConsumer c = new ReentrantConsumer(jobs, modelA, input);
        (JobId id, ) = _readyJob(c);
        uint256 providerBalance = token.balanceOf(provider);
        jobs.finalize(id);
        _assertFinalized(id);
        assertFalse(c.refinalizeSucceeded());
        assertEq(c.nextJob().raw(), id.raw() + 1);
        assertEq(token.balanceOf(provider), providerBalance + FEE, "paid once");
    }

    // ------------------------------------------------------------ gas griefing by the caller

    function test_finalize_tooLittleGasForCallback_reverts() public {
        GasBurningConsumer c = new GasBurningConsumer(jobs);
        (JobId id, ) = _readyJob(c);
        // Enough for everything but the callback's full cap: starving the consumer is refused.
        vm.expectPartialRevert(IJobManager.InsufficientCallbackGas.selector);
        jobs.finalize{gas: 180_000}(id);
        (JobStatus status, ) = jobs.resultOf(id);
        assertEq(uint8(status), uint8(JobStatus.Committed));
    }

    function testFuzz_finalize_callerGas_consumerNeverStarved(uint256 gas) public {
        RecordingConsumer c = new RecordingConsumer(jobs);
        (JobId id, ) = _readyJob(c);
        gas = bound(gas, 50_000, 600_000);
        (bool ok, ) = address(jobs).call{gas: gas}(abi.encodeCall(IJobManager.finalize, (id)));
        (JobStatus status, ) = jobs.resultOf(id);
        if (ok) {
            // Whenever the job finalized, the consumer ran to completion.
            assertEq(uint8(status), uint8(JobStatus.Finalized));
            assertEq(c.calls(), 1);
        } else {
            assertEq(uint8(status), uint8(JobStatus.Committed));
            assertEq(c.calls(), 0);
        }
    }
}
