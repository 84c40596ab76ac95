// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IFloatStepVerifier} from "../../../interfaces/IFloatStepVerifier.sol";
import {IOneStepVerifier} from "../../../interfaces/IOneStepVerifier.sol";
import {NodeDescriptor} from "../../../libraries/Graph.sol";
import {TensorCodec} from "../../../libraries/TensorCodec.sol";
import {TensorSpec} from "../../../libraries/Types.sol";
import {Opcodes} from "../../Opcodes.sol";
import {FloatMean} from "../FloatMean.sol";
import {FloatOperand} from "../FloatOperand.sol";
import {NumericsPolicy} from "../FloatPolicy.sol";
import {FloatPool} from "../FloatPool.sol";
import {FloatStep} from "./FloatStep.sol";
import {IFloatStepPart} from "./IFloatStepPart.sol";

/// @title FloatWindowStep
/// @notice The routed check of the windows and means — MaxPool, AveragePool, GlobalAveragePool,
///         ReduceMean (docs/PROTOCOL.md §11.4, §11.6, §11.9, §11.10) — with X's spec and the
///         attributes read from the descriptor. `operands` is MaxPool `(bytes32[] xWords,
///         bytes32[] xProof)`, AveragePool `(bytes32[] xWords, bytes32[] xProof, int256 hint)`,
///         GlobalAveragePool and ReduceMean `(RangeOpening x, int256 hint)`.
contract FloatWindowStep is IFloatStepPart {
    /// @inheritdoc IFloatStepPart
    function verdict(
        NodeDescriptor calldata node,
        bytes32[] calldata operandRoots,
        uint256 outIndex,
        int256 claimed,
        bytes calldata operands,
        NumericsPolicy calldata policy
    ) external pure returns (uint8) {
        uint8 op = node.opcode;
        uint32 bits = FloatStep.bits(claimed);
        if (op == Opcodes.MAX_POOL || op == Opcodes.AVERAGE_POOL) {
            return _pool(node, operandRoots, outIndex, bits, operands, policy);
        }
        if (op != Opcodes.GLOBAL_AVERAGE_POOL && op != Opcodes.REDUCE_MEAN) {
            revert IFloatStepVerifier.UnsupportedFloatOpcode(op);
        }
        if (op == Opcodes.REDUCE_MEAN) return _reduceMean(node, operandRoots, outIndex, bits, operands, policy);
        (TensorCodec.RangeOpening memory xo, int256 hint) = abi.decode(operands, (TensorCodec.RangeOpening, int256));
        FloatStep.expectShape(node, 1, 1, 0);
        return FloatPool.globalAverageVerdict(FloatStep.range(node, operandRoots, 0, xo), outIndex, bits, hint, policy);
    }

    /// @dev MaxPool `(bytes32[] xWords, bytes32[] xProof)`, AveragePool with `int256 hint` after.
    function _pool(
        NodeDescriptor calldata node,
        bytes32[] calldata roots,
        uint256 outIndex,
        uint32 claimed,
        bytes calldata operands,
        NumericsPolicy calldata policy
    ) private pure returns (uint8) {
        bool average = node.opcode == Opcodes.AVERAGE_POOL;
        FloatStep.expectShape(node, 1, 1, average ? 10 : 9);
        FloatPool.Geometry memory g = _poolGeometry(node, average);
        if (!average) {
            (bytes32[] memory w, bytes32[] memory p) = abi.decode(operands, (bytes32[], bytes32[]));
            return FloatPool.maxVerdict(FloatStep.words(node, roots, 0, w, p), g, outIndex, claimed);
        }
        (bytes32[] memory words, bytes32[] memory proof, int256 hint) = abi.decode(
            operands,
            (bytes32[], bytes32[], int256)
        );
        FloatOperand.Words memory x = FloatStep.words(node, roots, 0, words, proof);
        return FloatPool.averageVerdict(x, g, outIndex, claimed, hint, policy);
    }

    /// @dev Attributes `[kh, kw, sh, sw, pt, pl, pb, pr, ceil_mode]` (+ `count_include_pad` for
    ///      AveragePool); dilations 1. The check covers ceil_mode 0 only.
    function _poolGeometry(
        NodeDescriptor calldata node,
        bool average
    ) private pure returns (FloatPool.Geometry memory g) {
        uint256 max = type(uint32).max;
        g.kernel = [uint32(FloatStep.attr(node, 0, 1, max)), uint32(FloatStep.attr(node, 1, 1, max))];
        g.strides = [uint32(FloatStep.attr(node, 2, 1, max)), uint32(FloatStep.attr(node, 3, 1, max))];
        for (uint256 i; i < 4; ++i) g.pads[i] = uint32(FloatStep.attr(node, 4 + i, 0, max));
        g.dilations = [uint32(1), uint32(1)];
        FloatStep.attr(node, 8, 0, 0);
        if (average) g.countIncludePad = FloatStep.flag(node, 9);
    }

    /// @dev X row-major, attributes `[keepdims, a₀, a₁, …]` naming the trailing axes
    ///      (ascending): element o averages the row `[o·S, S)`, S the product of those axes. The
    ///      axes input (opset ≥ 18), a constant, is never opened.
    function _reduceMean(
        NodeDescriptor calldata node,
        bytes32[] calldata roots,
        uint256 outIndex,
        uint32 claimed,
        bytes calldata operands,
        NumericsPolicy calldata policy
    ) private pure returns (uint8) {
        uint256 attrs = node.attrs.length;
        if (attrs < 2) revert IOneStepVerifier.AttributeCountMismatch(2, attrs);
        FloatStep.expectShape(node, 1, 2, attrs);
        FloatStep.flag(node, 0);
        (TensorCodec.RangeOpening memory xo, int256 hint) = abi.decode(operands, (TensorCodec.RangeOpening, int256));
        FloatMean.Window memory w = _row(node, FloatStep.range(node, roots, 0, xo), outIndex);
        w.claimed = claimed;
        w.hint = hint;
        return FloatMean.verdict(w, policy);
    }

    /// @dev The row of element `outIndex`, opened and verified, as a window to average.
    function _row(
        NodeDescriptor calldata node,
        FloatOperand.Range memory x,
        uint256 outIndex
    ) private pure returns (FloatMean.Window memory w) {
        uint256 row = _reducedRow(node, x.spec);
        uint256 outputs = TensorCodec.elementCount(x.spec) / row;
        if (outIndex >= outputs) revert FloatOperand.OutputIndexOutOfRange(outIndex, outputs);
        (w.words, w.offset) = FloatOperand.openRange(x, 0, outIndex * row, row);
        w.count = row;
        w.divisor = row;
    }

    /// @dev S, the product of the reduced axes, after checking they are X's trailing axes, in
    ///      order, and X is row-major (so that one output element reads one run).
    function _reducedRow(NodeDescriptor calldata node, TensorSpec memory spec) private pure returns (uint256 row) {
        uint256 rank = spec.shape.length;
        uint256 axes = node.attrs.length - 1;
        if (axes > rank || spec.layout != TensorCodec.ROW_MAJOR) {
            revert FloatOperand.InvalidOperandSpec(0, spec.dtype, spec.layout, rank);
        }
        row = 1;
        for (uint256 i; i < axes; ++i) {
            uint256 axis = rank - axes + i;
            FloatStep.attr(node, 1 + i, axis, axis);
            row *= spec.shape[axis];
        }
    }
}
