// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title ShapeOp
/// @notice Reshape, Flatten and Identity (docs/PROTOCOL.md §6, opcodes 11-13). They keep the
///         row-major order of the elements, so output element `o` is data element `o`; only the
///         data operand is opened (a Reshape's shape operand is fixed by the output spec).
library ShapeOp {
    /// @notice Row-major index in the data operand of output element `outIndex`.
    function sourceIndex(uint256 outIndex) internal pure returns (uint256) {
        return outIndex;
    }

    /// @notice The output element: the data element itself.
    function copy(int256 x) internal pure returns (int256) {
        return x;
    }
}
