// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {FloatCodec} from "./FloatCodec.sol";
import {FloatPolicy, NumericsPolicy} from "./FloatPolicy.sol";
import {FloatSum} from "./FloatSum.sol";
import {FloatVerdict} from "./FloatVerdict.sol";

/// @title FloatElementwise
/// @notice Add, Sub, Mul, Div and Sqrt on one element of the float profile (docs/PROTOCOL.md
///         §11.5): the claim must be a faithful rounding of the exact result y,
///         |ŷ − y| ≤ 2u·|y| + η (Div: |ŷ·b − a| ≤ 2u·|a| + η·|b|; Sqrt through squares), with
///         IEEE 754's special values held bit for bit. Every quantity is put on one grid, at
///         most {SPAN} bits below the largest, with every cut-off bit rounded in the provider's
///         favour. The TypeScript twin is src/float/elementwise.ts.
library FloatElementwise {
    uint8 internal constant ADD = 0;
    uint8 internal constant SUB = 1;
    uint8 internal constant MUL = 2;
    uint8 internal constant DIV = 3;
    uint8 internal constant SQRT = 4;

    /// @notice Bits kept below the top of the largest quantity (Add, Sub, Mul, Div).
    int256 internal constant SPAN = 200;
    /// @notice The same for Sqrt, whose quantities are squared.
    int256 internal constant SQRT_SPAN = 100;

    /// @notice An operation code outside ADD … SQRT.
    /// @param op The code given.
    error UnknownOperation(uint8 op);

    /// @dev A dyadic quantity ±mag·2^exp whose integer mantissa has at most `width` bits.
    struct Part {
        bool negative;
        uint256 mag;
        int256 exp;
        int256 width;
    }

    /// @notice The verdict on `claimed` for `op(a, b)` (b ignored by SQRT).
    function verdict(
        uint8 op,
        uint32 a,
        uint32 b,
        uint32 claimed,
        NumericsPolicy memory policy
    ) internal pure returns (uint8) {
        FloatPolicy.validate(policy);
        if (op > SQRT) revert UnknownOperation(op);
        (bool special, uint32 expected) = specialResult(op, a, b);
        if (special) {
            return
                FloatCodec.canonicalize(claimed) == FloatCodec.canonicalize(expected)
                    ? FloatVerdict.ADMISSIBLE
                    : FloatVerdict.VIOLATES;
        }
        if (op == SQRT) return _sqrt(a, claimed, policy);
        return _arithmetic(op, a, b, claimed, policy);
    }

    /// @notice The IEEE result when the element is special: a non-finite operand, a zero
    ///         divisor, or the square root of a number below zero.
    function specialResult(uint8 op, uint32 a, uint32 b) internal pure returns (bool special, uint32 bits) {
        bool aNaN = FloatCodec.isNaN(a);
        bool aInf = !FloatCodec.isFinite(a) && !aNaN;
        bool aNeg = a >> 31 == 1;
        bool aZero = a & 0x7fffffff == 0;
        if (op == SQRT) {
            if (aNaN || (aNeg && !aZero)) return (true, FloatCodec.CANONICAL_NAN);
            if (aInf) return (true, FloatCodec.POSITIVE_INFINITY);
            return (false, 0);
        }
        bool bNaN = FloatCodec.isNaN(b);
        bool bInf = !FloatCodec.isFinite(b) && !bNaN;
        bool bZero = b & 0x7fffffff == 0;
        if (!(aNaN || aInf || bNaN || bInf || (op == DIV && bZero))) return (false, 0);
        if (aNaN || bNaN) return (true, FloatCodec.CANONICAL_NAN);
        bool bNeg = (b >> 31 == 1) != (op == SUB);
        if (op == ADD || op == SUB) {
            if (aInf && bInf && aNeg != bNeg) return (true, FloatCodec.CANONICAL_NAN);
            return (true, _infinity(aInf ? aNeg : bNeg));
        }
        bool sign = aNeg != (b >> 31 == 1);
        if (op == MUL) {
            if ((aInf && bZero) || (bInf && aZero)) return (true, FloatCodec.CANONICAL_NAN);
            return (true, _infinity(sign));
        }
        // DIV: ∞/∞ and 0/0 are NaN, x/∞ a signed zero, ∞/x and x/0 a signed ∞.
        if ((aInf && bInf) || (aZero && bZero)) return (true, FloatCodec.CANONICAL_NAN);
        if (bInf) return (true, sign ? 0x80000000 : 0);
        return (true, _infinity(sign));
    }

    function _infinity(bool negative) private pure returns (uint32) {
        return negative ? FloatCodec.NEGATIVE_INFINITY : FloatCodec.POSITIVE_INFINITY;
    }

    function _part(uint32 bits, bool flip) private pure returns (Part memory) {
        (bool negative, uint256 mantissa, int256 exponent, ) = FloatCodec.decode(bits);
        return Part(negative != flip, mantissa, exponent, 24);
    }

    function _product(Part memory x, Part memory y, int256 width) private pure returns (Part memory) {
        return Part(x.negative != y.negative, x.mag * y.mag, x.exp + y.exp, width);
    }

    /// @dev D (|D| is compared), R (2u·|ΣR| bounds it) and E (η or η·|b|) of §11.5.
    function _parts(
        uint8 op,
        uint32 a,
        uint32 b,
        uint32 claimed,
        NumericsPolicy memory policy
    ) private pure returns (Part[] memory d, Part[] memory r, Part memory e) {
        Part memory c = _part(claimed, false);
        Part memory eta = Part(false, 1, policy.etaExponent, 1);
        if (op == ADD || op == SUB) {
            d = new Part[](3);
            r = new Part[](2);
            d[0] = c;
            d[1] = _part(a, true);
            d[2] = _part(b, op == ADD);
            r[0] = _part(a, false);
            r[1] = _part(b, op == SUB);
            return (d, r, eta);
        }
        r = new Part[](1);
        d = new Part[](2);
        if (op == MUL) {
            Part memory y = _product(_part(a, false), _part(b, false), 48);
            d[0] = c;
            d[1] = Part(!y.negative, y.mag, y.exp, 48);
            r[0] = y;
            return (d, r, eta);
        }
        Part memory bAbs = _part(b, false);
        bAbs.negative = false;
        d[0] = _product(c, _part(b, false), 48);
        d[1] = _part(a, true);
        r[0] = _part(a, false);
        e = _product(eta, bAbs, 24);
    }

    /// @dev Add, Sub, Mul, Div: overflow judged on y's own parts, then |D| against 2u·|R| + E.
    function _arithmetic(
        uint8 op,
        uint32 a,
        uint32 b,
        uint32 claimed,
        NumericsPolicy memory policy
    ) private pure returns (uint8) {
        bool claimFinite = FloatCodec.isFinite(claimed);
        (Part[] memory d, Part[] memory r, Part memory e) = _parts(op, a, b, claimFinite ? claimed : 0, policy);
        if (op == DIV) {
            if (_quotientOverflows(a, b)) return FloatVerdict.UNCHECKED;
        } else {
            int256 zy = _grid(r, new Part[](0), r[0], false, SPAN);
            if (FloatSum.reachesOverflow(_absUp(r, zy), zy)) return FloatVerdict.UNCHECKED;
        }
        if (!claimFinite) return FloatVerdict.VIOLATES;
        return _bound(d, r, e, policy.accumulationBits);
    }

    /// @dev VIOLATES iff 2^(p−1)·(|D| − E) > |R| for every value the grid encloses.
    function _bound(Part[] memory d, Part[] memory r, Part memory e, uint8 p) private pure returns (uint8) {
        int256 z = _grid(d, r, e, true, SPAN);
        uint256 rUp = _absUp(r, z);
        (int256 dv, uint256 dx) = _onGridSum(d, z);
        uint256 dLow = _abs(dv) > dx ? _abs(dv) - dx : 0;
        (uint256 eq, bool ecut) = _onGrid(e, z);
        uint256 eUp = eq + (ecut ? 1 : 0);
        if (dLow <= eUp) return FloatVerdict.ADMISSIBLE;
        return ((dLow - eUp) << (p - 1)) > rUp ? FloatVerdict.VIOLATES : FloatVerdict.ADMISSIBLE;
    }

    /// @dev An upper bound of |Σ parts| in units of 2^z.
    function _absUp(Part[] memory parts, int256 z) private pure returns (uint256) {
        (int256 v, uint256 x) = _onGridSum(parts, z);
        return _abs(v) + x;
    }

    /// @dev |a| ≥ 2¹²⁷·|b|, compared exactly on the mantissas.
    function _quotientOverflows(uint32 a, uint32 b) private pure returns (bool) {
        (, uint256 ma, int256 ea, ) = FloatCodec.decode(a);
        (, uint256 mb, int256 eb, ) = FloatCodec.decode(b);
        if (ma == 0) return false;
        int256 shift = ea - eb - FloatSum.OVERFLOW_EXPONENT;
        // ma, mb < 2²⁴: a shift of 24 or more either way decides alone.
        if (shift >= 24) return true;
        if (shift <= -24) return false;
        return shift >= 0 ? (ma << uint256(shift)) >= mb : ma >= (mb << uint256(-shift));
    }

    /// @dev The grid: the lowest exponent among the parts, but at most `span` below the highest top.
    function _grid(
        Part[] memory x,
        Part[] memory y,
        Part memory e,
        bool withE,
        int256 span
    ) private pure returns (int256) {
        int256 low = type(int256).max;
        int256 top = type(int256).min;
        for (uint256 i; i < x.length + y.length + (withE ? 1 : 0); ++i) {
            Part memory p =
                i < x.length
                    ? x[i]
                    : i < x.length + y.length
                        ? y[i - x.length]
                        : e;
            if (p.exp < low) low = p.exp;
            if (p.exp + p.width > top) top = p.exp + p.width;
        }
        return low > top - span ? low : top - span;
    }

    /// @dev ⌊|p| / 2^z⌋ and whether bits were cut off (the grid keeps every part below 2²⁰¹ units).
    function _onGrid(Part memory p, int256 z) private pure returns (uint256 q, bool cut) {
        int256 shift = p.exp - z;
        if (shift >= 0) return (p.mag << uint256(shift), false);
        if (shift <= -256) return (0, p.mag != 0);
        q = p.mag >> uint256(-shift);
        cut = q << uint256(-shift) != p.mag;
    }

    function _onGridSum(Part[] memory parts, int256 z) private pure returns (int256 value, uint256 cuts) {
        for (uint256 i; i < parts.length; ++i) {
            (uint256 q, bool cut) = _onGrid(parts[i], z);
            value += parts[i].negative ? -int256(q) : int256(q);
            if (cut) ++cuts;
        }
    }

    function _abs(int256 x) private pure returns (uint256) {
        return x < 0 ? uint256(-x) : uint256(x);
    }

    /// @dev Sqrt, r = √a, a ≥ 0: admissible iff P = ŷ + η ≥ 0 with (2^(p−1) − 1)²·a ≤ 2^(2p−2)·P²,
    ///      and Q = ŷ − η ≤ 0 or 2^(2p−2)·Q² ≤ (2^(p−1) + 1)²·a; ŷ and η on grid z, a on 2z; P up,
    ///      Q down, a down in the first test and up in the second. Sizes: P, Q < 2¹⁰² units, so
    ///      the squares times 2⁴⁶ stay below 2²⁵⁰; an a of 2²⁰⁸ units or more violates the first
    ///      test and satisfies the second, so it is not multiplied.
    function _sqrt(uint32 a, uint32 claimed, NumericsPolicy memory policy) private pure returns (uint8) {
        if (!FloatCodec.isFinite(claimed)) return FloatVerdict.VIOLATES;
        (int256 pUp, int256 qLo, int256 z) = _sqrtClaim(claimed, policy.etaExponent);
        if (pUp < 0) return FloatVerdict.VIOLATES;
        (bool aHuge, uint256 aq, bool acut) = _radicand(a, 2 * z);
        if (aHuge) return FloatVerdict.VIOLATES;
        uint256 h = uint256(1) << (policy.accumulationBits - 1);
        if ((h - 1) * (h - 1) * aq > h * h * (uint256(pUp) * uint256(pUp))) return FloatVerdict.VIOLATES;
        if (qLo > 0 && h * h * (uint256(qLo) * uint256(qLo)) > (h + 1) * (h + 1) * (aq + (acut ? 1 : 0))) {
            return FloatVerdict.VIOLATES;
        }
        return FloatVerdict.ADMISSIBLE;
    }

    /// @dev P = ŷ + η rounded up and Q = ŷ − η rounded down on the Sqrt grid z.
    function _sqrtClaim(uint32 claimed, int256 etaExponent) private pure returns (int256 pUp, int256 qLo, int256 z) {
        Part[] memory parts = new Part[](1);
        parts[0] = _part(claimed, false);
        Part memory eta = Part(false, 1, etaExponent, 1);
        z = _grid(parts, new Part[](0), eta, true, SQRT_SPAN);
        (uint256 cq, bool ccut) = _onGrid(parts[0], z);
        int256 up = ccut ? int256(1) : int256(0);
        int256 cLo = parts[0].negative ? -int256(cq) - up : int256(cq);
        int256 cHi = parts[0].negative ? -int256(cq) : int256(cq) + up;
        (uint256 eq, bool ecut) = _onGrid(eta, z);
        int256 etaHi = int256(eq) + (ecut ? int256(1) : int256(0));
        return (cHi + etaHi, cLo - etaHi, z);
    }

    /// @dev ⌊a / 2^z2⌋ and whether bits were cut, or `huge` when it reaches 2²⁰⁸ units.
    function _radicand(uint32 a, int256 z2) private pure returns (bool huge, uint256 q, bool cut) {
        Part memory p = _part(a, false);
        int256 shift = p.exp - z2;
        if (p.mag != 0 && shift >= 0 && (shift >= 208 || p.mag >= uint256(1) << uint256(208 - shift))) {
            return (true, 0, false);
        }
        (q, cut) = _onGrid(p, z2);
    }
}
