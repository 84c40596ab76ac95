// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IOneStepVerifier} from "../interfaces/IOneStepVerifier.sol";
import {IntMath} from "./IntMath.sol";

/// @title ElementwiseOp
/// @notice Add, Sub, Mul, Div, Max and Min on one element (docs/PROTOCOL.md §6, opcodes 2-5, 8, 9).
/// @dev Operands are elements of `dtype` (at most 64 bits), so every intermediate is exact in
///      int256 and the only rounding is the final wrap, exactly what onnxruntime's
///      `static_cast` of the C++ result gives.
library ElementwiseOp {
    /// @notice wrap(a + b).
    function add(int256 a, int256 b, uint8 dtype) internal pure returns (int256) {
        unchecked {
            return IntMath.wrap(a + b, dtype);
        }
    }

    /// @notice wrap(a − b).
    function sub(int256 a, int256 b, uint8 dtype) internal pure returns (int256) {
        unchecked {
            return IntMath.wrap(a - b, dtype);
        }
    }

    /// @notice wrap(a · b).
    function mul(int256 a, int256 b, uint8 dtype) internal pure returns (int256) {
        unchecked {
            return IntMath.wrap(a * b, dtype);
        }
    }

    /// @notice wrap(a / b), the quotient truncated toward zero (C++ integer division).
    /// @dev The loader only accepts constant divisors without 0 or −1; the zero check stays
    ///      because it is one comparison and turns a panic into a named error.
    function div(int256 a, int256 b, uint8 dtype) internal pure returns (int256) {
        if (b == 0) revert IOneStepVerifier.DivisionByZero();
        unchecked {
            return IntMath.wrap(a / b, dtype);
        }
    }

    /// @notice The larger of `a` and `b`.
    function max(int256 a, int256 b) internal pure returns (int256) {
        return a >= b ? a : b;
    }

    /// @notice The smaller of `a` and `b`.
    function min(int256 a, int256 b) internal pure returns (int256) {
        return a <= b ? a : b;
    }
}
