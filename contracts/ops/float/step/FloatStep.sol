// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IOneStepVerifier} from "../../../interfaces/IOneStepVerifier.sol";
import {Graph, NodeDescriptor} from "../../../libraries/Graph.sol";
import {TensorCodec} from "../../../libraries/TensorCodec.sol";
import {FloatOperand} from "../FloatOperand.sol";

/// @title FloatStep
/// @notice What the parts of the routed float32 one-step check share (docs/PROTOCOL.md §11.10):
///         the descriptor's arity and attribute checks, and the library operands built from the
///         descriptor's specs and the dispute's roots. Errors that mean what the integer
///         profile's mean are {IOneStepVerifier}'s.
library FloatStep {
    /// @notice A root that does not fit its input: zero for a present input, or not zero for an
    ///         ABSENT one.
    /// @param operand The input's index.
    /// @param root The root given.
    error InvalidOperandRoot(uint256 operand, bytes32 root);

    /// @notice A claim outside [0, 2³²) for an fp32 output: no fp32 bit pattern.
    /// @param claimed The claim given.
    error ClaimOutOfRange(int256 claimed);

    /// @notice Whether input `i` is present (not ABSENT and not past the list).
    function present(NodeDescriptor calldata node, uint256 i) internal pure returns (bool) {
        return i < node.inputs.length && node.inputs[i].source != Graph.ABSENT;
    }

    /// @notice The operator's arity (`minInputs` … `maxInputs` inputs, ABSENT ones included),
    ///         its required inputs (the first `minInputs`) present, and its attribute count.
    function expectShape(
        NodeDescriptor calldata node,
        uint256 minInputs,
        uint256 maxInputs,
        uint256 attrs
    ) internal pure {
        uint256 count = node.inputs.length;
        if (count < minInputs || count > maxInputs) revert IOneStepVerifier.InvalidInputCount(count);
        for (uint256 i; i < minInputs; ++i) {
            if (!present(node, i)) revert IOneStepVerifier.MissingOperand(i);
        }
        if (node.attrs.length != attrs) revert IOneStepVerifier.AttributeCountMismatch(attrs, node.attrs.length);
    }

    /// @notice Attribute `i` as an unsigned integer, which must lie in [lo, hi].
    function attr(NodeDescriptor calldata node, uint256 i, uint256 lo, uint256 hi) internal pure returns (uint256) {
        int64 v = node.attrs[i];
        if (v < 0 || uint256(int256(v)) < lo || uint256(int256(v)) > hi) {
            revert IOneStepVerifier.InvalidAttribute(i, v);
        }
        return uint256(int256(v));
    }

    /// @notice Attribute `i` as a flag: 0 or 1.
    function flag(NodeDescriptor calldata node, uint256 i) internal pure returns (bool) {
        return attr(node, i, 0, 1) == 1;
    }

    /// @notice Input `i` opened on one run: its root from the dispute, its spec from the
    ///         descriptor. An ABSENT input has root zero: the libraries' absent form.
    function range(
        NodeDescriptor calldata node,
        bytes32[] calldata roots,
        uint256 i,
        TensorCodec.RangeOpening memory opening
    ) internal pure returns (FloatOperand.Range memory r) {
        if (!present(node, i)) return r;
        r.root = roots[i];
        r.spec = node.inputs[i].spec;
        r.opening = opening;
    }

    /// @notice Input `i` opened on a word set (a window's runs).
    function words(
        NodeDescriptor calldata node,
        bytes32[] calldata roots,
        uint256 i,
        bytes32[] memory opened,
        bytes32[] memory proof
    ) internal pure returns (FloatOperand.Words memory w) {
        w.root = roots[i];
        w.spec = node.inputs[i].spec;
        w.words = opened;
        w.proof = proof;
    }

    /// @notice An fp32 claim's bits (the router has checked the range).
    function bits(int256 claimed) internal pure returns (uint32) {
        return uint32(uint256(claimed));
    }
}
