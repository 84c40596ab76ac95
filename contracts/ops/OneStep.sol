// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IOneStepVerifier} from "../interfaces/IOneStepVerifier.sol";
import {Graph, NodeDescriptor, Operand} from "../libraries/Graph.sol";
import {TensorCodec} from "../libraries/TensorCodec.sol";
import {TensorSpec} from "../libraries/Types.sol";
import {ArgMaxOp} from "./ArgMaxOp.sol";
import {Broadcast} from "./Broadcast.sol";
import {CastOp} from "./CastOp.sol";
import {ClipOp} from "./ClipOp.sol";
import {ElementwiseOp} from "./ElementwiseOp.sol";
import {GatherOp} from "./GatherOp.sol";
import {IntMath} from "./IntMath.sol";
import {MatMulIntegerOp} from "./MatMulIntegerOp.sol";
import {Opcodes} from "./Opcodes.sol";
import {ShapeOp} from "./ShapeOp.sol";

/// @title OneStep
/// @notice The one-step check of docs/PROTOCOL.md §9.3: recomputes one output element of one
///         node from range openings of exactly the operand elements it depends on (§6.1).
/// @dev The descriptor has already been proven against the model's graphRoot, and the loader
///      only registers graphs inside the profile (§8); the checks here are the cheap ones that
///      keep a malformed descriptor from reading outside what was opened.
library OneStep {
    /// @notice Element `outIndex` of `node`'s output, recomputed from `openings` (see
    ///         {IOneStepVerifier-execute}).
    function execute(
        NodeDescriptor memory node,
        bytes32[] memory operandRoots,
        uint256 outIndex,
        TensorCodec.RangeOpening[] memory openings
    ) internal pure returns (int256 value) {
        uint256 inputCount = node.inputs.length;
        if (operandRoots.length != inputCount) {
            revert IOneStepVerifier.OperandCountMismatch(inputCount, operandRoots.length);
        }
        uint256 outCount = TensorCodec.elementCount(node.output);
        if (outIndex >= outCount) revert IOneStepVerifier.OutputIndexOutOfRange(outIndex, outCount);

        uint8 op = node.opcode;
        if (op == Opcodes.MAT_MUL_INTEGER) {
            value = _matMulInteger(node, operandRoots, outIndex, openings);
        } else if ((op >= Opcodes.ADD && op <= Opcodes.DIV) || op == Opcodes.MAX || op == Opcodes.MIN) {
            value = _elementwise(node, operandRoots, outIndex, openings);
        } else if (op == Opcodes.CLIP) {
            value = _clip(node, operandRoots, outIndex, openings);
        } else if (op == Opcodes.RELU) {
            _expectShape(node, 1, 1, 0);
            value = ClipOp.relu(_sameIndex(node, operandRoots, outIndex, openings));
        } else if (op == Opcodes.CAST) {
            _expectShape(node, 1, 1, 1);
            uint8 to = node.output.dtype;
            if (node.attrs[0] != int256(uint256(to))) revert IOneStepVerifier.InvalidAttribute(0, node.attrs[0]);
            value = CastOp.cast(_sameIndex(node, operandRoots, outIndex, openings), to);
        } else if (op == Opcodes.RESHAPE) {
            _expectShape(node, 2, 2, 0);
            value = ShapeOp.copy(_sameIndex(node, operandRoots, outIndex, openings));
        } else if (op == Opcodes.FLATTEN) {
            _expectShape(node, 1, 1, 1);
            int256 rank = int256(node.inputs[0].spec.shape.length);
            int256 axis = node.attrs[0];
            if (axis < -rank || axis > rank) revert IOneStepVerifier.InvalidAttribute(0, axis);
            value = ShapeOp.copy(_sameIndex(node, operandRoots, outIndex, openings));
        } else if (op == Opcodes.IDENTITY) {
            _expectShape(node, 1, 1, 0);
            value = ShapeOp.copy(_sameIndex(node, operandRoots, outIndex, openings));
        } else if (op == Opcodes.GATHER) {
            value = _gather(node, operandRoots, outIndex, openings);
        } else if (op == Opcodes.ARG_MAX) {
            value = _argMax(node, operandRoots, outIndex, openings);
        } else {
            revert IOneStepVerifier.UnsupportedOpcode(op);
        }
        return IntMath.wrap(value, node.output.dtype);
    }

    // ----------------------------------------------------------------------------------------
    // Operator families
    // ----------------------------------------------------------------------------------------

    /// @dev Openings: A's row [r·K, K), B's column [n·K, K), a_zero_point [0, 1) if present,
    ///      b_zero_point [0 or n, 1) if present, for o = r·N + n.
    function _matMulInteger(
        NodeDescriptor memory node,
        bytes32[] memory roots,
        uint256 outIndex,
        TensorCodec.RangeOpening[] memory openings
    ) private pure returns (int256) {
        (uint256 k, uint256 n) = _matMulShape(node);
        bool hasAzp = _present(node, 2);
        bool hasBzp = _present(node, 3);
        _expectOpenings(openings, 2 + (hasAzp ? 1 : 0) + (hasBzp ? 1 : 0));

        uint256 column = outIndex % n;
        MatMulIntegerOp.ByteRun memory aRun = _byteRun(node, roots, openings, 0, (outIndex / n) * k, k);
        MatMulIntegerOp.ByteRun memory bRun = _byteRun(node, roots, openings, 1, column * k, k);
        if (hasAzp) aRun.zeroPoint = _element(node, roots, openings, 2, 2, 0);
        if (hasBzp) {
            uint256 count = TensorCodec.elementCount(node.inputs[3].spec);
            if (count != 1 && count != n) revert IOneStepVerifier.ShapeMismatch(3, count, n);
            bRun.zeroPoint = _element(node, roots, openings, hasAzp ? 3 : 2, 3, count == 1 ? 0 : column);
        }
        return MatMulIntegerOp.dotPacked(aRun, bRun, k);
    }

    /// @dev MatMulInteger's operands: A row-major [.., K] and B transposed [K, N], each of
    ///      int8 or uint8.
    function _matMulShape(NodeDescriptor memory node) private pure returns (uint256 k, uint256 n) {
        _expectShape(node, 2, 4, 0);
        TensorSpec memory a = _input(node, 0).spec;
        TensorSpec memory b = _input(node, 1).spec;
        // Validates B's shape (no zero dimension) before K and N divide anything.
        TensorCodec.elementCount(b);
        _byteOperand(a, 0);
        _byteOperand(b, 1);
        if (a.layout != TensorCodec.ROW_MAJOR) revert IOneStepVerifier.UnsupportedLayout(0, a.layout);
        if (b.layout != TensorCodec.TRANSPOSED) revert IOneStepVerifier.UnsupportedLayout(1, b.layout);
        if (b.shape.length != 2) revert IOneStepVerifier.UnsupportedOperand(1, b.dtype, b.shape.length);
        k = b.shape[0];
        n = b.shape[1];
        uint256 aRank = a.shape.length;
        if (aRank == 0) revert IOneStepVerifier.UnsupportedOperand(0, a.dtype, 0);
        if (a.shape[aRank - 1] != k) revert IOneStepVerifier.ShapeMismatch(0, a.shape[aRank - 1], k);
    }

    /// @dev The `count` bytes of operand `slot` from `start`, opened and verified, as a run
    ///      for the packed dot product (zero point 0 until the caller reads one).
    function _byteRun(
        NodeDescriptor memory node,
        bytes32[] memory roots,
        TensorCodec.RangeOpening[] memory openings,
        uint256 slot,
        uint256 start,
        uint256 count
    ) private pure returns (MatMulIntegerOp.ByteRun memory) {
        TensorCodec.RangeOpening memory o = _open(node, roots, openings, slot, slot, start, count);
        bool isSigned = _byteOperand(_input(node, slot).spec, slot);
        return MatMulIntegerOp.ByteRun(o.words, start - o.firstWord * 32, isSigned, 0);
    }

    /// @dev Openings: one element per input, in input order, at its broadcast index.
    function _elementwise(
        NodeDescriptor memory node,
        bytes32[] memory roots,
        uint256 outIndex,
        TensorCodec.RangeOpening[] memory openings
    ) private pure returns (int256 acc) {
        uint8 op = node.opcode;
        uint256 count = node.inputs.length;
        if (op == Opcodes.MAX || op == Opcodes.MIN) _expectShape(node, 1, type(uint256).max, 0);
        else _expectShape(node, 2, 2, 0);
        _expectOpenings(openings, count);

        uint8 dtype = node.output.dtype;
        acc = _broadcastElement(node, roots, outIndex, openings, 0);
        for (uint256 i = 1; i < count; ++i) {
            int256 v = _broadcastElement(node, roots, outIndex, openings, i);
            if (op == Opcodes.ADD) acc = ElementwiseOp.add(acc, v, dtype);
            else if (op == Opcodes.SUB) acc = ElementwiseOp.sub(acc, v, dtype);
            else if (op == Opcodes.MUL) acc = ElementwiseOp.mul(acc, v, dtype);
            else if (op == Opcodes.DIV) acc = ElementwiseOp.div(acc, v, dtype);
            else if (op == Opcodes.MAX) acc = ElementwiseOp.max(acc, v);
            else acc = ElementwiseOp.min(acc, v);
        }
    }

    /// @dev Openings: x [o, 1), then min [0, 1) if present, then max [0, 1) if present.
    function _clip(
        NodeDescriptor memory node,
        bytes32[] memory roots,
        uint256 outIndex,
        TensorCodec.RangeOpening[] memory openings
    ) private pure returns (int256) {
        _expectShape(node, 1, 3, 0);
        bool hasMin = _present(node, 1);
        bool hasMax = _present(node, 2);
        _expectOpenings(openings, 1 + (hasMin ? 1 : 0) + (hasMax ? 1 : 0));
        TensorSpec memory x = _input(node, 0).spec;
        int256 value = _element(node, roots, openings, 0, 0, TensorCodec.committedPosition(x, outIndex));
        uint256 slot = 1;
        uint8 dtype = node.output.dtype;
        int256 lo = hasMin ? _element(node, roots, openings, slot++, 1, 0) : IntMath.minOf(dtype);
        int256 hi = hasMax ? _element(node, roots, openings, slot, 2, 0) : IntMath.maxOf(dtype);
        return ClipOp.clip(value, lo, hi);
    }

    /// @dev Openings: indices [j, 1), then data at the gathered position (which depends on the
    ///      index read from the first opening).
    function _gather(
        NodeDescriptor memory node,
        bytes32[] memory roots,
        uint256 outIndex,
        TensorCodec.RangeOpening[] memory openings
    ) private pure returns (int256) {
        _expectShape(node, 2, 2, 1);
        _expectOpenings(openings, 2);
        TensorSpec memory data = _input(node, 0).spec;
        uint256 source = _gatherSource(node, roots, outIndex, openings, data);
        return _element(node, roots, openings, 1, 0, TensorCodec.committedPosition(data, source));
    }

    /// @dev The row-major data index that output element `outIndex` reads, from the index
    ///      value in the first opening.
    function _gatherSource(
        NodeDescriptor memory node,
        bytes32[] memory roots,
        uint256 outIndex,
        TensorCodec.RangeOpening[] memory openings,
        TensorSpec memory data
    ) private pure returns (uint256) {
        (uint256 dim, uint256 inner) = _gatherAxis(data, node.attrs[0]);
        TensorSpec memory indices = _input(node, 1).spec;
        uint256 indexCount = TensorCodec.elementCount(indices);
        uint256 j = GatherOp.indicesIndex(outIndex, inner, indexCount);
        int256 raw = _element(node, roots, openings, 0, 1, TensorCodec.committedPosition(indices, j));
        return GatherOp.dataIndex(outIndex, GatherOp.normalizeIndex(raw, dim), dim, inner, indexCount);
    }

    /// @dev The gathered axis' size and the element count below it.
    function _gatherAxis(TensorSpec memory data, int256 axisAttr) private pure returns (uint256 dim, uint256 inner) {
        // Validates the data shape (no zero dimension) before `inner` divides anything.
        TensorCodec.elementCount(data);
        uint256 rank = data.shape.length;
        uint256 axis = GatherOp.normalizeAxis(axisAttr, rank);
        dim = data.shape[axis];
        inner = 1;
        for (uint256 i = axis + 1; i < rank; ++i) inner *= data.shape[i];
    }

    /// @dev Openings: the row [o·L, L) of x (row-major), L its last dimension.
    function _argMax(
        NodeDescriptor memory node,
        bytes32[] memory roots,
        uint256 outIndex,
        TensorCodec.RangeOpening[] memory openings
    ) private pure returns (int256) {
        _expectShape(node, 1, 1, 3);
        _expectOpenings(openings, 1);
        TensorSpec memory x = _input(node, 0).spec;
        uint256 rank = x.shape.length;
        int256 axis = node.attrs[0];
        if (rank == 0 || (axis != -1 && axis != int256(rank - 1))) revert IOneStepVerifier.InvalidAttribute(0, axis);
        int256 keepDims = node.attrs[1];
        if (keepDims != 0 && keepDims != 1) revert IOneStepVerifier.InvalidAttribute(1, keepDims);
        int256 selectLast = node.attrs[2];
        if (selectLast != 0 && selectLast != 1) revert IOneStepVerifier.InvalidAttribute(2, selectLast);
        if (x.layout != TensorCodec.ROW_MAJOR) revert IOneStepVerifier.UnsupportedLayout(0, x.layout);

        uint256 length = x.shape[rank - 1];
        uint256 start = outIndex * length;
        TensorCodec.RangeOpening memory row = _open(node, roots, openings, 0, 0, start, length);
        uint256 width = TensorCodec.width(x.dtype);
        return
            ArgMaxOp.argMaxPacked(
                row.words,
                start * width - row.firstWord * 32,
                width,
                TensorCodec.signed(x.dtype),
                length,
                selectLast == 1
            );
    }

    /// @dev Relu, Cast, Reshape, Flatten, Identity: one opening, x (operand 0) at [o, 1).
    function _sameIndex(
        NodeDescriptor memory node,
        bytes32[] memory roots,
        uint256 outIndex,
        TensorCodec.RangeOpening[] memory openings
    ) private pure returns (int256) {
        _expectOpenings(openings, 1);
        uint256 position = TensorCodec.committedPosition(_input(node, 0).spec, ShapeOp.sourceIndex(outIndex));
        return _element(node, roots, openings, 0, 0, position);
    }

    // ----------------------------------------------------------------------------------------
    // Openings
    // ----------------------------------------------------------------------------------------

    function _broadcastElement(
        NodeDescriptor memory node,
        bytes32[] memory roots,
        uint256 outIndex,
        TensorCodec.RangeOpening[] memory openings,
        uint256 operand
    ) private pure returns (int256) {
        TensorSpec memory spec = _input(node, operand).spec;
        uint256 index = Broadcast.sourceIndex(node.output.shape, spec.shape, outIndex, operand);
        return _element(node, roots, openings, operand, operand, TensorCodec.committedPosition(spec, index));
    }

    /// @dev Verifies opening `slot` as the single element at committed `position` of `operand`
    ///      and returns the element.
    function _element(
        NodeDescriptor memory node,
        bytes32[] memory roots,
        TensorCodec.RangeOpening[] memory openings,
        uint256 slot,
        uint256 operand,
        uint256 position
    ) private pure returns (int256) {
        TensorCodec.RangeOpening memory o = _open(node, roots, openings, slot, operand, position, 1);
        return TensorCodec.elementAt(node.inputs[operand].spec, o, position);
    }

    /// @dev Requires opening `slot` to be exactly the words holding committed positions
    ///      [start, start + count) of `operand` and verifies it against the operand's root.
    function _open(
        NodeDescriptor memory node,
        bytes32[] memory roots,
        TensorCodec.RangeOpening[] memory openings,
        uint256 slot,
        uint256 operand,
        uint256 start,
        uint256 count
    ) private pure returns (TensorCodec.RangeOpening memory o) {
        TensorSpec memory spec = _input(node, operand).spec;
        uint256 elements = TensorCodec.elementCount(spec);
        uint256 end = start + count;
        if (end > elements) revert IOneStepVerifier.DependencyOutOfRange(operand, end, elements);
        uint256 width = TensorCodec.width(spec.dtype);
        uint256 first = (start * width) >> 5;
        uint256 words = ((end * width + 31) >> 5) - first;
        o = openings[slot];
        if (o.firstWord != first || o.words.length != words) {
            revert IOneStepVerifier.OpeningRangeMismatch(slot, first, words, o.firstWord, o.words.length);
        }
        TensorCodec.verify(roots[operand], spec, o);
    }

    // ----------------------------------------------------------------------------------------
    // Descriptor checks
    // ----------------------------------------------------------------------------------------

    function _present(NodeDescriptor memory node, uint256 i) private pure returns (bool) {
        return i < node.inputs.length && node.inputs[i].source != Graph.ABSENT;
    }

    function _input(NodeDescriptor memory node, uint256 i) private pure returns (Operand memory) {
        if (!_present(node, i)) revert IOneStepVerifier.MissingOperand(i);
        return node.inputs[i];
    }

    /// @dev Whether an 8-bit MatMulInteger operand is int8; reverts for any other dtype.
    function _byteOperand(TensorSpec memory spec, uint256 operand) private pure returns (bool) {
        if (spec.dtype == TensorCodec.INT8) return true;
        if (spec.dtype == TensorCodec.UINT8) return false;
        revert IOneStepVerifier.UnsupportedOperand(operand, spec.dtype, spec.shape.length);
    }

    /// @dev The operator's arity (`minInputs` … `maxInputs` inputs, ABSENT ones included) and
    ///      attribute count (docs/PROTOCOL.md §6).
    function _expectShape(
        NodeDescriptor memory node,
        uint256 minInputs,
        uint256 maxInputs,
        uint256 attrs
    ) private pure {
        uint256 count = node.inputs.length;
        if (count < minInputs || count > maxInputs) revert IOneStepVerifier.InvalidInputCount(count);
        if (node.attrs.length != attrs) revert IOneStepVerifier.AttributeCountMismatch(attrs, node.attrs.length);
    }

    function _expectOpenings(TensorCodec.RangeOpening[] memory openings, uint256 count) private pure {
        if (openings.length != count) revert IOneStepVerifier.OpeningCountMismatch(count, openings.length);
    }
}
