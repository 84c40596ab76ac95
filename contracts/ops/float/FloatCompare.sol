// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {FloatCodec} from "./FloatCodec.sol";
import {FloatVerdict} from "./FloatVerdict.sol";

/// @title FloatCompare
/// @notice fp32 operators whose result is one of their operands (docs/PROTOCOL.md §11.6): Relu,
///         Max, Min, MaxPool, ArgMax and the data movers. Nothing is rounded, so the claim must
///         equal the result after canonicalization; values are ordered as real numbers with
///         −0 = +0. The TypeScript twin is src/float/bitwise.ts.
library FloatCompare {
    /// @notice max(x, 0) in canonical form; NaN stays NaN.
    function relu(uint32 x) internal pure returns (uint32) {
        if (FloatCodec.isNaN(x)) return FloatCodec.CANONICAL_NAN;
        return FloatCodec.orderKey(x) < 0 ? 0 : FloatCodec.canonicalize(x);
    }

    /// @notice The largest (or smallest) value, canonical; `defined` is false when one is NaN,
    ///         since kernels differ on whether a NaN wins or is skipped.
    function extremum(uint32[] memory xs, bool largest) internal pure returns (bool defined, uint32 value) {
        value = xs[0];
        for (uint256 i; i < xs.length; ++i) {
            uint32 x = xs[i];
            if (FloatCodec.isNaN(x)) return (false, 0);
            int256 kx = FloatCodec.orderKey(x);
            int256 kv = FloatCodec.orderKey(value);
            if (largest ? kx > kv : kx < kv) value = x;
        }
        return (true, FloatCodec.canonicalize(value));
    }

    /// @notice The index of the first (or last) maximum; `defined` is false for a row with a NaN.
    function argMax(uint32[] memory row, bool selectLast) internal pure returns (bool defined, uint256 index) {
        int256 best = type(int256).min;
        for (uint256 i; i < row.length; ++i) {
            uint32 x = row[i];
            if (FloatCodec.isNaN(x)) return (false, 0);
            int256 k = FloatCodec.orderKey(x);
            if (k > best || (k == best && selectLast)) {
                best = k;
                index = i;
            }
        }
        return (true, index);
    }

    /// @notice The claim against an exact result: ADMISSIBLE if equal after canonicalization,
    ///         VIOLATES if not, UNCHECKED without a defined result.
    function equalityVerdict(uint32 claimed, bool defined, uint32 expected) internal pure returns (uint8) {
        if (!defined) return FloatVerdict.UNCHECKED;
        return
            FloatCodec.canonicalize(claimed) == FloatCodec.canonicalize(expected)
                ? FloatVerdict.ADMISSIBLE
                : FloatVerdict.VIOLATES;
    }
}
