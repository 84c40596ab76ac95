// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {TensorCodec} from "../../libraries/TensorCodec.sol";

/// @title FloatMultiOpening
/// @notice The root a word-set opening reaches (docs/PROTOCOL.md §11.9): several words of one
///         tensor tree, at strictly increasing indices, proven together with one proof that holds
///         each missing sibling once, level by level from the leaves up and left to right within a
///         level. Runs that share upper levels (the rows under a convolution window) share those
///         siblings. For one contiguous run it is §3's range opening, proof for proof.
library FloatMultiOpening {
    /// @notice Word indices that are empty, not strictly increasing, past the tree, or not one per word.
    /// @param indices The number of indices.
    /// @param leaves The number of words given.
    /// @param depth The tree's depth.
    error InvalidWordSet(uint256 indices, uint256 leaves, uint256 depth);

    /// @notice Root reached from `leaves` at `indices` of a tree of depth `depth`, with `proof`
    ///         consumed exactly (else `TensorCodec.MalformedProof`).
    // The fold is one assembly block.
    // solhint-disable-next-line function-max-lines
    function rootFromWords(
        uint256[] memory indices,
        bytes32[] memory leaves,
        bytes32[] memory proof,
        uint256 depth
    ) internal pure returns (bytes32 root) {
        uint256 count = indices.length;
        if (count == 0 || leaves.length != count || depth > 64 || indices[count - 1] >> depth != 0) {
            revert InvalidWordSet(count, leaves.length, depth);
        }
        bool increasing = true;
        assembly ("memory-safe") {
            let at := add(indices, 0x20)
            for {
                let i := 1
            } lt(i, count) {
                i := add(i, 1)
            } {
                if iszero(gt(mload(add(at, shl(5, i))), mload(add(at, shl(5, sub(i, 1)))))) {
                    increasing := 0
                }
            }
        }
        if (!increasing) revert InvalidWordSet(count, leaves.length, depth);
        bool ok;
        assembly ("memory-safe") {
            // The level's known nodes: their indices and hashes, each in a buffer of its own,
            // overwritten in place by their parents (parent j is written after node j is read).
            let idx := mload(0x40)
            let hs := add(idx, shl(5, count))
            mstore(0x40, add(hs, shl(5, count)))
            mcopy(idx, add(indices, 0x20), shl(5, count))
            mcopy(hs, add(leaves, 0x20), shl(5, count))
            let p := add(proof, 0x20)
            let pEnd := add(p, shl(5, mload(proof)))
            ok := 1
            for {
                let d := 0
            } lt(d, depth) {
                d := add(d, 1)
            } {
                let out := 0
                for {
                    let i := 0
                } lt(i, count) {
                    out := add(out, 1)
                } {
                    let x := mload(add(idx, shl(5, i)))
                    let h := mload(add(hs, shl(5, i)))
                    let j := add(i, 1)
                    switch and(x, 1)
                    case 1 {
                        // A right child whose left sibling is not known: it comes from the proof.
                        if iszero(lt(p, pEnd)) {
                            ok := 0
                            break
                        }
                        mstore(0x00, mload(p))
                        mstore(0x20, h)
                        p := add(p, 0x20)
                    }
                    default {
                        switch and(lt(j, count), eq(mload(add(idx, shl(5, j))), add(x, 1)))
                        case 1 {
                            mstore(0x00, h)
                            mstore(0x20, mload(add(hs, shl(5, j))))
                            j := add(j, 1)
                        }
                        default {
                            if iszero(lt(p, pEnd)) {
                                ok := 0
                                break
                            }
                            mstore(0x00, h)
                            mstore(0x20, mload(p))
                            p := add(p, 0x20)
                        }
                    }
                    mstore(add(hs, shl(5, out)), keccak256(0x00, 0x40))
                    mstore(add(idx, shl(5, out)), shr(1, x))
                    i := j
                }
                if iszero(ok) {
                    break
                }
                count := out
            }
            if iszero(and(eq(p, pEnd), eq(count, 1))) {
                ok := 0
            }
            root := mload(hs)
        }
        if (!ok) revert TensorCodec.MalformedProof(proof.length);
    }
}
