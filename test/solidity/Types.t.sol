// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Test} from "forge-std/Test.sol";
import {Duration, JobId, LibTimestamp, ModelId, Timestamp} from "../../contracts/libraries/Types.sol";

contract TypesTest is Test {
    function testFuzz_jobId_operators_matchUnderlying(uint256 a, uint256 b) public pure {
        assertEq(JobId.wrap(a) == JobId.wrap(b), a == b);
        assertEq(JobId.wrap(a) != JobId.wrap(b), a != b);
        assertEq(JobId.wrap(a).raw(), a);
    }

    function testFuzz_modelId_operators_matchUnderlying(bytes32 a, bytes32 b) public pure {
        assertEq(ModelId.wrap(a) == ModelId.wrap(b), a == b);
        assertEq(ModelId.wrap(a) != ModelId.wrap(b), a != b);
        assertEq(ModelId.wrap(a).raw(), a);
    }

    function testFuzz_timestamp_comparisons_matchUnderlying(uint64 a, uint64 b) public pure {
        Timestamp x = Timestamp.wrap(a);
        Timestamp y = Timestamp.wrap(b);
        assertEq(x < y, a < b);
        assertEq(x <= y, a <= b);
        assertEq(x > y, a > b);
        assertEq(x >= y, a >= b);
    }

    function testFuzz_timestamp_plus_addsDuration(uint32 t, uint32 d) public pure {
        assertEq(Timestamp.wrap(t).plus(Duration.wrap(d)).raw(), uint64(t) + d);
        assertEq(Duration.wrap(d).raw(), d);
    }

    function test_timestamp_current_isBlockTimestamp() public {
        vm.warp(12345);
        assertEq(LibTimestamp.current().raw(), 12345);
        assertTrue(Timestamp.wrap(12344).isPast());
        assertFalse(Timestamp.wrap(12345).isPast());
        assertTrue(Timestamp.wrap(12345).isReached());
        assertFalse(Timestamp.wrap(12346).isReached());
    }
}
