// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IntMath} from "./IntMath.sol";

/// @title CastOp
/// @notice Cast on one element (docs/PROTOCOL.md §6, opcode 10).
library CastOp {
    /// @notice `x` as a `to` element: two's-complement truncation, sign extension from signed
    ///         sources, zero extension from uint8 (C++ `static_cast`), e.g. int32 300 → int8 44,
    ///         int8 −1 → uint8 255.
    function cast(int256 x, uint8 to) internal pure returns (int256) {
        return IntMath.wrap(x, to);
    }
}
