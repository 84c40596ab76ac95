// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IFloatStepVerifier} from "../../../interfaces/IFloatStepVerifier.sol";
import {NodeDescriptor} from "../../../libraries/Graph.sol";
import {Opcodes} from "../../Opcodes.sol";
import {FloatPolicy, NumericsPolicy} from "../FloatPolicy.sol";
import {FloatStep} from "./FloatStep.sol";
import {IFloatStepPart} from "./IFloatStepPart.sol";

/// @title FloatStepVerifier
/// @notice The float32 profile's one-step verdict over a proven node descriptor
///         (docs/PROTOCOL.md §11.10). It checks what every opcode shares — the policy is the
///         model's and one version 1 supports, one root per input (zero exactly for the ABSENT
///         ones), an fp32 claim is a bit pattern — and forwards the element to the part that
///         holds its opcode's check: dot products, windows and means, or pointwise operators
///         and data movers.
contract FloatStepVerifier is IFloatStepVerifier {
    /// @notice MatMul, Gemm, Conv ({FloatDotStep}).
    IFloatStepPart public immutable dotPart;
    /// @notice MaxPool, AveragePool, GlobalAveragePool, ReduceMean ({FloatWindowStep}).
    IFloatStepPart public immutable windowPart;
    /// @notice Add, Sub, Mul, Div, Sqrt, Relu, Max, Min, ArgMax and the data movers
    ///         ({FloatPointwiseStep}).
    IFloatStepPart public immutable pointwisePart;

    constructor(IFloatStepPart dot, IFloatStepPart window, IFloatStepPart pointwise) {
        dotPart = dot;
        windowPart = window;
        pointwisePart = pointwise;
    }

    /// @inheritdoc IFloatStepVerifier
    function verdict(
        NodeDescriptor calldata node,
        bytes32[] calldata operandRoots,
        uint256 outIndex,
        int256 claimed,
        bytes calldata proof,
        bytes32 policyHash
    ) external view returns (uint8) {
        (NumericsPolicy memory policy, bytes memory operands) = abi.decode(proof, (NumericsPolicy, bytes));
        bytes32 given = FloatPolicy.hash(policy);
        if (given != policyHash) revert PolicyMismatch(policyHash, given);
        FloatPolicy.validate(policy);
        uint256 count = node.inputs.length;
        if (operandRoots.length != count) revert FloatOperandCountMismatch(count, operandRoots.length);
        for (uint256 i; i < count; ++i) {
            // The library checks read an input as absent by its zero root: the root must say what
            // the descriptor says.
            if ((operandRoots[i] == bytes32(0)) == FloatStep.present(node, i)) {
                revert FloatStep.InvalidOperandRoot(i, operandRoots[i]);
            }
        }
        uint8 op = node.opcode;
        // ArgMax's output is int64; every other output of the profile is fp32.
        if (op != Opcodes.ARG_MAX && (claimed < 0 || claimed > int256(uint256(type(uint32).max)))) {
            revert FloatStep.ClaimOutOfRange(claimed);
        }
        return _part(op).verdict(node, operandRoots, outIndex, claimed, operands, policy);
    }

    function _part(uint8 op) private view returns (IFloatStepPart) {
        if (op == Opcodes.MAT_MUL || op == Opcodes.GEMM || op == Opcodes.CONV) return dotPart;
        if (op >= Opcodes.MAX_POOL && op <= Opcodes.REDUCE_MEAN) return windowPart;
        if (
            (op >= Opcodes.ADD && op <= Opcodes.DIV) ||
            (op >= Opcodes.RELU && op <= Opcodes.MIN) ||
            (op >= Opcodes.RESHAPE && op <= Opcodes.ARG_MAX) ||
            op == Opcodes.SQRT ||
            op == Opcodes.TRANSPOSE
        ) return pointwisePart;
        revert UnsupportedFloatOpcode(op);
    }
}
