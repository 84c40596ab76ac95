// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Test} from "forge-std/Test.sol";
import {FloatMultiOpening} from "../../../contracts/ops/float/FloatMultiOpening.sol";
import {FloatOpening} from "../../../contracts/ops/float/FloatOpening.sol";
import {TensorCodec} from "../../../contracts/libraries/TensorCodec.sol";

/// @notice FloatMultiOpening.rootFromWords (docs/PROTOCOL.md §11.9): on random trees and random
///         word sets, the proof built level by level reaches the root; a contiguous run's §3 range
///         proof is the same proof; a changed word or sibling reaches another root; a proof of the
///         wrong length and a malformed index list revert.
contract FloatMultiOpeningTest is Test {
    function open(
        uint256[] memory indices,
        bytes32[] memory leaves,
        bytes32[] memory proof,
        uint256 depth
    ) external pure returns (bytes32) {
        return FloatMultiOpening.rootFromWords(indices, leaves, proof, depth);
    }

    /// @dev A tree over `count` leaves derived from `seed`.
    function _leaves(uint256 seed, uint256 count) internal pure returns (bytes32[] memory leaves) {
        leaves = new bytes32[](count);
        for (uint256 i; i < count; ++i) leaves[i] = keccak256(abi.encode(seed, i));
    }

    /// @dev The words at `indices` and their proof, built from the full levels: per level, left to
    ///      right, the sibling of every known node whose sibling is not known.
    function _prove(
        bytes32[] memory leaves,
        uint256[] memory indices
    ) internal pure returns (bytes32[] memory words, bytes32[] memory proof, uint256 depth) {
        depth = TensorCodec.depthOf(leaves.length);
        bytes32[] memory level = new bytes32[](1 << depth);
        for (uint256 i; i < leaves.length; ++i) level[i] = leaves[i];
        bool[] memory known = new bool[](1 << depth);
        words = new bytes32[](indices.length);
        for (uint256 i; i < indices.length; ++i) {
            known[indices[i]] = true;
            words[i] = leaves[indices[i]];
        }
        proof = new bytes32[](indices.length * depth + 1);
        uint256 p;
        for (uint256 d; d < depth; ++d) {
            bool[] memory up = new bool[](level.length / 2);
            bytes32[] memory parents = new bytes32[](level.length / 2);
            for (uint256 i; i < level.length; ++i) {
                if (known[i] && !known[i ^ 1]) proof[p++] = level[i ^ 1];
                if (known[i]) up[i / 2] = true;
            }
            for (uint256 i; i < parents.length; ++i) {
                parents[i] = keccak256(abi.encodePacked(level[2 * i], level[2 * i + 1]));
            }
            (level, known) = (parents, up);
        }
        assembly ("memory-safe") {
            mstore(proof, p)
        }
    }

    /// @dev Distinct increasing indices below `count`, chosen by the bits of `mask` (at least one).
    function _subset(uint256 mask, uint256 count) internal pure returns (uint256[] memory indices) {
        indices = new uint256[](count);
        uint256 n;
        for (uint256 i; i < count; ++i) if ((mask >> i) & 1 == 1) indices[n++] = i;
        if (n == 0) indices[n++] = mask % count;
        assembly ("memory-safe") {
            mstore(indices, n)
        }
    }

    function testFuzz_rootFromWords_anyWordSet_reachesRoot(uint256 seed, uint8 n, uint256 mask) public view {
        uint256 count = bound(n, 1, 64);
        bytes32[] memory leaves = _leaves(seed, count);
        uint256[] memory indices = _subset(mask, count);
        (bytes32[] memory words, bytes32[] memory proof, uint256 depth) = _prove(leaves, indices);
        assertEq(this.open(indices, words, proof, depth), TensorCodec.merkleRoot(leaves));
    }

    function testFuzz_rootFromWords_contiguousRun_isTheRangeOpening(
        uint256 seed,
        uint8 n,
        uint8 a,
        uint8 b
    ) public view {
        uint256 count = bound(n, 1, 64);
        uint256 lo = bound(a, 0, count - 1);
        uint256 hi = bound(b, lo, count - 1);
        bytes32[] memory leaves = _leaves(seed, count);
        uint256[] memory indices = new uint256[](hi - lo + 1);
        for (uint256 i; i < indices.length; ++i) indices[i] = lo + i;
        (bytes32[] memory words, bytes32[] memory proof, uint256 depth) = _prove(leaves, indices);
        bytes32 root = TensorCodec.merkleRoot(leaves);
        assertEq(this.open(indices, words, proof, depth), root);
        assertEq(FloatOpening.rootFromRange(lo, words, proof, depth), root);
    }

    function testFuzz_rootFromWords_changedWordOrSibling_missesRoot(
        uint256 seed,
        uint8 n,
        uint256 mask,
        uint256 which
    ) public view {
        uint256 count = bound(n, 2, 64);
        bytes32[] memory leaves = _leaves(seed, count);
        uint256[] memory indices = _subset(mask, count);
        (bytes32[] memory words, bytes32[] memory proof, uint256 depth) = _prove(leaves, indices);
        bytes32 root = TensorCodec.merkleRoot(leaves);
        uint256 k = which % (words.length + proof.length);
        if (k < words.length) words[k] ^= bytes32(uint256(1));
        else proof[k - words.length] ^= bytes32(uint256(1));
        assertTrue(this.open(indices, words, proof, depth) != root);
    }

    function testFuzz_rootFromWords_proofOfWrongLength_reverts(
        uint256 seed,
        uint8 n,
        uint256 mask,
        bool longer
    ) public {
        uint256 count = bound(n, 2, 64);
        uint256[] memory indices = _subset(mask, count);
        (bytes32[] memory words, bytes32[] memory proof, uint256 depth) = _prove(_leaves(seed, count), indices);
        bytes32[] memory other = new bytes32[](
            longer
                ? proof.length + 1
                : proof.length == 0
                    ? 0
                    : proof.length - 1
        );
        for (uint256 i; i < other.length && i < proof.length; ++i) other[i] = proof[i];
        vm.assume(other.length != proof.length);
        vm.expectRevert(abi.encodeWithSelector(TensorCodec.MalformedProof.selector, other.length));
        this.open(indices, words, other, depth);
    }

    function test_rootFromWords_indicesNotIncreasing_revert() public {
        uint256[] memory indices = new uint256[](2);
        (indices[0], indices[1]) = (3, 3);
        vm.expectRevert(abi.encodeWithSelector(FloatMultiOpening.InvalidWordSet.selector, 2, 2, 3));
        this.open(indices, new bytes32[](2), new bytes32[](0), 3);
    }

    function test_rootFromWords_indexPastTheTree_reverts() public {
        uint256[] memory indices = new uint256[](1);
        indices[0] = 8;
        vm.expectRevert(abi.encodeWithSelector(FloatMultiOpening.InvalidWordSet.selector, 1, 1, 3));
        this.open(indices, new bytes32[](1), new bytes32[](3), 3);
    }

    function test_rootFromWords_noWords_reverts() public {
        vm.expectRevert(abi.encodeWithSelector(FloatMultiOpening.InvalidWordSet.selector, 0, 0, 2));
        this.open(new uint256[](0), new bytes32[](0), new bytes32[](0), 2);
    }

    function test_rootFromWords_wordsNotOnePerIndex_reverts() public {
        vm.expectRevert(abi.encodeWithSelector(FloatMultiOpening.InvalidWordSet.selector, 2, 1, 2));
        this.open(new uint256[](2), new bytes32[](1), new bytes32[](0), 2);
    }
}
