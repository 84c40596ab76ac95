// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title Opcodes
/// @notice Operator codes of the exact integer profile (docs/PROTOCOL.md §6), the twin of
///         src/graph/opcode.ts. Append-only: a registered model's graphRoot depends on them.
library Opcodes {
    uint8 internal constant MAT_MUL_INTEGER = 1;
    uint8 internal constant ADD = 2;
    uint8 internal constant SUB = 3;
    uint8 internal constant MUL = 4;
    uint8 internal constant DIV = 5;
    uint8 internal constant CLIP = 6;
    uint8 internal constant RELU = 7;
    uint8 internal constant MAX = 8;
    uint8 internal constant MIN = 9;
    uint8 internal constant CAST = 10;
    uint8 internal constant RESHAPE = 11;
    uint8 internal constant FLATTEN = 12;
    uint8 internal constant IDENTITY = 13;
    uint8 internal constant GATHER = 14;
    uint8 internal constant ARG_MAX = 15;
}
