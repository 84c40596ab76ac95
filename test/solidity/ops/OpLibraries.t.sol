// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Test} from "forge-std/Test.sol";
import {IOneStepVerifier} from "../../../contracts/interfaces/IOneStepVerifier.sol";
import {TensorCodec} from "../../../contracts/libraries/TensorCodec.sol";
import {TensorSpec} from "../../../contracts/libraries/Types.sol";
import {ArgMaxOp} from "../../../contracts/ops/ArgMaxOp.sol";
import {Broadcast} from "../../../contracts/ops/Broadcast.sol";
import {CastOp} from "../../../contracts/ops/CastOp.sol";
import {ClipOp} from "../../../contracts/ops/ClipOp.sol";
import {ElementwiseOp} from "../../../contracts/ops/ElementwiseOp.sol";
import {GatherOp} from "../../../contracts/ops/GatherOp.sol";
import {IntMath} from "../../../contracts/ops/IntMath.sol";
import {MatMulIntegerOp} from "../../../contracts/ops/MatMulIntegerOp.sol";

/// @dev External entry points so reverts can be expected.
contract OpLibrariesHarness {
    function wrap(int256 v, uint8 dtype) external pure returns (int256) {
        return IntMath.wrap(v, dtype);
    }

    function div(int256 a, int256 b, uint8 dtype) external pure returns (int256) {
        return ElementwiseOp.div(a, b, dtype);
    }

    function sourceIndex(uint32[] memory out, uint32[] memory shape, uint256 o) external pure returns (uint256) {
        return Broadcast.sourceIndex(out, shape, o, 1);
    }

    function normalizeIndex(int256 index, uint256 dim) external pure returns (uint256) {
        return GatherOp.normalizeIndex(index, dim);
    }

    function normalizeAxis(int256 axis, uint256 rank) external pure returns (uint256) {
        return GatherOp.normalizeAxis(axis, rank);
    }
}

