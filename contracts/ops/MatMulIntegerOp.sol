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
    // The kernel is one assembly block; splitting it into functions would cost gas per call.
    // solhint-disable-next-line function-max-lines
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
        // Written for the optimizer: the loop lives in its own Yul function with few live
        // variables, so that its stack layout does not depend on the caller; the last partial
        // chunk goes through the same loop from scratch space. Measured per 32 byte pairs:
        // ~870 gas like this; ~1,370 with the loop inline in a larger function body; ~2,300 with
        // more variables than the stack reaches (spilled to memory); ~80,000 by extracting int256
        // arrays and calling {dot}.
        assembly ("memory-safe") {
            // Over the whole chunks [pa, end) of A and the chunks of B from pb: Σ a'b' and the
            // lane-wise sums of A's and B's bytes (each 32-bit lane gains at most 4·255 per chunk,
            // so none overflows below 2²⁶ elements).
            function chunks(pa, pb, end, fa, fb) -> dots, la, lb {
                for {} lt(pa, end) {
                    pa := add(pa, 0x20)
                    pb := add(pb, 0x20)
                } {
                    let wa := xor(mload(pa), fa)
                    let wb := xor(mload(pb), fb)
                    let l := 0x000000ff000000ff000000ff000000ff000000ff000000ff000000ff000000ff
                    lb := add(
                        lb,
                        add(add(and(wb, l), and(shr(8, wb), l)), add(and(shr(16, wb), l), and(shr(24, wb), l)))
                    )
                    // Reverse the eight 32-bit lanes of B's word.
                    wb := or(shl(128, wb), shr(128, wb))
                    let m := 0x0000000000000000ffffffffffffffff0000000000000000ffffffffffffffff
                    wb := or(shl(64, and(wb, m)), and(shr(64, wb), m))
                    m := 0x00000000ffffffff00000000ffffffff00000000ffffffff00000000ffffffff
                    wb := or(shl(32, and(wb, m)), and(shr(32, wb), m))
                    let a0 := and(wa, l)
                    let a1 := and(shr(8, wa), l)
                    let a2 := and(shr(16, wa), l)
                    let a3 := and(shr(24, wa), l)
                    la := add(la, add(add(a0, a1), add(a2, a3)))
                    // Byte g of every lane of A times byte g of the mirrored lane of B, for the
                    // four g, leaves the sum of the 32 products in the top lane (below 2²¹); the
                    // lower lanes stay below 2²¹ as well and never carry into it.
                    dots := add(
                        dots,
                        shr(
                            224,
                            add(
                                add(mul(a0, and(wb, l)), mul(a1, and(shr(8, wb), l))),
                                add(mul(a2, and(shr(16, wb), l)), mul(a3, and(shr(24, wb), l)))
                            )
                        )
                    )
                }
            }
            // Σ of a word's eight 32-bit lanes: folded into four 64-bit lanes, whose sum lands in
            // the top lane of (lanes · 1 in every lane) without carries (each below 2³⁶).
            function sumLanes(w) -> s {
                let m := 0x00000000ffffffff00000000ffffffff00000000ffffffff00000000ffffffff
                w := add(and(w, m), and(shr(32, w), m))
                s := shr(192, mul(w, 0x0000000000000001000000000000000100000000000000010000000000000001))
            }

            let pa := add(add(aWords, 0x20), aByte)
            let pb := add(add(bWords, 0x20), bByte)
            let whole := and(k, not(31))
            let lanesA, lanesB
            products, lanesA, lanesB := chunks(pa, pb, add(pa, whole), flipA, flipB)
            let tail := and(k, 31)
            if tail {
                // The last partial chunk, flipped and with the bytes past the run zeroed (so the
                // padding adds nothing), through the same loop from scratch space.
                let keep := not(shr(shl(3, tail), not(0)))
                mstore(0x00, and(xor(mload(add(pa, whole)), flipA), keep))
                mstore(0x20, and(xor(mload(add(pb, whole)), flipB), keep))
                let p, la, lb := chunks(0x00, 0x20, 0x20, 0, 0)
                products := add(products, p)
                lanesA := add(lanesA, la)
                lanesB := add(lanesB, lb)
            }
            sumA := sumLanes(lanesA)
            sumB := sumLanes(lanesB)
        }
        unchecked {
            int256 offA = aSigned ? azp + 128 : azp;
            int256 offB = bSigned ? bzp + 128 : bzp;
            int256 acc = int256(products) - offB * int256(sumA) - offA * int256(sumB) + int256(k) * offA * offB;
            return IntMath.wrap(acc, TensorCodec.INT32);
        }
    }
}
