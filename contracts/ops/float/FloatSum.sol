// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {FloatCodec} from "./FloatCodec.sol";
import {NumericsPolicy} from "./FloatPolicy.sol";
import {FloatVerdict} from "./FloatVerdict.sol";

/// @title FloatSum
/// @notice The sum families' decision (docs/PROTOCOL.md §11.4) from an enclosure of the exact
///         sum on a grid 2^g: y ∈ 2^g·[Y − c, Y + c], Σ|t| ≤ 2^g·(A + c). With d the divisor,
///         m the roundings per term and e the η count, the claim ŷ is fraud iff
///           (2^p − m)·(D − H) > m·(A + c),  D > H,
///         where D is the least |d·ŷ − y| over the enclosure in grid units (d·ŷ rounded outward
///         when finer than the grid) and H = ⌈d·e·η / 2^g⌉. The TypeScript twin is
///         `gridSumVerdict` in src/float/sum.ts.
/// @dev Sizes (MAX_SHIFT, at most 2²⁰ terms of 72 bits): A + c < 2²²², m ≤ 2²⁰ + 2, H ≤ 2¹³⁶.
///      A claim or a distance of 2²³⁰ units or more is decided without multiplying: then
///      (2^p − m)·(D − H) > 2²³·2²²⁸ > m·(A + c), the same answer the product would give.
library FloatSum {
    /// @notice L: a term's exponent may lie at most this far above the grid.
    int256 internal constant MAX_SHIFT = 128;
    /// @notice The grid lies at most this many bits below η.
    int256 internal constant ETA_SPAN = 96;
    /// @notice Terms, roundings and divisor at most.
    uint256 internal constant MAX_TERMS = 1 << 20;
    /// @notice An exact sum of 2¹²⁷ or more might overflow: unchecked.
    int256 internal constant OVERFLOW_EXPONENT = 127;
    /// @notice A grid hint below η's span (ETA_SPAN) or below some term's exponent minus MAX_SHIFT.
    /// @param hint The hint given.
    error InvalidHint(int256 hint);

    /// @dev Grid units from which a claim or a distance is fraud without multiplying.
    uint256 private constant FAR = 1 << 230;

    /// @notice An enclosure and what it is compared with.
    /// @param center Y.
    /// @param magnitude A.
    /// @param inexact c, the number of terms that lost bits on the grid.
    /// @param grid g.
    /// @param divisor d.
    /// @param gammaCount m.
    /// @param etaCount e.
    struct Sum {
        int256 center;
        uint256 magnitude;
        uint256 inexact;
        int256 grid;
        uint256 divisor;
        uint256 gammaCount;
        uint256 etaCount;
    }

    /// @notice The decision for claim `claimed` (steps 2-4 of docs/PROTOCOL.md §11.4).
    function verdict(Sum memory s, uint32 claimed, NumericsPolicy memory policy) internal pure returns (uint8) {
        uint256 sUp = s.magnitude + s.inexact;
        if (reachesOverflow(sUp, s.grid)) return FloatVerdict.UNCHECKED;
        (bool decided, uint256 distance) = _claimDistance(s, claimed);
        if (decided) return FloatVerdict.VIOLATES;
        uint256 eta = ceilPow2(s.divisor * s.etaCount, int256(policy.etaExponent) - s.grid);
        if (distance <= eta) return FloatVerdict.ADMISSIBLE;
        uint256 excess = distance - eta;
        if (excess >= FAR) return FloatVerdict.VIOLATES;
        uint256 scale = (uint256(1) << policy.accumulationBits) - s.gammaCount;
        return scale * excess > s.gammaCount * sUp ? FloatVerdict.VIOLATES : FloatVerdict.ADMISSIBLE;
    }

    /// @dev The least |d·ŷ − y| over the enclosure in grid units, or `violates` for a non-finite
    ///      claim or one of {FAR} units or more.
    function _claimDistance(Sum memory s, uint32 claimed) private pure returns (bool violates, uint256 distance) {
        (bool negative, uint256 mantissa, int256 exponent, bool finite) = FloatCodec.decode(claimed);
        if (!finite) return (true, 0);
        (bool far, int256 lo, int256 hi) = _claimInterval(negative, mantissa * s.divisor, exponent - s.grid);
        if (far) return (true, 0);
        return (false, _distance(s.center, s.inexact, lo, hi));
    }

    /// @notice Whether `value · 2^g ≥ 2¹²⁷`.
    function reachesOverflow(uint256 value, int256 g) internal pure returns (bool) {
        int256 e = OVERFLOW_EXPONENT - g;
        if (e <= 0) return value > 0;
        if (e >= 256) return false;
        return value >= uint256(1) << uint256(e);
    }

    /// @notice ⌈count · 2^shift⌉ for a shift that keeps the result below 2²⁵⁶ when positive.
    function ceilPow2(uint256 count, int256 shift) internal pure returns (uint256) {
        if (shift >= 0) return count << uint256(shift);
        if (count == 0) return 0;
        if (shift <= -256) return 1;
        uint256 down = uint256(-shift);
        uint256 q = count >> down;
        return q << down == count ? q : q + 1;
    }

    /// @dev ⌊x⌋ and ⌈x⌉ of the signed claim `±mag·2^shift` in grid units, or `far` when its
    ///      magnitude reaches {FAR}.
    function _claimInterval(
        bool negative,
        uint256 mag,
        int256 shift
    ) private pure returns (bool far, int256 lo, int256 hi) {
        if (mag == 0) return (false, 0, 0);
        uint256 q;
        bool cut;
        if (shift >= 0) {
            if (shift >= 230 || mag >= FAR >> uint256(shift)) return (true, 0, 0);
            q = mag << uint256(shift);
        } else if (shift > -256) {
            uint256 down = uint256(-shift);
            q = mag >> down;
            cut = q << down != mag;
        } else {
            cut = true;
        }
        int256 v = int256(q);
        int256 up = cut ? int256(1) : int256(0);
        return negative ? (false, -v - up, -v) : (false, v, v + up);
    }

    /// @dev The least |x − y| for x ∈ [lo, hi] and y ∈ [center − c, center + c]; 0 if they meet.
    function _distance(int256 center, uint256 inexact, int256 lo, int256 hi) private pure returns (uint256) {
        int256 c = int256(inexact);
        int256 below = center - c - hi;
        if (below > 0) return uint256(below);
        int256 above = lo - (center + c);
        return above > 0 ? uint256(above) : 0;
    }
}
