// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IFloatStepVerifier} from "../../../interfaces/IFloatStepVerifier.sol";
import {IOneStepVerifier} from "../../../interfaces/IOneStepVerifier.sol";
import {NodeDescriptor} from "../../../libraries/Graph.sol";
import {TensorCodec} from "../../../libraries/TensorCodec.sol";
import {TensorSpec} from "../../../libraries/Types.sol";
import {Broadcast} from "../../Broadcast.sol";
import {GatherOp} from "../../GatherOp.sol";
import {Opcodes} from "../../Opcodes.sol";
import {FloatCodec} from "../FloatCodec.sol";
import {FloatCompare} from "../FloatCompare.sol";
import {FloatElementwise} from "../FloatElementwise.sol";
import {FloatOperand} from "../FloatOperand.sol";
import {NumericsPolicy} from "../FloatPolicy.sol";
import {FloatVerdict} from "../FloatVerdict.sol";
import {FloatStep} from "./FloatStep.sol";
import {IFloatStepPart} from "./IFloatStepPart.sol";

/// @title FloatPointwiseStep
/// @notice The routed check of the operators that read one element per input — Add, Sub, Mul,
///         Div, Sqrt ({FloatElementwise}, numpy broadcasting), Relu, Max, Min, and the data
///         movers Reshape, Flatten, Identity, Gather, Transpose (bit equality, {FloatCompare}) —
///         and of ArgMax, which reads one row (docs/PROTOCOL.md §6.1, §11.5, §11.6, §11.10).
///         `operands` is `(RangeOpening[] openings)`: one range opening per run of §6.1, in its
///         order (Gather: the index element, then the data element; ArgMax: the row).
contract FloatPointwiseStep is IFloatStepPart {
    /// @inheritdoc IFloatStepPart
    function verdict(
        NodeDescriptor calldata node,
        bytes32[] calldata operandRoots,
        uint256 outIndex,
        int256 claimed,
        bytes calldata operands,
        NumericsPolicy calldata policy
    ) external pure returns (uint8) {
        TensorCodec.RangeOpening[] memory openings = abi.decode(operands, (TensorCodec.RangeOpening[]));
        if (node.opcode == Opcodes.ARG_MAX) return _argMax(node, operandRoots, outIndex, claimed, openings);
        uint256 outputs = TensorCodec.elementCount(node.output);
        if (outIndex >= outputs) revert IOneStepVerifier.OutputIndexOutOfRange(outIndex, outputs);
        return _elementVerdict(node, operandRoots, outIndex, FloatStep.bits(claimed), openings, policy);
    }

    /// @dev Every opcode but ArgMax: an fp32 output element.
    function _elementVerdict(
        NodeDescriptor calldata node,
        bytes32[] calldata roots,
        uint256 outIndex,
        uint32 claimed,
        TensorCodec.RangeOpening[] memory openings,
        NumericsPolicy calldata policy
    ) private pure returns (uint8) {
        uint8 op = node.opcode;
        if (op >= Opcodes.ADD && op <= Opcodes.DIV)
            return _arithmetic(node, roots, outIndex, claimed, openings, policy);
        if (op == Opcodes.MAX || op == Opcodes.MIN) return _extremum(node, roots, outIndex, claimed, openings);
        if (op == Opcodes.GATHER) return _gather(node, roots, outIndex, claimed, openings);
        if (op == Opcodes.SQRT || op == Opcodes.RELU) {
            FloatStep.expectShape(node, 1, 1, 0);
            uint32 x = _same(node, roots, outIndex, openings);
            if (op == Opcodes.RELU) return FloatCompare.equalityVerdict(claimed, true, FloatCompare.relu(x));
            return FloatElementwise.verdict(FloatElementwise.SQRT, x, 0, claimed, policy);
        }
        return FloatCompare.equalityVerdict(claimed, true, _moved(node, roots, outIndex, openings));
    }

    /// @dev Add, Sub, Mul, Div: one element of each input at its broadcast index.
    function _arithmetic(
        NodeDescriptor calldata node,
        bytes32[] calldata roots,
        uint256 outIndex,
        uint32 claimed,
        TensorCodec.RangeOpening[] memory openings,
        NumericsPolicy calldata policy
    ) private pure returns (uint8) {
        FloatStep.expectShape(node, 2, 2, 0);
        _expectOpenings(openings, 2);
        uint32 a = _broadcast(node, roots, outIndex, openings, 0);
        uint32 b = _broadcast(node, roots, outIndex, openings, 1);
        return FloatElementwise.verdict(node.opcode - Opcodes.ADD, a, b, claimed, policy);
    }

    /// @dev Max, Min over one element of each input at its broadcast index.
    function _extremum(
        NodeDescriptor calldata node,
        bytes32[] calldata roots,
        uint256 outIndex,
        uint32 claimed,
        TensorCodec.RangeOpening[] memory openings
    ) private pure returns (uint8) {
        uint256 count = node.inputs.length;
        FloatStep.expectShape(node, 1, type(uint256).max, 0);
        _expectOpenings(openings, count);
        uint32[] memory xs = new uint32[](count);
        for (uint256 i; i < count; ++i) xs[i] = _broadcast(node, roots, outIndex, openings, i);
        (bool defined, uint32 value) = FloatCompare.extremum(xs, node.opcode == Opcodes.MAX);
        return FloatCompare.equalityVerdict(claimed, defined, value);
    }

    /// @dev Reshape, Flatten, Identity, Transpose: the one element the output element copies.
    function _moved(
        NodeDescriptor calldata node,
        bytes32[] calldata roots,
        uint256 outIndex,
        TensorCodec.RangeOpening[] memory openings
    ) private pure returns (uint32) {
        uint8 op = node.opcode;
        if (op == Opcodes.RESHAPE) {
            // The shape operand is never opened: the descriptor's output spec fixes the shape.
            FloatStep.expectShape(node, 2, 2, 0);
        } else if (op == Opcodes.FLATTEN) {
            FloatStep.expectShape(node, 1, 1, 1);
            int256 rank = int256(node.inputs[0].spec.shape.length);
            int256 axis = node.attrs[0];
            if (axis < -rank || axis > rank) revert IOneStepVerifier.InvalidAttribute(0, axis);
        } else if (op == Opcodes.IDENTITY) {
            FloatStep.expectShape(node, 1, 1, 0);
        } else if (op == Opcodes.TRANSPOSE) {
            FloatStep.expectShape(node, 1, 1, node.inputs.length == 0 ? 0 : node.inputs[0].spec.shape.length);
            _expectOpenings(openings, 1);
            TensorSpec memory spec = node.inputs[0].spec;
            uint256 source = _transposeSource(node, spec, outIndex);
            return _element(node, roots, openings[0], 0, TensorCodec.committedPosition(spec, source));
        } else {
            revert IFloatStepVerifier.UnsupportedFloatOpcode(op);
        }
        return _same(node, roots, outIndex, openings);
    }

    /// @dev Indices `[j, 1)` (int32 or int64), then data at the gathered position.
    function _gather(
        NodeDescriptor calldata node,
        bytes32[] calldata roots,
        uint256 outIndex,
        uint32 claimed,
        TensorCodec.RangeOpening[] memory openings
    ) private pure returns (uint8) {
        FloatStep.expectShape(node, 2, 2, 1);
        _expectOpenings(openings, 2);
        TensorSpec memory data = node.inputs[0].spec;
        uint256 source = _gatherSource(node, roots[1], outIndex, data, openings[0]);
        uint32 x = _element(node, roots, openings[1], 0, TensorCodec.committedPosition(data, source));
        return FloatCompare.equalityVerdict(claimed, true, x);
    }

    /// @dev The row-major data index output element `outIndex` reads, from the index element.
    function _gatherSource(
        NodeDescriptor calldata node,
        bytes32 indicesRoot,
        uint256 outIndex,
        TensorSpec memory data,
        TensorCodec.RangeOpening memory opening
    ) private pure returns (uint256) {
        TensorCodec.elementCount(data);
        uint256 axis = GatherOp.normalizeAxis(node.attrs[0], data.shape.length);
        uint256 dim = data.shape[axis];
        uint256 inner = 1;
        for (uint256 i = axis + 1; i < data.shape.length; ++i) inner *= data.shape[i];
        TensorSpec memory indices = node.inputs[1].spec;
        uint256 indexCount = TensorCodec.elementCount(indices);
        int256 raw = _indexValue(indicesRoot, indices, opening, GatherOp.indicesIndex(outIndex, inner, indexCount));
        return GatherOp.dataIndex(outIndex, GatherOp.normalizeIndex(raw, dim), dim, inner, indexCount);
    }

    /// @dev Index element `j` (row-major) of Gather's indices, opened as its one word.
    function _indexValue(
        bytes32 root,
        TensorSpec memory indices,
        TensorCodec.RangeOpening memory opening,
        uint256 j
    ) private pure returns (int256) {
        if (indices.dtype != TensorCodec.INT32 && indices.dtype != TensorCodec.INT64) {
            revert FloatOperand.InvalidOperandSpec(1, indices.dtype, indices.layout, indices.shape.length);
        }
        uint256 position = TensorCodec.committedPosition(indices, j);
        uint256 first = (position * TensorCodec.width(indices.dtype)) / 32;
        if (opening.firstWord != first || opening.words.length != 1) {
            revert IOneStepVerifier.OpeningRangeMismatch(0, first, 1, opening.firstWord, opening.words.length);
        }
        TensorCodec.verify(root, indices, opening);
        return TensorCodec.elementAt(indices, opening, position);
    }

    /// @dev The row `[o·L, L)` of X (row-major), L its last dimension; axis must be the last.
    ///      A negative claim is no index: it violates.
    function _argMax(
        NodeDescriptor calldata node,
        bytes32[] calldata roots,
        uint256 outIndex,
        int256 claimed,
        TensorCodec.RangeOpening[] memory openings
    ) private pure returns (uint8) {
        FloatStep.expectShape(node, 1, 1, 3);
        _expectOpenings(openings, 1);
        FloatOperand.Range memory x = FloatStep.range(node, roots, 0, openings[0]);
        uint256 rank = x.spec.shape.length;
        int256 axis = node.attrs[0];
        if (rank == 0 || (axis != -1 && axis != int256(rank - 1))) revert IOneStepVerifier.InvalidAttribute(0, axis);
        FloatStep.flag(node, 1);
        bool selectLast = FloatStep.flag(node, 2);
        if (x.spec.layout != TensorCodec.ROW_MAJOR) {
            revert FloatOperand.InvalidOperandSpec(0, x.spec.dtype, x.spec.layout, rank);
        }
        uint256 length = x.spec.shape[rank - 1];
        uint256 outputs = TensorCodec.elementCount(x.spec) / length;
        if (outIndex >= outputs) revert IOneStepVerifier.OutputIndexOutOfRange(outIndex, outputs);
        (bytes32[] memory words, uint256 offset) = FloatOperand.openRange(x, 0, outIndex * length, length);
        uint32[] memory row = new uint32[](length);
        for (uint256 i; i < length; ++i) row[i] = FloatCodec.at(words, offset + i);
        (bool defined, uint256 index) = FloatCompare.argMax(row, selectLast);
        if (!defined) return FloatVerdict.UNCHECKED;
        return claimed >= 0 && uint256(claimed) == index ? FloatVerdict.ADMISSIBLE : FloatVerdict.VIOLATES;
    }

    /// @dev Output element `outIndex` of a transpose by `perm` (the attributes): its row-major
    ///      index in X. Output axis i is X's axis perm[i].
    function _transposeSource(
        NodeDescriptor calldata node,
        TensorSpec memory spec,
        uint256 outIndex
    ) private pure returns (uint256 source) {
        uint256 rank = spec.shape.length;
        uint256[] memory strides = new uint256[](rank);
        uint256 stride = 1;
        for (uint256 i = rank; i > 0; --i) {
            strides[i - 1] = stride;
            stride *= spec.shape[i - 1];
        }
        uint256 seen;
        uint256 rest = outIndex;
        for (uint256 i = rank; i > 0; --i) {
            uint256 axis = FloatStep.attr(node, i - 1, 0, rank - 1);
            if (seen & (1 << axis) != 0) revert IOneStepVerifier.InvalidAttribute(i - 1, int256(axis));
            seen |= 1 << axis;
            uint256 dim = spec.shape[axis];
            source += (rest % dim) * strides[axis];
            rest /= dim;
        }
        if (rest != 0) revert IOneStepVerifier.OutputIndexOutOfRange(outIndex, stride);
    }

    /// @dev Input `i`'s element at the broadcast index of `outIndex`, from opening `i`.
    function _broadcast(
        NodeDescriptor calldata node,
        bytes32[] calldata roots,
        uint256 outIndex,
        TensorCodec.RangeOpening[] memory openings,
        uint256 i
    ) private pure returns (uint32) {
        TensorSpec memory spec = node.inputs[i].spec;
        uint256 index = Broadcast.sourceIndex(node.output.shape, spec.shape, outIndex, i);
        return _element(node, roots, openings[i], i, TensorCodec.committedPosition(spec, index));
    }

    /// @dev Input 0's element with the output element's own row-major index (Relu, Sqrt and the
    ///      movers that keep the order): the input must have the output's element count.
    function _same(
        NodeDescriptor calldata node,
        bytes32[] calldata roots,
        uint256 outIndex,
        TensorCodec.RangeOpening[] memory openings
    ) private pure returns (uint32) {
        _expectOpenings(openings, 1);
        TensorSpec memory spec = node.inputs[0].spec;
        uint256 count = TensorCodec.elementCount(spec);
        uint256 outputs = TensorCodec.elementCount(node.output);
        if (count != outputs) revert IOneStepVerifier.ShapeMismatch(0, count, outputs);
        return _element(node, roots, openings[0], 0, TensorCodec.committedPosition(spec, outIndex));
    }

    /// @dev Input `i`'s element at committed `position`, from `opening`.
    function _element(
        NodeDescriptor calldata node,
        bytes32[] calldata roots,
        TensorCodec.RangeOpening memory opening,
        uint256 i,
        uint256 position
    ) private pure returns (uint32) {
        FloatOperand.Range memory r = FloatStep.range(node, roots, i, opening);
        // A position in the last word's padding would open as +0: only the tensor's own elements.
        uint256 count = TensorCodec.elementCount(r.spec);
        if (position >= count) revert IOneStepVerifier.DependencyOutOfRange(i, position + 1, count);
        return FloatOperand.openElement(r, i, position);
    }

    function _expectOpenings(TensorCodec.RangeOpening[] memory openings, uint256 count) private pure {
        if (openings.length != count) revert IOneStepVerifier.OpeningCountMismatch(count, openings.length);
    }
}
