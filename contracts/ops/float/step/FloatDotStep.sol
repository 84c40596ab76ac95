// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IFloatStepVerifier} from "../../../interfaces/IFloatStepVerifier.sol";
import {NodeDescriptor} from "../../../libraries/Graph.sol";
import {TensorCodec} from "../../../libraries/TensorCodec.sol";
import {TensorSpec} from "../../../libraries/Types.sol";
import {Opcodes} from "../../Opcodes.sol";
import {FloatClaim} from "../FloatClaim.sol";
import {FloatCodec} from "../FloatCodec.sol";
import {FloatConv} from "../FloatConv.sol";
import {FloatDot} from "../FloatDot.sol";
import {FloatGemm} from "../FloatGemm.sol";
import {FloatOperand} from "../FloatOperand.sol";
import {NumericsPolicy} from "../FloatPolicy.sol";
import {FloatStep} from "./FloatStep.sol";
import {IFloatStepPart} from "./IFloatStepPart.sol";

/// @title FloatDotStep
/// @notice The routed check of the dot products — MatMul, Gemm, Conv (docs/PROTOCOL.md §11.4,
///         §11.9, §11.10) — with the operands' specs and the attributes read from the descriptor.
///         `operands` is MatMul `(RangeOpening a, RangeOpening b, int256 hint)`, Gemm
///         `(RangeOpening a, RangeOpening b, RangeOpening c, int256 hint)` and Conv
///         `(bytes32[] xWords, bytes32[] xProof, RangeOpening w, RangeOpening b, int256 hint)`;
///         the opening of an ABSENT C or B is ignored (pass it empty).
contract FloatDotStep is IFloatStepPart {
    /// @dev A dot product's three operands as the libraries take them (C or B absent: root zero).
    struct Operands {
        FloatOperand.Range a;
        FloatOperand.Range b;
        FloatOperand.Range c;
    }

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
        // The hint is filled in from `operands`.
        FloatClaim memory claim = FloatClaim(outIndex, FloatStep.bits(claimed), 0);
        NumericsPolicy memory p = policy;
        if (op == Opcodes.MAT_MUL) return _matMul(node, operandRoots, operands, claim, p);
        if (op == Opcodes.GEMM) return _gemm(node, operandRoots, operands, claim, p);
        if (op == Opcodes.CONV) return _conv(node, operandRoots, operands, claim, p);
        revert IFloatStepVerifier.UnsupportedFloatOpcode(op);
    }

    /// @dev A `[…, K]` row-major times B `[K, N]` transposed: A's row `[r·K, K)`, B's column
    ///      `[n·K, K)` for o = r·N + n.
    function _matMul(
        NodeDescriptor calldata node,
        bytes32[] calldata roots,
        bytes calldata operands,
        FloatClaim memory claim,
        NumericsPolicy memory policy
    ) private pure returns (uint8) {
        FloatStep.expectShape(node, 2, 2, 0);
        (TensorCodec.RangeOpening memory ao, TensorCodec.RangeOpening memory bo, int256 hint) = abi.decode(
            operands,
            (TensorCodec.RangeOpening, TensorCodec.RangeOpening, int256)
        );
        FloatDot.Element memory e = _matMulRuns(
            FloatStep.range(node, roots, 0, ao),
            FloatStep.range(node, roots, 1, bo),
            claim.outIndex
        );
        e.claimed = claim.claimed;
        e.hint = hint;
        return FloatDot.verdict(e, policy);
    }

    /// @dev A's row and B's column of element `outIndex`, opened and verified.
    function _matMulRuns(
        FloatOperand.Range memory a,
        FloatOperand.Range memory b,
        uint256 outIndex
    ) private pure returns (FloatDot.Element memory e) {
        (uint256 k, uint256 n) = _matMulShape(a.spec, b.spec, outIndex);
        (e.aWords, e.aOffset) = FloatOperand.openRange(a, 0, (outIndex / n) * k, k);
        (e.bWords, e.bOffset) = FloatOperand.openRange(b, 1, (outIndex % n) * k, k);
        e.k = k;
        e.gemm = FloatDot.Gemm(false, 0, FloatCodec.ONE, FloatCodec.ONE);
    }

    /// @dev K and N of A `[…, K]` row-major times B `[K, N]` transposed, and `outIndex` in range.
    function _matMulShape(
        TensorSpec memory a,
        TensorSpec memory b,
        uint256 outIndex
    ) private pure returns (uint256 k, uint256 n) {
        if (b.shape.length != 2 || b.layout != TensorCodec.TRANSPOSED) {
            revert FloatOperand.InvalidOperandSpec(1, b.dtype, b.layout, b.shape.length);
        }
        k = b.shape[0];
        n = b.shape[1];
        uint256 aRank = a.shape.length;
        if (aRank == 0 || a.layout != TensorCodec.ROW_MAJOR) {
            revert FloatOperand.InvalidOperandSpec(0, a.dtype, a.layout, aRank);
        }
        if (a.shape[aRank - 1] != k) revert FloatOperand.DimensionMismatch(0, aRank - 1, k, a.shape[aRank - 1]);
        TensorCodec.elementCount(b);
        uint256 outputs = (TensorCodec.elementCount(a) / k) * n;
        if (outIndex >= outputs) revert FloatOperand.OutputIndexOutOfRange(outIndex, outputs);
    }

    /// @dev Attributes `[alpha, beta, transA, transB]`, α and β as fp32 bit patterns.
    function _gemm(
        NodeDescriptor calldata node,
        bytes32[] calldata roots,
        bytes calldata operands,
        FloatClaim memory claim,
        NumericsPolicy memory policy
    ) private pure returns (uint8) {
        FloatStep.expectShape(node, 2, 3, 4);
        FloatGemm.Attributes memory attrs = FloatGemm.Attributes(
            uint32(FloatStep.attr(node, 0, 0, type(uint32).max)),
            uint32(FloatStep.attr(node, 1, 0, type(uint32).max)),
            FloatStep.flag(node, 2),
            FloatStep.flag(node, 3)
        );
        Operands memory o = _gemmOperands(node, roots, operands, claim);
        return FloatGemm.verdict(o.a, o.b, o.c, attrs, claim, policy);
    }

    /// @dev `(RangeOpening a, RangeOpening b, RangeOpening c, int256 hint)`; the hint goes to `claim`.
    function _gemmOperands(
        NodeDescriptor calldata node,
        bytes32[] calldata roots,
        bytes calldata operands,
        FloatClaim memory claim
    ) private pure returns (Operands memory o) {
        (
            TensorCodec.RangeOpening memory ao,
            TensorCodec.RangeOpening memory bo,
            TensorCodec.RangeOpening memory co,
            int256 hint
        ) = abi.decode(
                operands,
                (TensorCodec.RangeOpening, TensorCodec.RangeOpening, TensorCodec.RangeOpening, int256)
            );
        o.a = FloatStep.range(node, roots, 0, ao);
        o.b = FloatStep.range(node, roots, 1, bo);
        o.c = FloatStep.range(node, roots, 2, co);
        claim.hint = hint;
    }

    /// @dev Attributes `[sh, sw, pt, pl, pb, pr, dh, dw, group]`; group must be 1 (the check
    ///      covers one filter against all input channels).
    function _conv(
        NodeDescriptor calldata node,
        bytes32[] calldata roots,
        bytes calldata operands,
        FloatClaim memory claim,
        NumericsPolicy memory policy
    ) private pure returns (uint8) {
        FloatStep.expectShape(node, 2, 3, 9);
        FloatStep.attr(node, 8, 1, 1);
        FloatConv.Geometry memory g = _convGeometry(node);
        (bytes32[] memory xWords, bytes32[] memory xProof, Operands memory o) = _convOperands(
            node,
            roots,
            operands,
            claim
        );
        return FloatConv.verdict(FloatStep.words(node, roots, 0, xWords, xProof), o.b, o.c, g, claim, policy);
    }

    /// @dev `(bytes32[] xWords, bytes32[] xProof, RangeOpening w, RangeOpening b, int256 hint)`:
    ///      X's word set, then W and B as `o.b` and `o.c`; the hint goes to `claim`.
    function _convOperands(
        NodeDescriptor calldata node,
        bytes32[] calldata roots,
        bytes calldata operands,
        FloatClaim memory claim
    ) private pure returns (bytes32[] memory xWords, bytes32[] memory xProof, Operands memory o) {
        TensorCodec.RangeOpening memory wo;
        TensorCodec.RangeOpening memory bo;
        (xWords, xProof, wo, bo, claim.hint) = abi.decode(
            operands,
            (bytes32[], bytes32[], TensorCodec.RangeOpening, TensorCodec.RangeOpening, int256)
        );
        o.b = FloatStep.range(node, roots, 1, wo);
        o.c = FloatStep.range(node, roots, 2, bo);
    }

    function _convGeometry(NodeDescriptor calldata node) private pure returns (FloatConv.Geometry memory g) {
        uint256 max = type(uint32).max;
        g.strides = [uint32(FloatStep.attr(node, 0, 1, max)), uint32(FloatStep.attr(node, 1, 1, max))];
        for (uint256 i; i < 4; ++i) g.pads[i] = uint32(FloatStep.attr(node, 2 + i, 0, max));
        g.dilations = [uint32(FloatStep.attr(node, 6, 1, max)), uint32(FloatStep.attr(node, 7, 1, max))];
    }
}
