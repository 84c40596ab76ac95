// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {FloatCodec} from "./FloatCodec.sol";
import {FloatPolicy, NumericsPolicy} from "./FloatPolicy.sol";
import {FloatSum} from "./FloatSum.sol";
import {FloatVerdict} from "./FloatVerdict.sol";

/// @title FloatMean
/// @notice One output element of ReduceMean, AveragePool or GlobalAveragePool (docs/PROTOCOL.md
///         §11.4): y = Σ x_i / d over the window's n elements, checked with
///         B = γ_{n+2}·Σ|x_i| / d + η, i.e. as a sum with divisor d, m = n + 2 and one η. The
///         TypeScript twin is src/float/mean.ts.
library FloatMean {
    /// @notice A window of no elements, more than 2²⁰, or a divisor below its size or above 2²⁰.
    /// @param count The window's element count.
    /// @param divisor The divisor given.
    error InvalidWindow(uint256 count, uint256 divisor);

    /// @notice One element's window.
    /// @param words Opened words holding the window's elements.
    /// @param offset The first element's position in `words`.
    /// @param count n, the number of elements.
    /// @param divisor d.
    /// @param claimed The claimed element's bits.
    /// @param hint The grid exponent g.
    struct Window {
        bytes32[] words;
        uint256 offset;
        uint256 count;
        uint256 divisor;
        uint32 claimed;
        int256 hint;
    }

    /// @notice The verdict on `w.claimed`.
    function verdict(Window memory w, NumericsPolicy memory policy) internal pure returns (uint8) {
        FloatPolicy.validate(policy);
        uint256 count = w.count;
        if (count == 0 || count > FloatSum.MAX_TERMS || w.divisor < count || w.divisor > FloatSum.MAX_TERMS) {
            revert InvalidWindow(count, w.divisor);
        }
        if (w.hint < int256(policy.etaExponent) - FloatSum.ETA_SPAN) revert FloatSum.InvalidHint(w.hint);
        FloatSum.Sum memory s = FloatSum.Sum(0, 0, 0, w.hint, w.divisor, count + 2, 1);
        bool nonFinite;
        bool bad;
        for (uint256 i; i < count; ++i) {
            (bool finite, bool over) = _add(s, FloatCodec.at(w.words, w.offset + i));
            nonFinite = nonFinite || !finite;
            bad = bad || over;
        }
        if (nonFinite) return FloatVerdict.UNCHECKED;
        if (bad) revert FloatSum.InvalidHint(w.hint);
        return FloatSum.verdict(s, w.claimed, policy);
    }

    /// @dev One element onto the grid: whether it is finite, and whether it breaks the hint.
    function _add(FloatSum.Sum memory s, uint32 bits) private pure returns (bool finite, bool over) {
        (bool negative, uint256 mantissa, int256 exponent, bool isFinite) = FloatCodec.decode(bits);
        int256 shift = exponent - s.grid;
        uint256 q;
        if (shift >= 0) {
            q = mantissa << uint256(shift);
        } else if (shift > -256) {
            q = mantissa >> uint256(-shift);
            if (q << uint256(-shift) != mantissa) ++s.inexact;
        } else if (mantissa != 0) {
            ++s.inexact;
        }
        s.center += negative ? -int256(q) : int256(q);
        s.magnitude += q;
        return (isFinite, shift > FloatSum.MAX_SHIFT);
    }
}
