// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {TensorCodec} from "../../libraries/TensorCodec.sol";

/// @title FloatOpening
/// @notice The root a range opening reaches (docs/PROTOCOL.md §3), the same function as
///         {TensorCodec-rootFromRange}, folded in place in one memory buffer: an fp32 operand run
///         opens eight times the words of an int8 one, and this costs about a sixth per word.
library FloatOpening {
    /// @notice Root reached from the contiguous `leaves` starting at leaf `first` of a tree of
    ///         depth `depth`, with `proof` consumed exactly (else `TensorCodec.MalformedProof`).
    // The fold is one assembly block.
    // solhint-disable-next-line function-max-lines
    function rootFromRange(
        uint256 first,
        bytes32[] memory leaves,
        bytes32[] memory proof,
        uint256 depth
    ) internal pure returns (bytes32 root) {
        uint256 count = leaves.length;
        if (count == 0) revert TensorCodec.InvalidRange(first, 0, 0);
        bool ok;
        assembly ("memory-safe") {
            // Buffer: one free word before the nodes for a left sibling, the nodes, one after.
            let base := mload(0x40)
            mstore(0x40, add(base, shl(5, add(count, 2))))
            let start := add(base, 0x20)
            mcopy(start, add(leaves, 0x20), shl(5, count))
            let p := add(proof, 0x20)
            let pEnd := add(p, shl(5, mload(proof)))
            ok := 1
            let lo := first
            for {
                let d := 0
            } lt(d, depth) {
                d := add(d, 1)
            } {
                if and(lo, 1) {
                    if iszero(lt(p, pEnd)) {
                        ok := 0
                        break
                    }
                    start := sub(start, 0x20)
                    mstore(start, mload(p))
                    p := add(p, 0x20)
                    count := add(count, 1)
                }
                if and(count, 1) {
                    if iszero(lt(p, pEnd)) {
                        ok := 0
                        break
                    }
                    mstore(add(start, shl(5, count)), mload(p))
                    p := add(p, 0x20)
                    count := add(count, 1)
                }
                // Parents overwrite the buffer from its second word: parent i is written after
                // nodes 2i and 2i + 1 are read, and never over a node not yet read.
                count := shr(1, count)
                let out := add(base, 0x20)
                for {
                    let i := 0
                } lt(i, count) {
                    i := add(i, 1)
                } {
                    mstore(add(out, shl(5, i)), keccak256(add(start, shl(6, i)), 0x40))
                }
                start := out
                lo := shr(1, lo)
            }
            if iszero(and(eq(p, pEnd), eq(count, 1))) {
                ok := 0
            }
            root := mload(start)
        }
        if (!ok) revert TensorCodec.MalformedProof(proof.length);
    }
}
