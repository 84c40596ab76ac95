// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {TensorCodec} from "../libraries/TensorCodec.sol";

/// @title IntMath
/// @notice Two's-complement arithmetic on the profile's element types (docs/PROTOCOL.md §1):
///         every result that leaves a type's range wraps modulo 2^(8·width), as onnxruntime's
///         C++ kernels do (a `static_cast` to the output type).
library IntMath {
    /// @notice `v` wrapped into `dtype`'s range: signed types sign-extend their low bytes,
    ///         uint8 keeps the low byte.
    function wrap(int256 v, uint8 dtype) internal pure returns (int256 r) {
        if (dtype == TensorCodec.INT8) {
            assembly ("memory-safe") {
                r := signextend(0, v)
            }
        } else if (dtype == TensorCodec.UINT8) {
            assembly ("memory-safe") {
                r := and(v, 0xff)
            }
        } else if (dtype == TensorCodec.INT32) {
            assembly ("memory-safe") {
                r := signextend(3, v)
            }
        } else if (dtype == TensorCodec.INT64) {
            assembly ("memory-safe") {
                r := signextend(7, v)
            }
        } else {
            revert TensorCodec.UnsupportedDType(dtype);
        }
    }

    /// @notice The smallest value of `dtype`.
    function minOf(uint8 dtype) internal pure returns (int256) {
        if (dtype == TensorCodec.INT8) return type(int8).min;
        if (dtype == TensorCodec.UINT8) return 0;
        if (dtype == TensorCodec.INT32) return type(int32).min;
        if (dtype == TensorCodec.INT64) return type(int64).min;
        revert TensorCodec.UnsupportedDType(dtype);
    }

    /// @notice The largest value of `dtype`.
    function maxOf(uint8 dtype) internal pure returns (int256) {
        if (dtype == TensorCodec.INT8) return type(int8).max;
        if (dtype == TensorCodec.UINT8) return int256(uint256(type(uint8).max));
        if (dtype == TensorCodec.INT32) return type(int32).max;
        if (dtype == TensorCodec.INT64) return type(int64).max;
        revert TensorCodec.UnsupportedDType(dtype);
    }
}
