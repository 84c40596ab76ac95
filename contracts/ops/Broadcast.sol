// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IOneStepVerifier} from "../interfaces/IOneStepVerifier.sol";

/// @title Broadcast
/// @notice numpy's multidirectional broadcasting on one element (docs/PROTOCOL.md §6): shapes
///         align on the right and a dimension of 1 repeats.
library Broadcast {
    /// @notice Row-major index, in an operand of shape `shape`, of the element that output
    ///         element `outIndex` (row-major in `outShape`) reads.
    /// @param operand The operand's place in the descriptor, for the error.
    function sourceIndex(
        uint32[] memory outShape,
        uint32[] memory shape,
        uint256 outIndex,
        uint256 operand
    ) internal pure returns (uint256 index) {
        uint256 outRank = outShape.length;
        uint256 rank = shape.length;
        if (rank > outRank) revert IOneStepVerifier.ShapeMismatch(operand, rank, outRank);
        uint256 stride = 1;
        uint256 rest = outIndex;
        for (uint256 i; i < rank; ++i) {
            uint256 outDim = outShape[outRank - 1 - i];
            uint256 dim = shape[rank - 1 - i];
            uint256 coordinate = rest % outDim;
            rest /= outDim;
            if (dim == outDim) {
                index += coordinate * stride;
            } else if (dim != 1) {
                revert IOneStepVerifier.ShapeMismatch(operand, dim, outDim);
            }
            stride *= dim;
        }
    }
}
