// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {console} from "forge-std/console.sol";
import {IJobManager} from "../../contracts/interfaces/IJobManager.sol";
import {JobId, ModelId, ModelSpec, Timestamp} from "../../contracts/libraries/Types.sol";
import {RefuteFixture} from "./utils/RefuteFixture.sol";

/// @notice Gas of the hot paths, logged for development. Each figure is the gasleft()
///         delta around one external call made in its own test, so the job's storage is
///         cold as in a real transaction. "tx" adds the 21,000 base and the calldata
///         (EIP-2028: 16 per non-zero byte, 4 per zero byte) to the execution gas; the
///         measured call also pays the cold access to the JobManager's address (2,600),
///         which a real transaction's target does not, and storage refunds are not
///         subtracted.
/// @dev Model: input uint8[1,784] (784 bytes, an MNIST image), output int32[1,10]
///      (40 bytes, ten logits).
contract GasTest is RefuteFixture {
    ModelSpec internal mnist;
    ModelId internal mnistId;
    bytes internal input;
    JobId internal firstBatchJob;
    JobId internal toFinalize;
    JobId[] internal toFinalizeBatch;

    uint256 internal constant SINGLE = 1;
    uint256 internal constant BATCH_JOBS = 16 + 64 + 256;
    uint256 internal constant FINALIZE_BATCH = 16;

    function setUp() public override {
        super.setUp();
        mnist = modelSpec(2, _shape2(1, 784), 6, _shape2(1, 10));
        mnistId = registry.register(mnist);
        (input, ) = _tensor(mnist.input, 1);
        vm.prank(provider);
        stakes.deposit(100_000e18);

        // Jobs finalized by the finalize tests: committed, then the window passes.
        toFinalize = _mnistJob();
        _commitMnist(toFinalize);
        for (uint256 i; i < FINALIZE_BATCH; ++i) {
            JobId id = _mnistJob();
            _commitMnist(id);
            toFinalizeBatch.push(id);
        }
        vm.warp(block.timestamp + WINDOW);

        // Jobs committed by the commit tests (long deadlines, still open).
        firstBatchJob = _mnistJob();
        for (uint256 i = 1; i < SINGLE + BATCH_JOBS; ++i) {
            _mnistJob();
        }
    }

    function _mnistJob() internal returns (JobId id) {
        vm.prank(requester);
        id = jobs.request(mnistId, input, FEE, Timestamp.wrap(uint64(block.timestamp) + 1 days), false);
    }

    function _commitOf(JobId id) internal view returns (IJobManager.Commit memory c) {
        (bytes memory output, bytes32 root) = _tensor(mnist.output, id.raw());
        c = IJobManager.Commit({jobId: id, outputRoot: root, output: output});
    }

    function _commitMnist(JobId id) internal {
        IJobManager.Commit memory c = _commitOf(id);
        vm.prank(provider);
        jobs.commit(id, c.outputRoot, c.output);
    }

    function _calldataGas(bytes memory data) internal pure returns (uint256 g) {
        for (uint256 i; i < data.length; ++i) {
            g += data[i] == 0 ? 4 : 16;
        }
    }

    function _log(string memory what, uint256 execution, bytes memory data, uint256 jobsCount) internal pure {
        uint256 txGas = 21_000 + _calldataGas(data) + execution;
        console.log(what);
        console.log("  execution gas, total / per job:", execution, execution / jobsCount);
        console.log("  tx estimate,   total / per job:", txGas, txGas / jobsCount);
    }

    // ------------------------------------------------------------ requests

    function test_gas_request() public {
        Timestamp deadline = Timestamp.wrap(uint64(block.timestamp) + 1 days);
        bytes memory data = abi.encodeCall(IJobManager.request, (mnistId, input, FEE, deadline, false));
        vm.prank(requester);
        uint256 g = gasleft();
        jobs.request(mnistId, input, FEE, deadline, false);
        g -= gasleft();
        _log("request (inline 784-byte input)", g, data, 1);
    }

    function test_gas_requestWithRoot() public {
        Timestamp deadline = Timestamp.wrap(uint64(block.timestamp) + 1 days);
        bytes32 root = keccak256("input");
        string memory uri = "ipfs://bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi";
        bytes memory data = abi.encodeCall(IJobManager.requestWithRoot, (mnistId, root, uri, FEE, deadline, false));
        vm.prank(requester);
        uint256 g = gasleft();
        jobs.requestWithRoot(mnistId, root, uri, FEE, deadline, false);
        g -= gasleft();
        _log("requestWithRoot", g, data, 1);
    }

    // ------------------------------------------------------------ commits

    function test_gas_commit() public {
        IJobManager.Commit memory c = _commitOf(firstBatchJob);
        bytes memory data = abi.encodeCall(IJobManager.commit, (c.jobId, c.outputRoot, c.output));
        vm.prank(provider);
        uint256 g = gasleft();
        jobs.commit(c.jobId, c.outputRoot, c.output);
        g -= gasleft();
        _log("commit (single, 40-byte output)", g, data, 1);
    }

    function _commitBatch(uint256 n) internal {
        IJobManager.Commit[] memory c = new IJobManager.Commit[](n);
        for (uint256 i; i < n; ++i) {
            c[i] = _commitOf(JobId.wrap(firstBatchJob.raw() + SINGLE + i));
        }
        bytes memory data = abi.encodeCall(IJobManager.commitBatch, (c));
        vm.prank(provider);
        uint256 g = gasleft();
        jobs.commitBatch(c);
        g -= gasleft();
        _log(string.concat("commitBatch x", vm.toString(n)), g, data, n);
    }

    function test_gas_commitBatch16() public {
        _commitBatch(16);
    }

    function test_gas_commitBatch64() public {
        _commitBatch(64);
    }

    function test_gas_commitBatch256() public {
        _commitBatch(256);
    }

    // ------------------------------------------------------------ finalization

    function test_gas_finalize() public {
        bytes memory data = abi.encodeCall(IJobManager.finalize, (toFinalize));
        uint256 g = gasleft();
        jobs.finalize(toFinalize);
        g -= gasleft();
        _log("finalize", g, data, 1);
    }

    function test_gas_finalizeBatch16() public {
        JobId[] memory ids = toFinalizeBatch;
        bytes memory data = abi.encodeCall(IJobManager.finalizeBatch, (ids));
        uint256 g = gasleft();
        jobs.finalizeBatch(ids);
        g -= gasleft();
        _log("finalizeBatch x16 (one provider)", g, data, ids.length);
    }
}
