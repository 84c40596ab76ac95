// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Test} from "forge-std/Test.sol";
import {IJobManager} from "../../contracts/interfaces/IJobManager.sol";
import {CommitLog} from "../../contracts/libraries/CommitLog.sol";
import {JobId, JobStatus, ModelId, ModelSpec, Timestamp} from "../../contracts/libraries/Types.sol";
import {RefuteFixture} from "./utils/RefuteFixture.sol";

/// @notice Writes streams the way the JobManager does: one per call, chunk nonces counted
///         from 1, no other contract creation.
contract CommitLogHarness {
    uint256 public chunkCount;

    function write(address provider, bytes[] calldata entries) external returns (uint64[] memory pointers) {
        uint256 total;
        for (uint256 i; i < entries.length; ++i) total += entries[i].length;
        CommitLog.Writer memory w = CommitLog.open(provider, chunkCount + 1, total);
        pointers = new uint64[](entries.length);
        for (uint256 i; i < entries.length; ++i) {
            pointers[i] = CommitLog.here(w);
            CommitLog.putCalldata(w, entries[i]);
        }
        chunkCount = CommitLog.close(w) - 1;
    }

    function read(uint64 pointer, uint256 skip, uint256 len) external view returns (bytes memory) {
        return CommitLog.read(pointer, skip, len);
    }

    function providerOf(uint64 pointer) external view returns (address) {
        return CommitLog.providerOf(pointer);
    }
}

contract CommitLogTest is Test {
    CommitLogHarness internal store;

    function setUp() public {
        store = new CommitLogHarness();
    }

    function _bytes(uint256 len, uint256 seed) internal pure returns (bytes memory b) {
        b = new bytes(len);
        bytes32 h = keccak256(abi.encode(seed));
        for (uint256 i; i < len; ++i) {
            if (i % 32 == 0) h = keccak256(abi.encode(h, i));
            b[i] = h[i % 32];
        }
    }

    function _slice(bytes memory b, uint256 from, uint256 len) internal pure returns (bytes memory out) {
        out = new bytes(len);
        for (uint256 i; i < len; ++i) out[i] = b[from + i];
    }

    function test_OneSmallStreamIsOneChunk() public {
        bytes[] memory entries = new bytes[](3);
        entries[0] = _bytes(84, 1);
        entries[1] = _bytes(100, 2);
        entries[2] = _bytes(1, 3);
        address provider = makeAddr("provider");
        uint64[] memory at = store.write(provider, entries);
        assertEq(store.chunkCount(), 1);
        assertEq(at[0], (uint64(1) << 24) | 20);
        assertEq(at[1], (uint64(1) << 24) | (20 + 84));
        assertEq(at[2], (uint64(1) << 24) | (20 + 184));
        for (uint256 i; i < 3; ++i) {
            assertEq(store.read(at[i], 0, entries[i].length), entries[i]);
            assertEq(store.providerOf(at[i]), provider);
        }
    }

    function test_EntryLargerThanTwoChunksReadsBackWhole() public {
        bytes[] memory entries = new bytes[](2);
        entries[0] = _bytes(60_000, 4); // spans three chunks
        entries[1] = _bytes(500, 5);
        uint64[] memory at = store.write(address(this), entries);
        assertEq(store.chunkCount(), 3);
        assertEq(store.read(at[0], 0, 60_000), entries[0]);
        assertEq(store.read(at[1], 0, 500), entries[1]);
        // The second entry starts in the third chunk, after that chunk's header.
        assertEq(at[1] >> 24, 3);
        assertEq(store.providerOf(at[1]), address(this));
        // A read that starts beyond the first chunk skips whole chunks.
        assertEq(store.read(at[0], 50_000, 100), _slice(entries[0], 50_000, 100));
    }

    function test_StreamsOfDifferentProvidersKeepTheirOwnHeader() public {
        bytes[] memory one = new bytes[](1);
        one[0] = _bytes(90, 6);
        address a = makeAddr("a");
        address b = makeAddr("b");
        uint64 first = store.write(a, one)[0];
        uint64 second = store.write(b, one)[0];
        assertEq(first >> 24, 1);
        assertEq(second >> 24, 2);
        assertEq(store.providerOf(first), a);
        assertEq(store.providerOf(second), b);
    }

    /// @notice Any mix of entry sizes reads back byte for byte, whole or from any offset.
    function testFuzz_EntriesReadBack(uint256 seed, uint8 count, uint256 skipSeed) public {
        uint256 n = bound(count, 1, 12);
        bytes[] memory entries = new bytes[](n);
        for (uint256 i; i < n; ++i) {
            uint256 len = bound(uint256(keccak256(abi.encode(seed, i))), 1, 9_000);
            entries[i] = _bytes(len, uint256(keccak256(abi.encode("entry", seed, i))));
        }
        uint64[] memory at = store.write(makeAddr("p"), entries);
        for (uint256 i; i < n; ++i) {
            assertEq(store.read(at[i], 0, entries[i].length), entries[i]);
            uint256 skip = bound(skipSeed, 0, entries[i].length - 1);
            uint256 len = entries[i].length - skip;
            assertEq(store.read(at[i], skip, len), _slice(entries[i], skip, len));
        }
    }
}

