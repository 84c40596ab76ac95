// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @notice One claimed output element of a sum-family one-step check (docs/PROTOCOL.md §11.4).
/// @param outIndex The element's row-major index in the node's output.
/// @param claimed The claimed element's fp32 bits.
/// @param hint The prover's grid exponent g.
struct FloatClaim {
    uint256 outIndex;
    uint32 claimed;
    int256 hint;
}
