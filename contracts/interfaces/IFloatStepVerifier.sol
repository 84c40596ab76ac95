// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {NodeDescriptor} from "../libraries/Graph.sol";

/// @title IFloatStepVerifier
/// @notice The last step of a dispute over a node of a float32 model (docs/PROTOCOL.md §11.10):
///         the verdict on one claimed output element, recomputed from openings of the operand
///         elements it depends on against the operands' roots, with the operands' specs and the
///         operator's attributes taken from the node's descriptor (already proven against the
///         model's graphRoot) and never from the prover.
/// @dev Stateless. A proof that reverts proves nothing and can be resubmitted.
interface IFloatStepVerifier {
    /// @notice The opcode is not in the float32 profile (docs/PROTOCOL.md §11.7).
    /// @param opcode The descriptor's opcode.
    error UnsupportedFloatOpcode(uint8 opcode);
    /// @notice One operand root must be given per descriptor input (ABSENT ones included).
    /// @param expected The descriptor's input count.
    /// @param actual The number of roots given.
    error FloatOperandCountMismatch(uint256 expected, uint256 actual);
    /// @notice The policy in the proof is not the model's.
    /// @param expected The model's policyHash.
    /// @param actual keccak256(abi.encode(policy)) of the proof's policy.
    error PolicyMismatch(bytes32 expected, bytes32 actual);

    /// @notice The verdict ({FloatVerdict}: 0 ADMISSIBLE, 1 VIOLATES, 2 UNCHECKED) on element
    ///         `outIndex` of `node`'s output, claimed as `claimed`.
    /// @param node The node's descriptor.
    /// @param operandRoots The tensor root of each descriptor input, in order (bytes32(0) for ABSENT).
    /// @param outIndex Row-major index of the output element.
    /// @param claimed The claimed element as the dispute game read it from the provider's output:
    ///        the fp32 bit pattern (0 … 2³² − 1, else it reverts) for a float32 output, the int64
    ///        index read as a signed integer for ArgMax (a negative one violates).
    /// @param proof abi.encode(NumericsPolicy policy, bytes operands): the model's policy and the
    ///        opcode's operand openings (docs/PROTOCOL.md §11.10).
    /// @param policyHash The model's ModelSpec.policyHash.
    function verdict(
        NodeDescriptor calldata node,
        bytes32[] calldata operandRoots,
        uint256 outIndex,
        int256 claimed,
        bytes calldata proof,
        bytes32 policyHash
    ) external view returns (uint8);
}
