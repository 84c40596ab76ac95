// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {TensorCodec} from "../../libraries/TensorCodec.sol";
import {TensorSpec} from "../../libraries/Types.sol";
import {FloatCodec} from "./FloatCodec.sol";
import {FloatMultiOpening} from "./FloatMultiOpening.sol";
import {FloatOpening} from "./FloatOpening.sol";

/// @title FloatOperand
/// @notice fp32 operands of a one-step check and their openings against the operands' tensor
///         roots (docs/PROTOCOL.md §3, §6.1, §11.9): one contiguous run by a range opening, or a
///         window's runs by one word-set opening. Operands are numbered in ONNX input order.
library FloatOperand {
    /// @notice An operand opened on one contiguous run of committed positions.
    struct Range {
        bytes32 root;
        TensorSpec spec;
        TensorCodec.RangeOpening opening;
    }

    /// @notice An operand opened on a set of words (the words holding a window's runs), in
    ///         increasing word order, with one proof for all of them ({FloatMultiOpening}).
    struct Words {
        bytes32 root;
        TensorSpec spec;
        bytes32[] words;
        bytes32[] proof;
    }

    /// @notice An opening that is not exactly the words of the run it should cover.
    /// @param operand The operand's input index.
    /// @param firstWord The opening's first word.
    /// @param wordCount The opening's word count.
    error InvalidOperand(uint256 operand, uint256 firstWord, uint256 wordCount);

    /// @notice A word-set opening with another number of words than the window's runs occupy.
    /// @param operand The operand's input index.
    /// @param expected The number of words the runs occupy.
    /// @param given The number of words given.
    error WordCountMismatch(uint256 operand, uint256 expected, uint256 given);

    /// @notice An operand that is not fp32, not in the layout its runs need, or of another rank.
    /// @param operand The operand's input index.
    /// @param dtype Its dtype.
    /// @param layout Its layout.
    /// @param rank Its rank.
    error InvalidOperandSpec(uint256 operand, uint8 dtype, uint8 layout, uint256 rank);

    /// @notice An operand dimension that does not fit the others.
    /// @param operand The operand's input index.
    /// @param axis The axis.
    /// @param expected The dimension the other operands fix.
    /// @param actual The operand's dimension.
    error DimensionMismatch(uint256 operand, uint256 axis, uint256 expected, uint256 actual);

    /// @notice An output index past the output's element count.
    /// @param outIndex The index given.
    /// @param outputs The output's element count.
    error OutputIndexOutOfRange(uint256 outIndex, uint256 outputs);

    /// @notice Reverts unless `spec` is fp32 of rank `rank` in layout `layout`.
    function requireSpec(TensorSpec memory spec, uint256 operand, uint256 rank, uint8 layout) internal pure {
        if (spec.dtype != FloatCodec.FLOAT || spec.layout != layout || spec.shape.length != rank) {
            revert InvalidOperandSpec(operand, spec.dtype, spec.layout, spec.shape.length);
        }
    }

    /// @notice The words of the run `[start, start + count)` verified against the operand's root,
    ///         and the run's first element's place in the first word. The opening must be
    ///         exactly those words (docs/PROTOCOL.md §9.3).
    function openRange(
        Range memory operand,
        uint256 index,
        uint256 start,
        uint256 count
    ) internal pure returns (bytes32[] memory words, uint256 offset) {
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
        _checkRoot(operand.root, spec, dataRoot);
        return (opening.words, start % 8);
    }

    /// @notice The one element at committed position `position`, opened as the run `[position, 1)`.
    function openElement(Range memory operand, uint256 index, uint256 position) internal pure returns (uint32) {
        (bytes32[] memory words, uint256 offset) = openRange(operand, index, position, 1);
        return FloatCodec.at(words, offset);
    }

    /// @notice The opened words, verified against the operand's root: they must be the words at
    ///         `indices` (increasing), which the caller derives from the geometry. No index, no
    ///         opening: then the words and the proof must be empty.
    function openWords(
        Words memory operand,
        uint256 index,
        uint256[] memory indices
    ) internal pure returns (bytes32[] memory) {
        TensorSpec memory spec = operand.spec;
        uint256 tensorWords = (TensorCodec.elementCount(spec) + 7) / 8;
        if (spec.dtype != FloatCodec.FLOAT)
            revert InvalidOperandSpec(index, spec.dtype, spec.layout, spec.shape.length);
        if (operand.words.length != indices.length) {
            revert WordCountMismatch(index, indices.length, operand.words.length);
        }
        if (indices.length == 0) {
            if (operand.proof.length != 0) revert TensorCodec.MalformedProof(operand.proof.length);
            return operand.words;
        }
        bytes32 dataRoot = FloatMultiOpening.rootFromWords(
            indices,
            operand.words,
            operand.proof,
            TensorCodec.depthOf(tensorWords)
        );
        _checkRoot(operand.root, spec, dataRoot);
        return operand.words;
    }

    function _checkRoot(bytes32 expected, TensorSpec memory spec, bytes32 dataRoot) private pure {
        bytes32 reached = TensorCodec.tensorRoot(spec, dataRoot);
        if (reached != expected) revert TensorCodec.RootMismatch(expected, reached);
    }
}
