// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {TensorCodec} from "../../libraries/TensorCodec.sol";
import {TensorSpec} from "../../libraries/Types.sol";
import {FloatCodec} from "./FloatCodec.sol";
import {FloatCompare} from "./FloatCompare.sol";
import {FloatDot} from "./FloatDot.sol";
import {FloatElementwise} from "./FloatElementwise.sol";
import {FloatMean} from "./FloatMean.sol";
import {FloatOpening} from "./FloatOpening.sol";
import {NumericsPolicy} from "./FloatPolicy.sol";
import {FloatVerdict} from "./FloatVerdict.sol";

/// @title FloatOneStep
/// @notice The float profile's one-element checks (docs/PROTOCOL.md §11), stateless and pure:
///         each returns a {FloatVerdict} for one claimed output element, given the operand
///         values that element depends on; {matMulVerdict} also verifies the two operand
///         openings against their tensor roots, as a one-step proof does.
contract FloatOneStep {
    /// @notice An opening that is not exactly the words of the run it should cover, or an
    ///         operand that is not an fp32 tensor of the expected shape.
    /// @param operand 0 for A, 1 for B.
    /// @param firstWord The opening's first word.
    /// @param wordCount The opening's word count.
    error InvalidOperand(uint256 operand, uint256 firstWord, uint256 wordCount);

    /// @notice An output index past the product's element count.
    /// @param outIndex The index given.
    /// @param outputs The output's element count.
    error OutputIndexOutOfRange(uint256 outIndex, uint256 outputs);

    /// @notice MatMul's operands: A `[M, K]` row-major and B `[K, N]` transposed, fp32 both.
    struct MatMulOperand {
        bytes32 root;
        TensorSpec spec;
        TensorCodec.RangeOpening opening;
    }

    /// @notice The verdict on element `outIndex = r·N + n` of A·B: A's row `[r·K, K)` and B's
    ///         column `[n·K, K)` (docs/PROTOCOL.md §6.1) opened and verified, then {FloatDot}.
    function matMulVerdict(
        MatMulOperand calldata a,
        MatMulOperand calldata b,
        uint256 outIndex,
        uint32 claimed,
        int256 hint,
        NumericsPolicy calldata policy
    ) external pure returns (uint8) {
        (uint256 k, uint256 n) = _matMulShape(a.spec, b.spec, outIndex);
        (bytes32[] memory aWords, uint256 aOffset) = _openRun(a, 0, (outIndex / n) * k, k);
        (bytes32[] memory bWords, uint256 bOffset) = _openRun(b, 1, (outIndex % n) * k, k);
        FloatDot.Gemm memory plain = FloatDot.Gemm(false, 0, FloatCodec.ONE, FloatCodec.ONE);
        return FloatDot.verdict(FloatDot.Element(aWords, aOffset, bWords, bOffset, k, plain, claimed, hint), policy);
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
        if (b.shape.length != 2 || b.layout != TensorCodec.TRANSPOSED) revert InvalidOperand(1, 0, 0);
        k = b.shape[0];
        n = b.shape[1];
        uint256 aRank = a.shape.length;
        if (aRank == 0 || a.layout != TensorCodec.ROW_MAJOR || a.shape[aRank - 1] != k) revert InvalidOperand(0, 0, 0);
        uint256 outputs = (TensorCodec.elementCount(a) / k) * n;
        if (outIndex >= outputs) revert OutputIndexOutOfRange(outIndex, outputs);
    }

    /// @dev The words of the run `[start, start + count)` of an fp32 operand, verified against its
    ///      root; the opening must be exactly those words (docs/PROTOCOL.md §9.3).
    function _openRun(
        MatMulOperand calldata operand,
        uint256 index,
        uint256 start,
        uint256 count
    ) private pure returns (bytes32[] memory words, uint256 offset) {
        TensorSpec memory spec = operand.spec;
        TensorCodec.RangeOpening memory opening = operand.opening;
        uint256 first = start / 8;
        uint256 wordCount = (start + count - 1) / 8 - first + 1;
        uint256 tensorWords = (TensorCodec.elementCount(spec) + 7) / 8;
        if (
            spec.dtype != FloatCodec.FLOAT ||
            opening.firstWord != first ||
            opening.words.length != wordCount ||
            first + wordCount > tensorWords
        ) revert InvalidOperand(index, opening.firstWord, opening.words.length);
        bytes32 dataRoot = FloatOpening.rootFromRange(
            first,
            opening.words,
            opening.proof,
            TensorCodec.depthOf(tensorWords)
        );
        bytes32 reached = TensorCodec.tensorRoot(spec, dataRoot);
        if (reached != operand.root) revert TensorCodec.RootMismatch(operand.root, reached);
        return (opening.words, start % 8);
    }
}
