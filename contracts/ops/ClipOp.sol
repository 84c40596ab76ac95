// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title ClipOp
/// @notice Clip and Relu on one element (docs/PROTOCOL.md §6, opcodes 6 and 7).
library ClipOp {
    /// @notice min(max(x, lo), hi): when lo > hi the result is hi, as in onnxruntime.
    /// @dev An absent bound is the dtype's limit ({IntMath-minOf}, {IntMath-maxOf}).
    function clip(int256 x, int256 lo, int256 hi) internal pure returns (int256) {
        int256 y = x < lo ? lo : x;
        return y > hi ? hi : y;
    }

    /// @notice max(x, 0).
    function relu(int256 x) internal pure returns (int256) {
        return x > 0 ? x : int256(0);
    }
}
