// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title Opcodes
/// @notice Operator codes (docs/PROTOCOL.md §6 for the exact integer profile, §11.7 for the
///         float32 profile's own), the twin of src/graph/opcode.ts. A code shared by both
///         profiles is told apart by the dtypes of the descriptor's specs. Append-only: a
///         registered model's graphRoot depends on them.
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
    uint8 internal constant MAT_MUL = 16;
    uint8 internal constant GEMM = 17;
    uint8 internal constant CONV = 18;
    uint8 internal constant MAX_POOL = 19;
    uint8 internal constant AVERAGE_POOL = 20;
    uint8 internal constant GLOBAL_AVERAGE_POOL = 21;
    uint8 internal constant REDUCE_MEAN = 22;
    uint8 internal constant SQRT = 23;
    uint8 internal constant TRANSPOSE = 24;
}
