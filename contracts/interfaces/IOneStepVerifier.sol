// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {NodeDescriptor} from "../libraries/Graph.sol";
import {TensorCodec} from "../libraries/TensorCodec.sol";

/// @title IOneStepVerifier
/// @notice The last step of a dispute (docs/PROTOCOL.md §9.3): recomputes one element of one
///         integer ONNX operator exactly, from range openings of the operand elements it
///         depends on, so the dispute game can compare it with the provider's claimed element.
/// @dev Stateless and pure. Every revert is one of the errors below or one of
///      {TensorCodec}'s (RootMismatch, MalformedProof, InvalidRange, UnsupportedDType,
///      InvalidShape, InvalidLayout): a proof that reverts proves nothing and can be resubmitted.
interface IOneStepVerifier {
    /// @notice The opcode is not in the exact integer profile (docs/PROTOCOL.md §6).
    /// @param opcode The descriptor's opcode.
    error UnsupportedOpcode(uint8 opcode);
    /// @notice One operand root must be given per descriptor input (ABSENT ones included).
    /// @param expected The descriptor's input count.
    /// @param actual The number of roots given.
    error OperandCountMismatch(uint256 expected, uint256 actual);
    /// @notice One opening must be given per dependency of the output element (docs/PROTOCOL.md §6.1).
    /// @param expected The element's dependency count.
    /// @param actual The number of openings given.
    error OpeningCountMismatch(uint256 expected, uint256 actual);
    /// @notice The disputed element is outside the node's output.
    /// @param index The row-major output index given.
    /// @param count The output's element count.
    error OutputIndexOutOfRange(uint256 index, uint256 count);
    /// @notice An opening that is not exactly the words holding its dependency's positions.
    /// @param opening The opening's place in the list.
    /// @param expectedFirstWord The first word holding the dependency.
    /// @param expectedWordCount The number of words holding it.
    /// @param firstWord The opening's first word.
    /// @param wordCount The opening's word count.
    error OpeningRangeMismatch(
        uint256 opening,
        uint256 expectedFirstWord,
        uint256 expectedWordCount,
        uint256 firstWord,
        uint256 wordCount
    );
    /// @notice The descriptor has more or fewer inputs than the operator takes.
    /// @param count The descriptor's input count.
    error InvalidInputCount(uint256 count);
    /// @notice The descriptor has more or fewer attributes than the operator takes.
    /// @param expected The operator's attribute count.
    /// @param actual The descriptor's attribute count.
    error AttributeCountMismatch(uint256 expected, uint256 actual);
    /// @notice A dependency that runs past the end of its operand (only a malformed descriptor has one).
    /// @param operand The input's place in the descriptor.
    /// @param end One past the last committed position needed.
    /// @param count The operand's element count.
    error DependencyOutOfRange(uint256 operand, uint256 end, uint256 count);
    /// @notice A required input of the operator is missing or ABSENT.
    /// @param operand The input's place in the descriptor.
    error MissingOperand(uint256 operand);
    /// @notice An operand whose committed layout does not make its dependencies contiguous
    ///         (MatMulInteger's A and ArgMax's X must be row-major, MatMulInteger's B transposed).
    /// @param operand The input's place in the descriptor.
    /// @param layout Its layout code.
    error UnsupportedLayout(uint256 operand, uint8 layout);
    /// @notice An operand whose dtype or rank the operator does not accept.
    /// @param operand The input's place in the descriptor.
    /// @param dtype Its dtype code.
    /// @param rank Its rank.
    error UnsupportedOperand(uint256 operand, uint8 dtype, uint256 rank);
    /// @notice Shapes that numpy broadcasting (or MatMulInteger's inner dimension) cannot align.
    /// @param operand The input's place in the descriptor.
    /// @param dim The operand's dimension.
    /// @param expected The dimension it had to match.
    error ShapeMismatch(uint256 operand, uint256 dim, uint256 expected);
    /// @notice An attribute outside the operator's domain (an axis out of range, a bad flag).
    /// @param position The attribute's place in the descriptor's attrs.
    /// @param value Its value.
    error InvalidAttribute(uint256 position, int256 value);
    /// @notice A Div element whose divisor is zero.
    error DivisionByZero();
    /// @notice A Gather index outside `[-dim, dim)`.
    /// @param index The index read from the indices tensor.
    /// @param dim The size of the gathered axis.
    error GatherIndexOutOfRange(int256 index, uint256 dim);

    /// @notice Recomputes element `outIndex` of `node`'s output.
    /// @dev Resolves the dependencies of the element (docs/PROTOCOL.md §6.1), requires one opening
    ///      per dependency covering exactly its words, verifies each against its operand's root and
    ///      spec, reads the elements and applies the operator with onnxruntime's integer semantics.
    /// @param node The node's descriptor, already proven against the model's graphRoot.
    /// @param operandRoots The tensor root of each descriptor input, in order (bytes32(0) for ABSENT).
    /// @param outIndex Row-major index of the output element.
    /// @param openings One range opening per dependency, in the order of docs/PROTOCOL.md §6.1.
    /// @return value The element, in the output dtype's range.
    function execute(
        NodeDescriptor calldata node,
        bytes32[] calldata operandRoots,
        uint256 outIndex,
        TensorCodec.RangeOpening[] calldata openings
    ) external pure returns (int256 value);
}
