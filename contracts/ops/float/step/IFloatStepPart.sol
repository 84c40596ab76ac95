// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {NodeDescriptor} from "../../../libraries/Graph.sol";
import {NumericsPolicy} from "../FloatPolicy.sol";

/// @title IFloatStepPart
/// @notice One family of the float32 profile's routed one-step check (docs/PROTOCOL.md §11.10):
///         {FloatStepVerifier} checks the policy, the operand roots and the claim's range, then
///         forwards the element to the part that holds its opcode's check. The checks are split
///         over a few contracts so that none comes near the 24,576-byte code limit.
interface IFloatStepPart {
    /// @notice The verdict ({FloatVerdict}) on element `outIndex` of `node`'s output.
    /// @param node The node's descriptor: operand specs and attributes.
    /// @param operandRoots One root per descriptor input, bytes32(0) exactly for the ABSENT ones.
    /// @param outIndex Row-major index of the output element.
    /// @param claimed The claimed element: fp32 bits in [0, 2³²), or ArgMax's int64 index.
    /// @param operands The opcode's operand openings, encoded as docs/PROTOCOL.md §11.10 fixes.
    /// @param policy The model's numerics policy, already validated.
    function verdict(
        NodeDescriptor calldata node,
        bytes32[] calldata operandRoots,
        uint256 outIndex,
        int256 claimed,
        bytes calldata operands,
        NumericsPolicy calldata policy
    ) external view returns (uint8);
}
