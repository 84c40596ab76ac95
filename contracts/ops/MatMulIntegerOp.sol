// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IntMath} from "./IntMath.sol";
import {TensorCodec} from "../libraries/TensorCodec.sol";

/// @title MatMulIntegerOp
/// @notice MatMulInteger on one output element (docs/PROTOCOL.md §6, opcode 1):
///         Σ_k (a[k] − azp)·(b[k] − bzp), wrapped to int32.
/// @dev onnxruntime accumulates in int32 and wraps; addition modulo 2³² is associative, so the
///      exact sum wrapped once at the end is the same number whatever the accumulation order.
library MatMulIntegerOp {
    /// @dev 0x80 in every byte: XOR-ing a packed int8 word with it turns each byte b into b + 128
    ///      (as an unsigned byte), so signed and unsigned operands share one unsigned kernel.
    uint256 private constant SIGN_FLIP = 0x8080808080808080808080808080808080808080808080808080808080808080;
    /// @dev The low byte of every 32-bit lane.
    uint256 private constant LANES = 0x000000ff000000ff000000ff000000ff000000ff000000ff000000ff000000ff;
    /// @dev The low half of every 64-bit lane, and of every 128-bit lane.
    uint256 private constant M64 = 0x0000000000000000ffffffffffffffff0000000000000000ffffffffffffffff;
    uint256 private constant M32 = 0x00000000ffffffff00000000ffffffff00000000ffffffff00000000ffffffff;
    /// @dev 1 in every 64-bit lane.
    uint256 private constant ONES64 = 0x0000000000000001000000000000000100000000000000010000000000000001;

    /// @notice The element from already-extracted operands (the readable definition; the
    ///         one-step check uses {dotPacked}, which the tests hold equal to this).
    function dot(int256[] memory a, int256[] memory b, int256 azp, int256 bzp) internal pure returns (int256 acc) {
        uint256 k = a.length;
        unchecked {
            for (uint256 i; i < k; ++i) acc += (a[i] - azp) * (b[i] - bzp);
        }
        return IntMath.wrap(acc, TensorCodec.INT32);
    }

    /// @notice The element read straight from the opened words of A's row and B's column.
    /// @dev With a' = a + 128 for int8 (a for uint8), offA = azp + 128 for int8 (azp for uint8),
    ///      and likewise for B, every a', b' is an unsigned byte and
    ///        Σ (a − azp)(b − bzp) = Σ a'b' − offB·Σa' − offA·Σb' + K·offA·offB.
    ///      Σ a'b' is taken 8 byte pairs per multiplication: with one byte in each 32-bit lane,
    ///      A's lanes times B's lanes in reverse order put Σ_lanes a·b in the top lane (each
    ///      coefficient is below 2²¹, so lower lanes never carry into it, and the higher ones fall
    ///      off modulo 2²⁵⁶). Σa' and Σb' are summed lane-wise and folded once at the end.
    /// @param aWords The opened words holding A's row.
    /// @param aByte Byte offset of the row's first element in `aWords`.
    /// @param aSigned Whether A is int8 (else uint8).
    /// @param bWords The opened words holding B's column (B committed transposed).
    /// @param bByte Byte offset of the column's first element in `bWords`.
    /// @param bSigned Whether B is int8 (else uint8).
    /// @param k The inner dimension; both runs must hold `k` bytes from their offsets.
    function dotPacked(
        bytes32[] memory aWords,
        uint256 aByte,
        bool aSigned,
        int256 azp,
        bytes32[] memory bWords,
        uint256 bByte,
        bool bSigned,
        int256 bzp,
        uint256 k
    ) internal pure returns (int256) {
        uint256 flipA = aSigned ? SIGN_FLIP : 0;
        uint256 flipB = bSigned ? SIGN_FLIP : 0;
        uint256 products;
        uint256 sumA;
        uint256 sumB;
        // Written for the optimizer: one flat loop over whole chunks with few live variables, and
        // the last partial chunk as a copy of the loop body. Measured alternatives, per 32 byte
        // pairs: ~650 gas like this; ~880 with the partial-chunk mask computed inside the loop;
        // ~940 with the body in Yul functions (not inlined); ~2,300 with more variables than the
        // stack can reach (spilled to memory); ~80,000 by extracting int256 arrays and {dot}.
        assembly ("memory-safe") {
            let pa := add(add(aWords, 0x20), aByte)
            let pb := add(add(bWords, 0x20), bByte)
            // Lane-wise running sums of A's and B's bytes: each 32-bit lane gains at most 4·255
            // per chunk, so none overflows below 2²⁶ elements.
            let lanesA := 0
            let lanesB := 0
            for {
                let end := add(pa, and(k, not(31)))
            } lt(pa, end) {
                pa := add(pa, 0x20)
                pb := add(pb, 0x20)
            } {
                let wa := xor(mload(pa), flipA)
                let wb := xor(mload(pb), flipB)
                lanesB := add(lanesB, add(add(and(wb, LANES), and(shr(8, wb), LANES)), add(and(shr(16, wb), LANES), and(shr(24, wb), LANES))))
                // Reverse the eight 32-bit lanes of B's word.
                wb := or(shl(128, wb), shr(128, wb))
                wb := or(shl(64, and(wb, M64)), and(shr(64, wb), M64))
                wb := or(shl(32, and(wb, M32)), and(shr(32, wb), M32))
                let a0 := and(wa, LANES)
                let a1 := and(shr(8, wa), LANES)
                let a2 := and(shr(16, wa), LANES)
                let a3 := and(shr(24, wa), LANES)
                lanesA := add(lanesA, add(add(a0, a1), add(a2, a3)))
                // Byte g of every lane of A times byte g of the mirrored lane of B, for the four g,
                // leaves the sum of the 32 products in the top lane (below 2²¹); the lower lanes
                // stay below 2²¹ as well and never carry into it.
                products := add(products, shr(224, add(add(mul(a0, and(wb, LANES)), mul(a1, and(shr(8, wb), LANES))), add(mul(a2, and(shr(16, wb), LANES)), mul(a3, and(shr(24, wb), LANES))))))
            }
            if and(k, 31) {
                // The last partial chunk: keep its leading bytes and zero the rest, after the
                // flip, so that the padding adds nothing to the products or the sums.
                let keep := not(shr(shl(3, and(k, 31)), not(0)))
                let wa := and(xor(mload(pa), flipA), keep)
                let wb := and(xor(mload(pb), flipB), keep)
                lanesB := add(lanesB, add(add(and(wb, LANES), and(shr(8, wb), LANES)), add(and(shr(16, wb), LANES), and(shr(24, wb), LANES))))
                wb := or(shl(128, wb), shr(128, wb))
                wb := or(shl(64, and(wb, M64)), and(shr(64, wb), M64))
                wb := or(shl(32, and(wb, M32)), and(shr(32, wb), M32))
                let a0 := and(wa, LANES)
                let a1 := and(shr(8, wa), LANES)
                let a2 := and(shr(16, wa), LANES)
                let a3 := and(shr(24, wa), LANES)
                lanesA := add(lanesA, add(add(a0, a1), add(a2, a3)))
                products := add(products, shr(224, add(add(mul(a0, and(wb, LANES)), mul(a1, and(shr(8, wb), LANES))), add(mul(a2, and(shr(16, wb), LANES)), mul(a3, and(shr(24, wb), LANES))))))
            }
            // Σ of the eight 32-bit lanes: folded into four 64-bit lanes, whose sum lands in the
            // top lane of (lanes · 1 in every lane) without carries (each below 2³⁶).
            lanesA := add(and(lanesA, M32), and(shr(32, lanesA), M32))
            lanesB := add(and(lanesB, M32), and(shr(32, lanesB), M32))
            sumA := shr(192, mul(lanesA, ONES64))
            sumB := shr(192, mul(lanesB, ONES64))
        }
        unchecked {
            int256 offA = aSigned ? azp + 128 : azp;
            int256 offB = bSigned ? bzp + 128 : bzp;
            int256 acc = int256(products) - offB * int256(sumA) - offA * int256(sumB) + int256(k) * offA * offB;
            return IntMath.wrap(acc, TensorCodec.INT32);
        }
    }
}
