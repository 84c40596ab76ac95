// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Test} from "forge-std/Test.sol";
import {FloatOpening} from "../../../contracts/ops/float/FloatOpening.sol";
import {TensorCodec} from "../../../contracts/libraries/TensorCodec.sol";

/// @notice FloatOpening.rootFromRange is TensorCodec.rootFromRange: on any input both revert or
///         both return the same root, and on real openings of random trees both reach the root.
contract FloatOpeningTest is Test {
    function fast(
        uint256 first,
        bytes32[] memory leaves,
        bytes32[] memory proof,
        uint256 depth
    ) external pure returns (bytes32) {
        return FloatOpening.rootFromRange(first, leaves, proof, depth);
    }

    function slow(
        uint256 first,
        bytes32[] memory leaves,
        bytes32[] memory proof,
        uint256 depth
    ) external pure returns (bytes32) {
        return TensorCodec.rootFromRange(first, leaves, proof, depth);
    }

    function testFuzz_rootFromRange_anyInput_sameAsTensorCodec(
        uint256 first,
        bytes32[] memory leaves,
        bytes32[] memory proof,
        uint8 depth
    ) public view {
        first = bound(first, 0, 64);
        uint256 d = bound(depth, 0, 7);
        bool fastOk;
        bool slowOk;
        bytes32 fastRoot;
        bytes32 slowRoot;
        try this.fast(first, leaves, proof, d) returns (bytes32 r) {
            (fastOk, fastRoot) = (true, r);
        } catch {}
        try this.slow(first, leaves, proof, d) returns (bytes32 r) {
            (slowOk, slowRoot) = (true, r);
        } catch {}
        assertEq(fastOk, slowOk);
        assertEq(fastRoot, slowRoot);
    }

    /// @dev A tree over `n` leaves and the range proof of [lo, hi], built level by level (§3).
    function testFuzz_rootFromRange_realOpening_reachesRoot(uint256 seed, uint8 n, uint8 a, uint8 b) public view {
        uint256 count = bound(n, 1, 40);
        uint256 lo = bound(a, 0, count - 1);
        uint256 hi = bound(b, lo, count - 1);
        bytes32[] memory leaves = new bytes32[](count);
        for (uint256 i; i < count; ++i) leaves[i] = keccak256(abi.encode(seed, i));
        uint256 depth = TensorCodec.depthOf(count);
        bytes32[] memory level = new bytes32[](1 << depth);
        for (uint256 i; i < count; ++i) level[i] = leaves[i];
        bytes32[] memory proof = new bytes32[](2 * depth);
        uint256 p;
        (uint256 l, uint256 h) = (lo, hi);
        for (uint256 d; d < depth; ++d) {
            if (l % 2 == 1) proof[p++] = level[l - 1];
            if (h % 2 == 0) proof[p++] = level[h + 1];
            bytes32[] memory up = new bytes32[](level.length / 2);
            for (uint256 i; i < up.length; ++i) up[i] = keccak256(abi.encodePacked(level[2 * i], level[2 * i + 1]));
            level = up;
            (l, h) = (l / 2, h / 2);
        }
        assembly ("memory-safe") {
            mstore(proof, p)
        }
        bytes32[] memory range = new bytes32[](hi - lo + 1);
        for (uint256 i; i < range.length; ++i) range[i] = leaves[lo + i];
        assertEq(this.fast(lo, range, proof, depth), TensorCodec.merkleRoot(leaves));
        assertEq(this.slow(lo, range, proof, depth), TensorCodec.merkleRoot(leaves));
    }
}
