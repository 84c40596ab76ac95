// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {FloatCodec} from "./FloatCodec.sol";
import {FloatPolicy, NumericsPolicy} from "./FloatPolicy.sol";
import {FloatSum} from "./FloatSum.sol";
import {FloatVerdict} from "./FloatVerdict.sol";

/// @title FloatDot
/// @notice One output element of MatMul, Gemm or Conv in the float profile (docs/PROTOCOL.md
///         §11.4): y = α·Σ_k a_k·b_k + β·c, checked with B = γ_n·(Σ|α·a_k·b_k| + |β·c|) + n·η,
///         n = K + [bias] + [α ≠ 1]. The exact sum is taken in int256 on the grid 2^hint that
///         the prover names; the loop checks that no term lies more than {FloatSum-MAX_SHIFT}
///         above it (so nothing overflows) and counts the terms that fall below it into the
///         enclosure. The TypeScript twin is src/float/dot.ts.
library FloatDot {
    /// @notice Gemm's extras; a MatMul or Conv without bias has `hasBias` false and α = β = 1.0.
    struct Gemm {
        bool hasBias;
        uint32 bias;
        uint32 alpha;
        uint32 beta;
    }

    /// @notice K outside 1 … 2²⁰ − 2, or a run longer than its opened words.
    /// @param k The inner dimension.
    /// @param available Elements available in the opened words from the run's offset.
    error InvalidRun(uint256 k, uint256 available);

    /// @dev Masks over the eight 32-bit lanes of a word of packed fp32.
    uint256 private constant LOW8 = 0x000000ff000000ff000000ff000000ff000000ff000000ff000000ff000000ff;
    uint256 private constant ONES = 0x0000000100000001000000010000000100000001000000010000000100000001;
    uint256 private constant BIT8 = 0x0000010000000100000001000000010000000100000001000000010000000100;
    uint256 private constant BIT31 = 0x8000000080000000800000008000000080000000800000008000000080000000;
    uint256 private constant FRACTION = 0x007fffff007fffff007fffff007fffff007fffff007fffff007fffff007fffff;

    /// @notice One element's operands.
    /// @param aWords Opened words of A's row; the run starts at element `aOffset` of the first.
    /// @param bWords Opened words of B's column (or the Conv filter), from element `bOffset`.
    /// @param k The number of products.
    /// @param gemm Bias, α and β.
    /// @param claimed The claimed element's bits.
    /// @param hint The grid exponent g.
    struct Element {
        bytes32[] aWords;
        uint256 aOffset;
        bytes32[] bWords;
        uint256 bOffset;
        uint256 k;
        Gemm gemm;
        uint32 claimed;
        int256 hint;
    }

    /// @notice The verdict on `e.claimed` (a {FloatVerdict} value).
    function verdict(Element memory e, NumericsPolicy memory policy) internal pure returns (uint8) {
        FloatPolicy.validate(policy);
        uint256 k = e.k;
        if (k == 0 || k > FloatSum.MAX_TERMS - 2) revert InvalidRun(k, 0);
        if (e.aOffset + k > e.aWords.length * 8) revert InvalidRun(k, _available(e.aWords, e.aOffset));
        if (e.bOffset + k > e.bWords.length * 8) revert InvalidRun(k, _available(e.bWords, e.bOffset));
        if (e.hint < int256(policy.etaExponent) - FloatSum.ETA_SPAN) revert FloatSum.InvalidHint(e.hint);
        Gemm memory gemm = e.gemm;
        if (
            !FloatCodec.isFinite(gemm.alpha) ||
            (gemm.hasBias && !(FloatCodec.isFinite(gemm.bias) && FloatCodec.isFinite(gemm.beta)))
        ) {
            return FloatVerdict.UNCHECKED;
        }
        FloatSum.Sum memory s = _products(e);
        if (s.gammaCount == 0) return FloatVerdict.UNCHECKED;
        if (gemm.hasBias) _addBias(s, gemm);
        return FloatSum.verdict(s, e.claimed, policy);
    }

    /// @dev The K products on the grid as a sum with m = e = n; m = 0 marks a non-finite operand.
    function _products(Element memory e) private pure returns (FloatSum.Sum memory s) {
        (bool alphaNegative, uint256 alphaMantissa, int256 alphaExponent, ) = FloatCodec.decode(e.gemm.alpha);
        // A term α·a·b has exponent eα + (E_a' − 150) + (E_b' − 150) with E' = max(E, 1): its shift
        // above the grid is (E_a' + E_b') − base.
        int256 base = 300 - alphaExponent + e.hint;
        (int256 center, uint256 magnitude, uint256 inexact, bool nonFinite, bool bad) = _accumulate(
            Run(e.aWords, e.aOffset, e.bWords, e.bOffset, e.k),
            alphaMantissa,
            base
        );
        if (nonFinite) return s;
        if (bad) revert FloatSum.InvalidHint(e.hint);
        uint256 n = e.k + (e.gemm.hasBias ? 1 : 0) + (e.gemm.alpha == FloatCodec.ONE ? 0 : 1);
        return FloatSum.Sum(alphaNegative ? -center : center, magnitude, inexact, e.hint, 1, n, n);
    }

    /// @dev Elements in `words` from `offset` on.
    function _available(bytes32[] memory words, uint256 offset) private pure returns (uint256) {
        return words.length * 8 > offset ? words.length * 8 - offset : 0;
    }

    /// @dev The two runs of the dot product.
    struct Run {
        bytes32[] aWords;
        uint256 aOffset;
        bytes32[] bWords;
        uint256 bOffset;
        uint256 k;
    }

    /// @dev β·c on the grid, after the hint check for its exponent.
    function _addBias(FloatSum.Sum memory s, Gemm memory gemm) private pure {
        (bool bn, uint256 bm, int256 be, ) = FloatCodec.decode(gemm.beta);
        (bool cn, uint256 cm, int256 ce, ) = FloatCodec.decode(gemm.bias);
        int256 shift = be + ce - s.grid;
        if (shift > FloatSum.MAX_SHIFT) revert FloatSum.InvalidHint(s.grid);
        uint256 mag = bm * cm;
        uint256 q;
        if (shift >= 0) {
            q = mag << uint256(shift);
        } else if (shift > -256) {
            q = mag >> uint256(-shift);
            if (q << uint256(-shift) != mag) ++s.inexact;
        } else if (mag != 0) {
            ++s.inexact;
        }
        s.center += bn != cn ? -int256(q) : int256(q);
        s.magnitude += q;
    }

    /// @dev Σ ±q_k, Σ q_k and the count of inexact terms over the K products, eight lanes per
    ///      word: exponents, hidden bits, signs and both checks are computed for all eight lanes
    ///      of a word at once, then each lane's product is shifted onto the grid. A word whose
    ///      lanes all lie on or above the grid takes the plain path; one with a lane below it the
    ///      path that truncates and counts.
    function _accumulate(
        Run memory run,
        uint256 alphaMantissa,
        int256 base
    ) private pure returns (int256 center, uint256 magnitude, uint256 inexact, bool nonFinite, bool bad) {
        uint256 flags;
        (center, magnitude, inexact, flags) = _lanes(
            _pointer(run.aWords, run.aOffset),
            _pointer(run.bWords, run.bOffset),
            run.k,
            alphaMantissa,
            base
        );
        nonFinite = flags & BIT8 != 0;
        bad = flags & BIT31 != 0;
    }

    /// @dev Memory address of element `offset` of a word array's data.
    function _pointer(bytes32[] memory words, uint256 offset) private pure returns (uint256 p) {
        assembly ("memory-safe") {
            p := add(add(words, 0x20), shl(2, offset))
        }
    }

    /// @dev The kernel. `flags` collects bit 8 of a lane holding ∞ or NaN and bit 31 of a lane
    ///      whose term lies more than MAX_SHIFT above the grid. α's mantissa and the base sit in
    ///      the scratch words 0x00 and 0x20, the two lane constants in the first two words of
    ///      free memory, while it runs, so that every Yul function stays within the legacy stack.
    // The kernel is one assembly block (its steps are Yul functions inside it).
    // solhint-disable-next-line function-max-lines
    function _lanes(
        uint256 pa,
        uint256 pb,
        uint256 k,
        uint256 alphaMantissa,
        int256 base
    ) private pure returns (int256 center, uint256 magnitude, uint256 inexact, uint256 flags) {
        // sum + high sets bit 31 iff sum > base + L; sum + low sets it iff sum ≥ base; both
        // clamped so that no lane sum (at most 510) carries out of its lane.
        int256 top = base + FloatSum.MAX_SHIFT;
        uint256 high =
            top < 0
                ? (1 << 31)
                : top >= 1024
                    ? 0
                    : (1 << 31) - 1 - uint256(top);
        uint256 low =
            base <= 0
                ? (1 << 31)
                : base >= (1 << 30)
                    ? (1 << 30)
                    : (1 << 31) - uint256(base);
        high *= ONES;
        low *= ONES;
        assembly ("memory-safe") {
            // The eight lanes of a word: mantissas (hidden bit included), E' = max(E, 1), and
            // bit 8 of each lane whose E is 255 (∞ or NaN).
            function unpack(w) -> m, e, f {
                e := and(shr(23, w), LOW8)
                f := and(add(e, ONES), BIT8)
                let hidden := and(shr(8, add(e, LOW8)), ONES)
                m := or(and(w, FRACTION), shl(23, hidden))
                e := add(e, xor(hidden, ONES))
            }
            // Eight elements from address p, the lanes past the run's end zeroed.
            function load(p, left) -> w {
                w := mload(p)
                if lt(left, 8) {
                    w := and(w, not(shr(shl(5, left), not(0))))
                }
            }
            // The eight lanes unrolled: Σ of the products shifted onto the grid (dm) and Σ of the
            // negative ones (dn), so that the signed sum is dm − 2·dn.
            function plainLanes(ma, mb, sum, sg) -> dm, dn {
                let am := mload(0x00)
                let b := mload(0x20)
                let p
                p := shl(sub(and(sum, 0x3ff), b), mul(mul(and(ma, 0xffffff), and(mb, 0xffffff)), am))
                dm := add(dm, p)
                dn := add(dn, mul(p, and(sg, 1)))
                p := shl(
                    sub(and(shr(32, sum), 0x3ff), b),
                    mul(mul(and(shr(32, ma), 0xffffff), and(shr(32, mb), 0xffffff)), am)
                )
                dm := add(dm, p)
                dn := add(dn, mul(p, and(shr(32, sg), 1)))
                p := shl(
                    sub(and(shr(64, sum), 0x3ff), b),
                    mul(mul(and(shr(64, ma), 0xffffff), and(shr(64, mb), 0xffffff)), am)
                )
                dm := add(dm, p)
                dn := add(dn, mul(p, and(shr(64, sg), 1)))
                p := shl(
                    sub(and(shr(96, sum), 0x3ff), b),
                    mul(mul(and(shr(96, ma), 0xffffff), and(shr(96, mb), 0xffffff)), am)
                )
                dm := add(dm, p)
                dn := add(dn, mul(p, and(shr(96, sg), 1)))
                p := shl(
                    sub(and(shr(128, sum), 0x3ff), b),
                    mul(mul(and(shr(128, ma), 0xffffff), and(shr(128, mb), 0xffffff)), am)
                )
                dm := add(dm, p)
                dn := add(dn, mul(p, and(shr(128, sg), 1)))
                p := shl(
                    sub(and(shr(160, sum), 0x3ff), b),
                    mul(mul(and(shr(160, ma), 0xffffff), and(shr(160, mb), 0xffffff)), am)
                )
                dm := add(dm, p)
                dn := add(dn, mul(p, and(shr(160, sg), 1)))
                p := shl(
                    sub(and(shr(192, sum), 0x3ff), b),
                    mul(mul(and(shr(192, ma), 0xffffff), and(shr(192, mb), 0xffffff)), am)
                )
                dm := add(dm, p)
                dn := add(dn, mul(p, and(shr(192, sg), 1)))
                p := shl(
                    sub(and(shr(224, sum), 0x3ff), b),
                    mul(mul(and(shr(224, ma), 0xffffff), and(shr(224, mb), 0xffffff)), am)
                )
                dm := add(dm, p)
                dn := add(dn, mul(p, and(shr(224, sg), 1)))
            }
            // One lane's product onto the grid: shifted up, or down with a count of lost bits.
            function cutLane(mag, s) -> p, x {
                let b := mload(0x20)
                switch slt(s, b)
                case 0 {
                    p := shl(sub(s, b), mag)
                }
                default {
                    let d := sub(b, s)
                    p := shr(d, mag)
                    x := iszero(eq(shl(d, p), mag))
                }
            }
            function cutLanes(ma, mb, sum, sg) -> dc, dm, dx {
                for {
                    let i := 0
                } lt(i, 8) {
                    i := add(i, 1)
                } {
                    let p, x := cutLane(mul(mul(and(ma, 0xffffff), and(mb, 0xffffff)), mload(0x00)), and(sum, 0x3ff))
                    dx := add(dx, x)
                    let neg := sub(0, and(sg, 1))
                    dc := add(dc, sub(xor(p, neg), neg))
                    dm := add(dm, p)
                    ma := shr(32, ma)
                    mb := shr(32, mb)
                    sum := shr(32, sum)
                    sg := shr(32, sg)
                }
            }
            function word(qa, qb, left) -> dc, dm, dx, fl {
                let ma, mb, sum, sg
                {
                    let w := load(qa, left)
                    sg := shr(31, w)
                    let s, f
                    ma, s, f := unpack(w)
                    sum := s
                    fl := f
                    w := load(qb, left)
                    sg := and(xor(sg, shr(31, w)), ONES)
                    mb, s, f := unpack(w)
                    sum := add(sum, s)
                    fl := or(fl, f)
                }
                fl := or(fl, and(add(sum, mload(mload(0x40))), BIT31))
                switch eq(and(add(sum, mload(add(mload(0x40), 0x20))), BIT31), BIT31)
                case 1 {
                    let dn
                    dm, dn := plainLanes(ma, mb, sum, sg)
                    dc := sub(dm, shl(1, dn))
                }
                default {
                    dc, dm, dx := cutLanes(ma, mb, sum, sg)
                }
            }
            mstore(0x00, alphaMantissa)
            mstore(0x20, base)
            mstore(mload(0x40), high)
            mstore(add(mload(0x40), 0x20), low)
            for {
                let j := 0
            } lt(j, k) {
                j := add(j, 8)
                pa := add(pa, 0x20)
                pb := add(pb, 0x20)
            } {
                let dc, dm, dx, fl := word(pa, pb, sub(k, j))
                center := add(center, dc)
                magnitude := add(magnitude, dm)
                inexact := add(inexact, dx)
                flags := or(flags, fl)
            }
        }
    }
}
