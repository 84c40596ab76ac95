// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title FloatVerdict
/// @notice What a float check decides about one claimed element (docs/PROTOCOL.md §11.3);
///         the same numbers as src/float/verdict.ts.
library FloatVerdict {
    /// @notice Within the bound: no fraud.
    uint8 internal constant ADMISSIBLE = 0;
    /// @notice Outside the bound for every value of the enclosure: fraud.
    uint8 internal constant VIOLATES = 1;
    /// @notice Out of the checked range (a non-finite operand, possible overflow): no claim is fraud.
    uint8 internal constant UNCHECKED = 2;
}