/// @notice The JobManager's use of the log: outputs of any size and batches whose entries
///         cross chunk boundaries read back exactly through `jobOf` and `resultOf`.
contract JobManagerCommitLogTest is RefuteFixture {
    function _model(uint32 outputElements) internal returns (ModelSpec memory spec, ModelId id) {
        spec = modelSpec(3, _shape2(2, 3), 6, _shape2(1, outputElements));
        spec.uri = string(abi.encodePacked("ipfs://int32x", vm.toString(outputElements)));
        id = registry.register(spec);
    }

    function _commitOf(ModelSpec memory spec, JobId id) internal pure returns (IJobManager.Commit memory c) {
        (bytes memory output, bytes32 root) = _tensor(spec.output, id.raw());
        c = IJobManager.Commit({jobId: id, outputRoot: root, output: output});
    }

    function test_OutputLargerThanAChunk() public {
        (ModelSpec memory spec, ModelId id) = _model(8_000); // 32,000 bytes of output
        JobId job = _requestAs(requester, id, spec, false);
        Timestamp deadline = jobs.jobOf(job).commitDeadline;
        IJobManager.Commit memory c = _commitOf(spec, job);
        vm.prank(provider);
        jobs.commit(job, c.outputRoot, c.output);

        IJobManager.Job memory j = jobs.jobOf(job);
        assertEq(j.provider, provider);
        assertEq(j.outputRoot, c.outputRoot);
        assertEq(Timestamp.unwrap(j.commitDeadline), Timestamp.unwrap(deadline));
        assertEq(Timestamp.unwrap(j.windowEnd), block.timestamp + WINDOW);

        _pastWindow(job);
        jobs.finalize(job);
        (JobStatus status, bytes memory output) = jobs.resultOf(job);
        assertEq(uint8(status), uint8(JobStatus.Finalized));
        assertEq(output, c.output);
    }

    function test_BatchAcrossChunkBoundaries() public {
        (ModelSpec memory spec, ModelId id) = _model(250); // 1,000-byte outputs, 1,052-byte entries
        uint256 n = 30; // 31,560 bytes of entries: two chunks, the 24th entry split between them
        IJobManager.Commit[] memory commits = new IJobManager.Commit[](n);
        for (uint256 i; i < n; ++i) {
            commits[i] = _commitOf(spec, _requestAs(requester, id, spec, false));
        }
        vm.prank(provider);
        jobs.commitBatch(commits);
        vm.warp(block.timestamp + WINDOW);

        JobId[] memory ids = new JobId[](n);
        for (uint256 i; i < n; ++i) ids[i] = commits[i].jobId;
        assertEq(jobs.finalizeBatch(ids), n);
        for (uint256 i; i < n; ++i) {
            IJobManager.Job memory j = jobs.jobOf(ids[i]);
            assertEq(j.provider, provider);
            assertEq(j.outputRoot, commits[i].outputRoot);
            (, bytes memory output) = jobs.resultOf(ids[i]);
            assertEq(output, commits[i].output);
        }
    }

    function test_JobsOfTwoProvidersInSuccessiveCommits() public {
        address other = makeAddr("other");
        _fund(other, 1_000e18);
        vm.prank(other);
        stakes.deposit(1_000e18);
        JobId a = _request();
        JobId b = _request();
        _commitAs(provider, a, specA);
        _commitAs(other, b, specA);
        assertEq(jobs.jobOf(a).provider, provider);
        assertEq(jobs.jobOf(b).provider, other);
        assertEq(jobs.jobOf(b).commitmentHash, keccak256(abi.encode(b.raw(), other, jobs.jobOf(b).outputRoot)));
    }

    function test_providerOf_andModelOf() public {
        JobId job = _request();
        assertEq(jobs.providerOf(job), address(0));
        assertEq(ModelId.unwrap(jobs.modelOf(job)), ModelId.unwrap(modelA));
        _commit(job);
        assertEq(jobs.providerOf(job), provider);
        assertEq(jobs.providerOf(job), jobs.jobOf(job).provider);
    }

    function test_providerOf_unknownJob_reverts() public {
        JobId unknown = JobId.wrap(999);
        vm.expectRevert(abi.encodeWithSelector(IJobManager.UnknownJob.selector, unknown));
        jobs.providerOf(unknown);
    }

    function test_modelOf_unknownJob_reverts() public {
        JobId unknown = JobId.wrap(999);
        vm.expectRevert(abi.encodeWithSelector(IJobManager.UnknownJob.selector, unknown));
        jobs.modelOf(unknown);
    }

    function test_ExpiredJobKeepsItsDeadline() public {
        JobId job = _request();
        Timestamp deadline = jobs.jobOf(job).commitDeadline;
        vm.warp(Timestamp.unwrap(deadline) + 1);
        jobs.expire(job);
        IJobManager.Job memory j = jobs.jobOf(job);
        assertEq(Timestamp.unwrap(j.commitDeadline), Timestamp.unwrap(deadline));
        assertEq(j.provider, address(0));
        assertEq(j.commitmentHash, bytes32(0));
    }
}
