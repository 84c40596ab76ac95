// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title ArgMaxOp
/// @notice ArgMax along the last axis on one row (docs/PROTOCOL.md §6, opcode 15).
library ArgMaxOp {
    /// @notice The index of the first maximum of `row`, or of the last one when `selectLast`.
    function argMax(int256[] memory row, bool selectLast) internal pure returns (int256) {
        uint256 best;
        int256 top = row[0];
        uint256 n = row.length;
        for (uint256 k = 1; k < n; ++k) {
            int256 v = row[k];
            if (v > top || (selectLast && v == top)) {
                top = v;
                best = k;
            }
        }
        return int256(best);
    }

    /// @notice {argMax} of `count` elements of `width` bytes read straight from opened words,
    ///         starting `byteOffset` bytes into them.
    /// @dev Each element is one big-endian two's-complement field (docs/PROTOCOL.md §2); no
    ///      element straddles a word, and the run is contiguous in memory because the words are.
    function argMaxPacked(
        bytes32[] memory words,
        uint256 byteOffset,
        uint256 width,
        bool isSigned,
        uint256 count,
        bool selectLast
    ) internal pure returns (int256 best) {
        assembly ("memory-safe") {
            let p := add(add(words, 0x20), byteOffset)
            let shift := sub(256, shl(3, width))
            let signByte := sub(width, 1)
            let top := shr(shift, mload(p))
            if isSigned {
                top := signextend(signByte, top)
            }
            for {
                let k := 1
            } lt(k, count) {
                k := add(k, 1)
            } {
                let v := shr(shift, mload(add(p, mul(k, width))))
                if isSigned {
                    v := signextend(signByte, v)
                }
                if or(sgt(v, top), and(selectLast, eq(v, top))) {
                    top := v
                    best := k
                }
            }
        }
    }
}
