// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {TensorCodec} from "../../libraries/TensorCodec.sol";
import {TensorSpec} from "../../libraries/Types.sol";
import {FloatClaim} from "./FloatClaim.sol";
import {FloatCodec} from "./FloatCodec.sol";
import {FloatCompare} from "./FloatCompare.sol";
import {FloatConv} from "./FloatConv.sol";
import {FloatDot} from "./FloatDot.sol";
import {FloatElementwise} from "./FloatElementwise.sol";
import {FloatGemm} from "./FloatGemm.sol";
import {FloatMean} from "./FloatMean.sol";
import {FloatOperand} from "./FloatOperand.sol";
import {NumericsPolicy} from "./FloatPolicy.sol";
import {FloatPool} from "./FloatPool.sol";
import {FloatVerdict} from "./FloatVerdict.sol";

/// @title FloatOneStep
/// @notice The float profile's one-element checks (docs/PROTOCOL.md §11), stateless and pure:
///         each returns a {FloatVerdict} for one claimed output element, given the operand
///         values that element depends on; {matMulVerdict}, {gemmVerdict}, {convVerdict} and the
///         pool checks also verify the operand openings against their tensor roots, as a
///         one-step proof does.
contract FloatOneStep {
    /// @notice The verdict on element `outIndex = r·N + n` of A·B: A's row `[r·K, K)` and B's
    ///         column `[n·K, K)` (docs/PROTOCOL.md §6.1) opened and verified, then {FloatDot}.
    function matMulVerdict(
        FloatOperand.Range calldata a,
        FloatOperand.Range calldata b,
        uint256 outIndex,
        uint32 claimed,
        int256 hint,
        NumericsPolicy calldata policy
    ) external pure returns (uint8) {
        (uint256 k, uint256 n) = _matMulShape(a.spec, b.spec, outIndex);
        (bytes32[] memory aWords, uint256 aOffset) = FloatOperand.openRange(a, 0, (outIndex / n) * k, k);
        (bytes32[] memory bWords, uint256 bOffset) = FloatOperand.openRange(b, 1, (outIndex % n) * k, k);
        FloatDot.Gemm memory plain = FloatDot.Gemm(false, 0, FloatCodec.ONE, FloatCodec.ONE);
        return FloatDot.verdict(FloatDot.Element(aWords, aOffset, bWords, bOffset, k, plain, claimed, hint), policy);
    }

    /// @notice The verdict on element `outIndex = ((b·M + m)·OH + oy)·OW + ox` of a 2-D Conv: the
    ///         input rows under the kernel (one word-set opening of X), the filter W[m] (one range)
    ///         and B[m] (absent when `bias.root` is zero), verified, then {FloatDot}
    ///         (docs/PROTOCOL.md §11.9).
    function convVerdict(
        FloatOperand.Words calldata x,
        FloatOperand.Range calldata w,
        FloatOperand.Range calldata bias,
        FloatConv.Geometry calldata geometry,
        uint256 outIndex,
        uint32 claimed,
        int256 hint,
        NumericsPolicy calldata policy
    ) external pure returns (uint8) {
        return FloatConv.verdict(x, w, bias, geometry, FloatClaim(outIndex, claimed, hint), policy);
    }

    /// @notice The verdict on element `outIndex = m·N + n` of Gemm: A's row m, B's column n (both
    ///         contiguous in their committed layouts) and C's broadcast element (absent when
    ///         `c.root` is zero), verified, then {FloatDot} (docs/PROTOCOL.md §11.9).
    function gemmVerdict(
        FloatOperand.Range calldata a,
        FloatOperand.Range calldata b,
        FloatOperand.Range calldata c,
        FloatGemm.Attributes calldata attributes,
        uint256 outIndex,
        uint32 claimed,
        int256 hint,
        NumericsPolicy calldata policy
    ) external pure returns (uint8) {
        return FloatGemm.verdict(a, b, c, attributes, FloatClaim(outIndex, claimed, hint), policy);
    }

    /// @notice The verdict on one element of MaxPool: the window's rows (one word-set opening)
    ///         verified, then the largest value by bit equality (docs/PROTOCOL.md §11.6, §11.9).
    function maxPoolVerdict(
        FloatOperand.Words calldata x,
        FloatPool.Geometry calldata geometry,
        uint256 outIndex,
        uint32 claimed
    ) external pure returns (uint8) {
        return FloatPool.maxVerdict(x, geometry, outIndex, claimed);
    }

    /// @notice The verdict on one element of AveragePool: the window's rows verified, then
    ///         {FloatMean} over the values inside the image (docs/PROTOCOL.md §11.9).
    function averagePoolVerdict(
        FloatOperand.Words calldata x,
        FloatPool.Geometry calldata geometry,
        uint256 outIndex,
        uint32 claimed,
        int256 hint,
        NumericsPolicy calldata policy
    ) external pure returns (uint8) {
        return FloatPool.averageVerdict(x, geometry, outIndex, claimed, hint, policy);
    }

    /// @notice The verdict on one element of GlobalAveragePool: the plane (one range) verified,
    ///         then {FloatMean} (docs/PROTOCOL.md §11.9).
    function globalAveragePoolVerdict(
        FloatOperand.Range calldata x,
        uint256 outIndex,
        uint32 claimed,
        int256 hint,
        NumericsPolicy calldata policy
    ) external pure returns (uint8) {
        return FloatPool.globalAverageVerdict(x, outIndex, claimed, hint, policy);
    }

    /// @notice The verdict on one element of MatMul, Gemm or Conv from its operand runs.
    function dotVerdict(FloatDot.Element calldata e, NumericsPolicy calldata policy) external pure returns (uint8) {
        return FloatDot.verdict(e, policy);
    }

    /// @notice Whether the element is proven wrong: {dotVerdict} is VIOLATES.
    function dotViolates(FloatDot.Element calldata e, NumericsPolicy calldata policy) external pure returns (bool) {
        return FloatDot.verdict(e, policy) == FloatVerdict.VIOLATES;
    }

    /// @notice The verdict on one element of ReduceMean or an average pool.
    function meanVerdict(FloatMean.Window calldata w, NumericsPolicy calldata policy) external pure returns (uint8) {
        return FloatMean.verdict(w, policy);
    }

    /// @notice The verdict on one element of Add, Sub, Mul, Div or Sqrt ({FloatElementwise} codes).
    function elementwiseVerdict(
        uint8 op,
        uint32 a,
        uint32 b,
        uint32 claimed,
        NumericsPolicy calldata policy
    ) external pure returns (uint8) {
        return FloatElementwise.verdict(op, a, b, claimed, policy);
    }

    /// @notice Relu.
    function reluVerdict(uint32 x, uint32 claimed) external pure returns (uint8) {
        return FloatCompare.equalityVerdict(claimed, true, FloatCompare.relu(x));
    }

    /// @notice Max, Min (over the broadcast operands) or MaxPool (over the window).
    function extremumVerdict(uint32[] calldata xs, bool largest, uint32 claimed) external pure returns (uint8) {
        (bool defined, uint32 value) = FloatCompare.extremum(xs, largest);
        return FloatCompare.equalityVerdict(claimed, defined, value);
    }

    /// @notice ArgMax over one row.
    function argMaxVerdict(uint32[] calldata row, bool selectLast, uint256 claimedIndex) external pure returns (uint8) {
        (bool defined, uint256 index) = FloatCompare.argMax(row, selectLast);
        if (!defined) return FloatVerdict.UNCHECKED;
        return index == claimedIndex ? FloatVerdict.ADMISSIBLE : FloatVerdict.VIOLATES;
    }

    /// @dev K and N of A `[…, K]` row-major times B `[K, N]` transposed, and `outIndex` in range.
    function _matMulShape(
        TensorSpec calldata a,
        TensorSpec calldata b,
        uint256 outIndex
    ) private pure returns (uint256 k, uint256 n) {
        if (b.shape.length != 2 || b.layout != TensorCodec.TRANSPOSED) revert FloatOperand.InvalidOperand(1, 0, 0);
        k = b.shape[0];
        n = b.shape[1];
        uint256 aRank = a.shape.length;
        if (aRank == 0 || a.layout != TensorCodec.ROW_MAJOR || a.shape[aRank - 1] != k)
            revert FloatOperand.InvalidOperand(0, 0, 0);
        uint256 outputs = (TensorCodec.elementCount(a) / k) * n;
        if (outIndex >= outputs) revert FloatOperand.OutputIndexOutOfRange(outIndex, outputs);
    }
}
