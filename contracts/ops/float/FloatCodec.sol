// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title FloatCodec
/// @notice fp32 elements of the float profile (docs/PROTOCOL.md §11.1): IEEE 754 binary32 bit
///         patterns decoded to exact integers, `(−1)^negative · mantissa · 2^exponent`, and their
///         canonical form. The TypeScript twin is src/float/f32.ts.
library FloatCodec {
    /// @notice The one NaN pattern a committed tensor may hold.
    uint32 internal constant CANONICAL_NAN = 0x7fc00000;
    uint32 internal constant POSITIVE_INFINITY = 0x7f800000;
    uint32 internal constant NEGATIVE_INFINITY = 0xff800000;
    /// @notice Bits of 1.0, Gemm's α and β when absent.
    uint32 internal constant ONE = 0x3f800000;
    /// @notice ONNX's dtype code of fp32.
    uint8 internal constant FLOAT = 1;

    /// @notice The exact value of a finite pattern. Normal: mantissa 2²³ + fraction, exponent
    ///         E − 150; subnormal and zero: mantissa = fraction, exponent −149 (so −0 decodes
    ///         like +0, to mantissa 0).
    /// @return negative The sign bit.
    /// @return mantissa Below 2²⁴.
    /// @return exponent At least −149.
    /// @return finite False for ±∞ and NaN (then the other values are meaningless).
    function decode(uint32 bits) internal pure returns (bool negative, uint256 mantissa, int256 exponent, bool finite) {
        uint256 biased = (bits >> 23) & 0xff;
        uint256 fraction = bits & 0x7fffff;
        negative = bits >> 31 == 1;
        finite = biased != 0xff;
        mantissa = biased == 0 ? fraction : fraction | 0x800000;
        exponent = int256(biased == 0 ? 1 : biased) - 150;
    }

    function isFinite(uint32 bits) internal pure returns (bool) {
        return (bits >> 23) & 0xff != 0xff;
    }

    function isNaN(uint32 bits) internal pure returns (bool) {
        return (bits >> 23) & 0xff == 0xff && bits & 0x7fffff != 0;
    }

    /// @notice Every NaN as {CANONICAL_NAN}, −0 as +0, everything else unchanged.
    function canonicalize(uint32 bits) internal pure returns (uint32) {
        if (isNaN(bits)) return CANONICAL_NAN;
        if (bits == 0x80000000) return 0;
        return bits;
    }

    /// @notice Whether a pattern may appear in a committed tensor: anything but a non-canonical NaN.
    function isCanonical(uint32 bits) internal pure returns (bool) {
        return !isNaN(bits) || bits == CANONICAL_NAN;
    }

    /// @notice A key ordering non-NaN patterns as their values (−0 and +0 both 0).
    function orderKey(uint32 bits) internal pure returns (int256) {
        int256 magnitude = int256(uint256(bits & 0x7fffffff));
        return bits >> 31 == 1 ? -magnitude : magnitude;
    }

    /// @notice Element `index` of a run packed four bytes each, big-endian, from the first word's
    ///         most significant byte (docs/PROTOCOL.md §2).
    function at(bytes32[] memory words, uint256 index) internal pure returns (uint32 bits) {
        if (index / 8 >= words.length) revert IndexOutOfRange(index, words.length);
        bits = uint32(uint256(words[index / 8]) >> (224 - 32 * (index % 8)));
    }

    /// @notice An element read past the opened words.
    /// @param index The element asked for.
    /// @param words The number of words opened.
    error IndexOutOfRange(uint256 index, uint256 words);
}
