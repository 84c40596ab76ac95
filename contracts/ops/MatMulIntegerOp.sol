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

    /// @notice A run of 8-bit elements inside opened words: one operand of the dot product.
    /// @param words The opened words holding the run.
    /// @param offset Byte offset of the run's first element in `words`.
    /// @param isSigned Whether the elements are int8 (else uint8).
    /// @param zeroPoint The operand's zero point (0 when absent).
    struct ByteRun {
        bytes32[] words;
        uint256 offset;
        bool isSigned;
        int256 zeroPoint;
    }

    /// @notice The element read straight from the opened words of A's row and B's column.
    /// @dev With a' = a + 128 for int8 (a for uint8), offA = azp + 128 for int8 (azp for uint8),
    ///      and likewise for B, every a', b' is an unsigned byte and
    ///        Σ (a − azp)(b − bzp) = Σ a'b' − offB·Σa' − offA·Σb' + K·offA·offB.
    ///      Σ a'b' is taken 8 byte pairs per multiplication: with one byte in each 32-bit lane,
    ///      A's lanes times B's lanes in reverse order put Σ_lanes a·b in the top lane (each
    ///      coefficient is below 2²¹, so lower lanes never carry into it, and the higher ones fall
    ///      off modulo 2²⁵⁶). Σa' and Σb' are summed lane-wise and folded once at the end.
    /// @param a A's row.
    /// @param b B's column (B is committed transposed).
    /// @param k The inner dimension; both runs must hold `k` bytes from their offsets.
    // The kernel is one assembly block (its steps are Yul functions inside it).
    // solhint-disable-next-line function-max-lines
    function dotPacked(ByteRun memory a, ByteRun memory b, uint256 k) internal pure returns (int256) {
        uint256 flipA = a.isSigned ? SIGN_FLIP : 0;
        uint256 flipB = b.isSigned ? SIGN_FLIP : 0;
        bytes32[] memory aWords = a.words;
        bytes32[] memory bWords = b.words;
        uint256 aByte = a.offset;
        uint256 bByte = b.offset;
        uint256 products;
        uint256 sumA;
        uint256 sumB;
        // Each step is a small Yul function, so its stack layout does not depend on the caller's.
        // Measured in OneStepVerifier at K = 4096: ~580k gas for the whole call like this, 630k to
        // 680k with the loop body written inline (the optimizer's stack layout then varies with
        // the surrounding code); the dot product alone costs ~950 gas per 32 byte pairs, against
        // ~80,000 by extracting int256 arrays and calling {dot}.
        assembly ("memory-safe") {
            // B's word with its eight 32-bit lanes in reverse order.
            function reverseLanes(w) -> r {
                r := or(shl(128, w), shr(128, w))
                let m64 := 0x0000000000000000ffffffffffffffff0000000000000000ffffffffffffffff
                r := or(shl(64, and(r, m64)), and(shr(64, r), m64))
                let m32 := 0x00000000ffffffff00000000ffffffff00000000ffffffff00000000ffffffff
                r := or(shl(32, and(r, m32)), and(shr(32, r), m32))
            }
            // Σ a·b over the 32 byte pairs of A's word and B's lane-reversed word: byte g of every
            // lane of A times byte g of the mirrored lane of B, for the four g, leaves the sum in
            // the top lane (below 2²¹); the lower lanes stay below 2²¹ and never carry into it.
            function dot32(wa, wb) -> d {
                let l := 0x000000ff000000ff000000ff000000ff000000ff000000ff000000ff000000ff
                d := shr(
                    224,
                    add(
                        add(mul(and(wa, l), and(wb, l)), mul(and(shr(8, wa), l), and(shr(8, wb), l))),
                        add(
                            mul(and(shr(16, wa), l), and(shr(16, wb), l)),
                            mul(and(shr(24, wa), l), and(shr(24, wb), l))
                        )
                    )
                )
            }
            // The word's bytes summed into its eight 32-bit lanes (at most 4·255 per lane).
            function laneSums(w) -> s {
                let l := 0x000000ff000000ff000000ff000000ff000000ff000000ff000000ff000000ff
                s := add(add(and(w, l), and(shr(8, w), l)), add(and(shr(16, w), l), and(shr(24, w), l)))
            }
            // Σ of a word's eight 32-bit lanes: folded into four 64-bit lanes, whose sum lands in
            // the top lane of (lanes · 1 in every lane) without carries (each below 2³⁶).
            function sumLanes(w) -> s {
                let m32 := 0x00000000ffffffff00000000ffffffff00000000ffffffff00000000ffffffff
                w := add(and(w, m32), and(shr(32, w), m32))
                s := shr(192, mul(w, 0x0000000000000001000000000000000100000000000000010000000000000001))
            }
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
                products := add(products, dot32(wa, reverseLanes(wb)))
                lanesA := add(lanesA, laneSums(wa))
                lanesB := add(lanesB, laneSums(wb))
            }
            let tail := and(k, 31)
            if tail {
                // The last partial chunk: its leading bytes, flipped, the rest zeroed so that the
                // padding adds nothing to the products or the sums.
                let keep := not(shr(shl(3, tail), not(0)))
                let wa := and(xor(mload(pa), flipA), keep)
                let wb := and(xor(mload(pb), flipB), keep)
                products := add(products, dot32(wa, reverseLanes(wb)))
                lanesA := add(lanesA, laneSums(wa))
                lanesB := add(lanesB, laneSums(wb))
            }
            sumA := sumLanes(lanesA)
            sumB := sumLanes(lanesB)
        }
        unchecked {
            int256 offA = a.isSigned ? a.zeroPoint + 128 : a.zeroPoint;
            int256 offB = b.isSigned ? b.zeroPoint + 128 : b.zeroPoint;
            int256 acc = int256(products) - offB * int256(sumA) - offA * int256(sumB) + int256(k) * offA * offB;
            return IntMath.wrap(acc, TensorCodec.INT32);
        }
    }
}