/// @notice The operator libraries of contracts/ops on their own: semantics at the edges of each
///         dtype (docs/PROTOCOL.md §6), and the packed fast paths held equal to the plain ones.
contract OpLibrariesTest is Test {
    uint8 internal constant U8 = TensorCodec.UINT8;
    uint8 internal constant I8 = TensorCodec.INT8;
    uint8 internal constant I32 = TensorCodec.INT32;
    uint8 internal constant I64 = TensorCodec.INT64;

    OpLibrariesHarness internal h;

    function setUp() public {
        h = new OpLibrariesHarness();
    }

    // ------------------------------------------------------------------ IntMath

    function test_wrap_int8_wrapsModulo256() public pure {
        assertEq(IntMath.wrap(127, I8), 127);
        assertEq(IntMath.wrap(128, I8), -128);
        assertEq(IntMath.wrap(-129, I8), 127);
        assertEq(IntMath.wrap(300, I8), 44);
        assertEq(IntMath.wrap(-1, I8), -1);
    }

    function test_wrap_uint8_keepsLowByte() public pure {
        assertEq(IntMath.wrap(-1, U8), 255);
        assertEq(IntMath.wrap(256, U8), 0);
        assertEq(IntMath.wrap(-256, U8), 0);
        assertEq(IntMath.wrap(511, U8), 255);
    }

    function test_wrap_int32_and_int64_wrapAtTheirWidth() public pure {
        assertEq(IntMath.wrap(int256(type(int32).max) + 1, I32), type(int32).min);
        assertEq(IntMath.wrap(int256(type(int32).min) - 1, I32), type(int32).max);
        assertEq(IntMath.wrap(int256(type(int64).max) + 1, I64), type(int64).min);
        assertEq(IntMath.wrap(int256(type(int64).min) * 2, I64), 0);
    }

    function test_wrap_unknownDType_reverts() public {
        vm.expectRevert(abi.encodeWithSelector(TensorCodec.UnsupportedDType.selector, uint8(1)));
        h.wrap(0, 1);
    }

    function testFuzz_wrap_matchesSolidityCasts(int256 v) public pure {
        assertEq(IntMath.wrap(v, I8), int256(int8(uint8(uint256(v) & 0xff))));
        assertEq(IntMath.wrap(v, U8), int256(uint256(uint8(uint256(v) & 0xff))));
        assertEq(IntMath.wrap(v, I32), int256(int32(uint32(uint256(v) & 0xffffffff))));
        assertEq(IntMath.wrap(v, I64), int256(int64(uint64(uint256(v) & 0xffffffffffffffff))));
    }

    function test_limits_areTheDTypeRanges() public pure {
        assertEq(IntMath.minOf(U8), 0);
        assertEq(IntMath.maxOf(U8), 255);
        assertEq(IntMath.minOf(I8), -128);
        assertEq(IntMath.maxOf(I8), 127);
        assertEq(IntMath.minOf(I32), type(int32).min);
        assertEq(IntMath.maxOf(I64), type(int64).max);
    }

    // ---------------------------------------------------------------- Elementwise

    function test_add_sub_mul_wrapToTheDType() public pure {
        assertEq(ElementwiseOp.add(127, 1, I8), -128);
        assertEq(ElementwiseOp.add(255, 1, U8), 0);
        assertEq(ElementwiseOp.sub(0, 1, U8), 255);
        assertEq(ElementwiseOp.sub(type(int32).min, 1, I32), type(int32).max);
        assertEq(ElementwiseOp.mul(-128, -128, I8), 0);
        assertEq(ElementwiseOp.mul(16, 16, U8), 0);
        assertEq(ElementwiseOp.mul(type(int64).min, -1, I64), type(int64).min);
        assertEq(ElementwiseOp.mul(65536, 65536, I32), 0);
    }

    function test_div_truncatesTowardZero() public pure {
        assertEq(ElementwiseOp.div(7, 2, I32), 3);
        assertEq(ElementwiseOp.div(-7, 2, I32), -3);
        assertEq(ElementwiseOp.div(7, -2, I32), -3);
        assertEq(ElementwiseOp.div(-7, -2, I32), 3);
        assertEq(ElementwiseOp.div(-128, 3, I8), -42);
        assertEq(ElementwiseOp.div(255, 2, U8), 127);
        assertEq(ElementwiseOp.div(type(int64).min, 2, I64), type(int64).min / 2);
    }

    function test_div_byZero_reverts() public {
        vm.expectRevert(IOneStepVerifier.DivisionByZero.selector);
        h.div(1, 0, I32);
    }

    function test_maxMin_pickTheExtreme() public pure {
        assertEq(ElementwiseOp.max(-1, -2), -1);
        assertEq(ElementwiseOp.min(-1, -2), -2);
        assertEq(ElementwiseOp.max(3, 3), 3);
    }

    // ------------------------------------------------------------ Clip, Relu, Cast

    function test_clip_clampsAndPrefersMaxWhenBoundsCross() public pure {
        assertEq(ClipOp.clip(5, 0, 3), 3);
        assertEq(ClipOp.clip(-5, 0, 3), 0);
        assertEq(ClipOp.clip(2, 0, 3), 2);
        assertEq(ClipOp.clip(2, 5, 1), 1);
        assertEq(ClipOp.clip(-100, IntMath.minOf(I8), IntMath.maxOf(I8)), -100);
    }

    function test_relu_zeroesNegatives() public pure {
        assertEq(ClipOp.relu(-128), 0);
        assertEq(ClipOp.relu(0), 0);
        assertEq(ClipOp.relu(7), 7);
    }

    function test_cast_truncatesAndExtends() public pure {
        assertEq(CastOp.cast(300, I8), 44);
        assertEq(CastOp.cast(-1, U8), 255);
        assertEq(CastOp.cast(200, I8), -56);
        assertEq(CastOp.cast(-56, I32), -56);
        assertEq(CastOp.cast(type(int64).min, I32), 0);
        assertEq(CastOp.cast(int256(type(int64).max), I32), -1);
        assertEq(CastOp.cast(255, I64), 255);
    }

    // ------------------------------------------------------------ Broadcast, Gather

    function _shape(uint32 a, uint32 b, uint32 c) internal pure returns (uint32[] memory s) {
        s = new uint32[](3);
        (s[0], s[1], s[2]) = (a, b, c);
    }

    function test_broadcast_repeatsUnitAndMissingAxes() public view {
        uint32[] memory out = _shape(2, 3, 4);
        // Same shape: the index itself.
        assertEq(h.sourceIndex(out, out, 23), 23);
        // [3, 1]: coordinate (i, j, k) reads (j, 0).
        uint32[] memory col = new uint32[](2);
        (col[0], col[1]) = (3, 1);
        assertEq(h.sourceIndex(out, col, 1 * 12 + 2 * 4 + 3), 2);
        // [4]: reads k.
        uint32[] memory last = new uint32[](1);
        last[0] = 4;
        assertEq(h.sourceIndex(out, last, 17), 1);
        // Scalar: always 0.
        assertEq(h.sourceIndex(out, new uint32[](0), 17), 0);
        // [2, 1, 4]: reads (i, 0, k).
        assertEq(h.sourceIndex(out, _shape(2, 1, 4), 1 * 12 + 2 * 4 + 3), 1 * 4 + 3);
    }

    function test_broadcast_incompatibleDimension_reverts() public {
        uint32[] memory bad = new uint32[](1);
        bad[0] = 3;
        vm.expectRevert(abi.encodeWithSelector(IOneStepVerifier.ShapeMismatch.selector, 1, 3, 4));
        h.sourceIndex(_shape(2, 3, 4), bad, 0);
    }

    function test_broadcast_higherRankOperand_reverts() public {
        uint32[] memory out = new uint32[](1);
        out[0] = 4;
        vm.expectRevert(abi.encodeWithSelector(IOneStepVerifier.ShapeMismatch.selector, 1, 3, 1));
        h.sourceIndex(out, _shape(1, 1, 4), 0);
    }

    function test_gather_indexArithmetic() public pure {
        // data [2, 5, 3] gathered on axis 1 with 4 indices: output [2, 4, 3].
        uint256 inner = 3;
        uint256 q = 4;
        uint256 o = 1 * 12 + 2 * 3 + 1; // (outer 1, j 2, inner 1)
        assertEq(GatherOp.indicesIndex(o, inner, q), 2);
        assertEq(GatherOp.dataIndex(o, 4, 5, inner, q), (1 * 5 + 4) * 3 + 1);
    }

    function test_gather_negativeIndex_countsFromTheEnd() public view {
        assertEq(h.normalizeIndex(-1, 5), 4);
        assertEq(h.normalizeIndex(-5, 5), 0);
        assertEq(h.normalizeIndex(4, 5), 4);
        assertEq(h.normalizeAxis(-1, 3), 2);
        assertEq(h.normalizeAxis(0, 3), 0);
    }

    function test_gather_indexOutOfRange_reverts() public {
        vm.expectRevert(abi.encodeWithSelector(IOneStepVerifier.GatherIndexOutOfRange.selector, int256(5), 5));
        h.normalizeIndex(5, 5);
        vm.expectRevert(abi.encodeWithSelector(IOneStepVerifier.GatherIndexOutOfRange.selector, int256(-6), 5));
        h.normalizeIndex(-6, 5);
    }

    function test_gather_axisOutOfRange_reverts() public {
        vm.expectRevert(abi.encodeWithSelector(IOneStepVerifier.InvalidAttribute.selector, 0, int256(3)));
        h.normalizeAxis(3, 3);
        vm.expectRevert(abi.encodeWithSelector(IOneStepVerifier.InvalidAttribute.selector, 0, int256(-4)));
        h.normalizeAxis(-4, 3);
    }

    // ------------------------------------------------------------------ ArgMax

    function test_argMax_firstOrLastMaximum() public pure {
        int256[] memory row = new int256[](4);
        (row[0], row[1], row[2], row[3]) = (-1, 127, -128, 127);
        assertEq(ArgMaxOp.argMax(row, false), 1);
        assertEq(ArgMaxOp.argMax(row, true), 3);
        int256[] memory one = new int256[](1);
        one[0] = -5;
        assertEq(ArgMaxOp.argMax(one, true), 0);
    }

    /// @dev Words from a seed, an opening of them, and `count` elements of `dtype` read the
    ///      canonical way (TensorCodec.elementAt) starting at position `start`.
    function _packed(
        uint256 seed,
        uint256 wordCount,
        uint8 dtype,
        uint256 start,
        uint256 count
    ) internal pure returns (bytes32[] memory words, int256[] memory values) {
        words = new bytes32[](wordCount);
        for (uint256 i; i < wordCount; ++i) {
            words[i] = keccak256(abi.encode(seed, i));
            // Bias toward ties and zeros: clear whole bytes of every third seed's words.
            if (seed % 3 == 0) {
                unchecked {
                    words[i] &= bytes32(uint256(0xff00ff00) * (uint256(seed >> 8) | 1));
                }
            }
        }
        TensorSpec memory spec = TensorSpec(dtype, 0, new uint32[](0));
        TensorCodec.RangeOpening memory o = TensorCodec.RangeOpening(0, words, new bytes32[](0));
        values = new int256[](count);
        for (uint256 i; i < count; ++i) values[i] = TensorCodec.elementAt(spec, o, start + i);
    }

    function testFuzz_argMaxPacked_matchesArgMax(
        uint256 seed,
        uint8 dtypePick,
        uint256 start,
        uint256 count
    ) public pure {
        uint8[4] memory dtypes = [U8, I8, I32, I64];
        uint8 dtype = dtypes[dtypePick % 4];
        uint256 width = TensorCodec.width(dtype);
        uint256 perWord = 32 / width;
        start = _bound(start, 0, 3 * perWord);
        count = _bound(count, 1, 5 * perWord - start);
        (bytes32[] memory words, int256[] memory row) = _packed(seed, 5, dtype, start, count);
        for (uint256 last; last < 2; ++last) {
            assertEq(
                ArgMaxOp.argMaxPacked(words, start * width, width, TensorCodec.signed(dtype), count, last == 1),
                ArgMaxOp.argMax(row, last == 1)
            );
        }
    }

    // ------------------------------------------------------------- MatMulInteger

    function test_dot_zeroPointsAndInt32Wrap() public pure {
        int256[] memory a = new int256[](3);
        int256[] memory b = new int256[](3);
        (a[0], a[1], a[2]) = (1, -2, 3);
        (b[0], b[1], b[2]) = (4, 5, -6);
        assertEq(MatMulIntegerOp.dot(a, b, 0, 0), 4 - 10 - 18);
        assertEq(MatMulIntegerOp.dot(a, b, 1, -1), 0 * 5 + -3 * 6 + 2 * -5);
        // 40,000 · 255 · 255 = 2,601,000,000 wraps to 2,601,000,000 − 2³².
        int256[] memory big = new int256[](40_000);
        for (uint256 i; i < big.length; ++i) big[i] = 255;
        assertEq(MatMulIntegerOp.dot(big, big, 0, 0), 2_601_000_000 - 2 ** 32);
    }

    function testFuzz_dotPacked_matchesDot(
        uint256 seed,
        bool aSigned,
        bool bSigned,
        uint256 aByte,
        uint256 bByte,
        uint256 k,
        int256 azp,
        int256 bzp
    ) public pure {
        aByte = _bound(aByte, 0, 31);
        bByte = _bound(bByte, 0, 31);
        k = _bound(k, 1, 6 * 32 - (aByte > bByte ? aByte : bByte));
        azp = aSigned ? _bound(azp, -128, 127) : _bound(azp, 0, 255);
        bzp = bSigned ? _bound(bzp, -128, 127) : _bound(bzp, 0, 255);
        (bytes32[] memory aw, int256[] memory a) = _packed(seed, 6, aSigned ? I8 : U8, aByte, k);
        (bytes32[] memory bw, int256[] memory b) = _packed(seed ^ 0xb, 6, bSigned ? I8 : U8, bByte, k);
        assertEq(
            MatMulIntegerOp.dotPacked(
                MatMulIntegerOp.ByteRun(aw, aByte, aSigned, azp),
                MatMulIntegerOp.ByteRun(bw, bByte, bSigned, bzp),
                k
            ),
            MatMulIntegerOp.dot(a, b, azp, bzp)
        );
    }

    function _dot(
        bytes32[] memory aw,
        uint256 aByte,
        bool aSigned,
        int256 azp,
        bytes32[] memory bw,
        uint256 bByte,
        bool bSigned,
        int256 bzp,
        uint256 k
    ) internal pure returns (int256) {
        return
            MatMulIntegerOp.dotPacked(
                MatMulIntegerOp.ByteRun(aw, aByte, aSigned, azp),
                MatMulIntegerOp.ByteRun(bw, bByte, bSigned, bzp),
                k
            );
    }

    function test_dotPacked_extremes_everySignedness() public pure {
        // All bytes at one extreme, K not a multiple of 32 and misaligned, zero points at the other.
        uint256 k = 77;
        bytes32[] memory ones = new bytes32[](4);
        bytes32[] memory lows = new bytes32[](4);
        for (uint256 i; i < 4; ++i) {
            ones[i] = bytes32(type(uint256).max);
            lows[i] = bytes32(0x8080808080808080808080808080808080808080808080808080808080808080);
        }
        // uint8 255 · uint8 255 with zero points 0.
        assertEq(_dot(ones, 5, false, 0, ones, 9, false, 0, k), int256(k) * 255 * 255);
        // int8 −128 − 127 = −255 on both sides.
        assertEq(_dot(lows, 3, true, 127, lows, 0, true, 127, k), int256(k) * 255 * 255);
        // int8 −1 against uint8 255 with zero point 0: −255 each.
        assertEq(_dot(ones, 0, true, 0, ones, 31, false, 0, k), -int256(k) * 255);
    }
}
