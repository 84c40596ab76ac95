// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IOneStepVerifier} from "../interfaces/IOneStepVerifier.sol";

/// @title GatherOp
/// @notice Gather's index arithmetic on one element (docs/PROTOCOL.md §6, opcode 14).
/// @dev With data of shape D, gathered axis `axis`, `dim` = D[axis], `inner` = Π D[axis+1:] and
///      Q indices, output element o has coordinates (outer, j, innerIndex) where
///      innerIndex = o mod inner, j = ⌊o / inner⌋ mod Q, outer = ⌊o / (inner·Q)⌋, and reads
///      data[(outer·dim + idx)·inner + innerIndex] with idx = indices[j] (+ dim when negative).
library GatherOp {
    /// @notice The gathered axis normalized into [0, rank) (ONNX counts a negative axis from the end).
    function normalizeAxis(int256 axis, uint256 rank) internal pure returns (uint256) {
        int256 r = int256(rank);
        int256 a = axis < 0 ? axis + r : axis;
        if (a < 0 || a >= r) revert IOneStepVerifier.InvalidAttribute(0, axis);
        return uint256(a);
    }

    /// @notice The row-major index in the indices operand that output element `outIndex` reads.
    function indicesIndex(uint256 outIndex, uint256 inner, uint256 indexCount) internal pure returns (uint256) {
        return (outIndex / inner) % indexCount;
    }

    /// @notice An index value checked against [−dim, dim) and made non-negative.
    function normalizeIndex(int256 index, uint256 dim) internal pure returns (uint256) {
        int256 d = int256(dim);
        if (index < -d || index >= d) revert IOneStepVerifier.GatherIndexOutOfRange(index, dim);
        return uint256(index < 0 ? index + d : index);
    }

    /// @notice The row-major index in the data operand that output element `outIndex` reads,
    ///         given the (normalized) index value `index`.
    function dataIndex(
        uint256 outIndex,
        uint256 index,
        uint256 dim,
        uint256 inner,
        uint256 indexCount
    ) internal pure returns (uint256) {
        uint256 outer = outIndex / (inner * indexCount);
        return (outer * dim + index) * inner + (outIndex % inner);
    }
}
