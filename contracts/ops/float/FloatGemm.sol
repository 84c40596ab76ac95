// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {TensorCodec} from "../../libraries/TensorCodec.sol";
import {TensorSpec} from "../../libraries/Types.sol";
import {FloatClaim} from "./FloatClaim.sol";
import {FloatDot} from "./FloatDot.sol";
import {FloatOperand} from "./FloatOperand.sol";
import {NumericsPolicy} from "./FloatPolicy.sol";

/// @title FloatGemm
/// @notice One output element of Gemm in the float profile (docs/PROTOCOL.md §11.4, §11.9):
///         y[m, n] = α·Σ_k A'[m, k]·B'[k, n] + β·C[m, n] with A' = transA ? Aᵀ : A and likewise B'.
///         The committed layouts make both runs contiguous: A row-major (transA = 0) or
///         transposed (transA = 1), B transposed (transB = 0) or row-major (transB = 1); then A's
///         row m is `[m·K, K)` and B's column n is `[n·K, K)`. C broadcasts to `[M, N]`.
library FloatGemm {
    /// @notice Gemm's attributes.
    struct Attributes {
        uint32 alpha;
        uint32 beta;
        bool transA;
        bool transB;
    }

    /// @dev M, N, K of the product, and the element's row and column.
    struct Shape {
        uint256 m;
        uint256 n;
        uint256 k;
        uint256 row;
        uint256 col;
    }

    /// @notice The verdict on `claim`; `c.root` is zero when C is absent.
    function verdict(
        FloatOperand.Range memory a,
        FloatOperand.Range memory b,
        FloatOperand.Range memory c,
        Attributes memory attrs,
        FloatClaim memory claim,
        NumericsPolicy memory policy
    ) internal pure returns (uint8) {
        Shape memory s = _shape(a.spec, b.spec, attrs, claim.outIndex);
        FloatDot.Element memory e;
        (e.aWords, e.aOffset) = FloatOperand.openRange(a, 0, s.row * s.k, s.k);
        (e.bWords, e.bOffset) = FloatOperand.openRange(b, 1, s.col * s.k, s.k);
        e.k = s.k;
        e.gemm = FloatDot.Gemm(false, 0, attrs.alpha, attrs.beta);
        if (c.root != bytes32(0)) {
            e.gemm.hasBias = true;
            e.gemm.bias = FloatOperand.openElement(c, 2, _biasIndex(c.spec, s));
        }
        e.claimed = claim.claimed;
        e.hint = claim.hint;
        return FloatDot.verdict(e, policy);
    }

    function _shape(
        TensorSpec memory as_,
        TensorSpec memory bs,
        Attributes memory attrs,
        uint256 outIndex
    ) private pure returns (Shape memory s) {
        FloatOperand.requireSpec(as_, 0, 2, attrs.transA ? TensorCodec.TRANSPOSED : TensorCodec.ROW_MAJOR);
        FloatOperand.requireSpec(bs, 1, 2, attrs.transB ? TensorCodec.ROW_MAJOR : TensorCodec.TRANSPOSED);
        (s.m, s.k) = attrs.transA ? (as_.shape[1], as_.shape[0]) : (as_.shape[0], as_.shape[1]);
        uint256 bk;
        (bk, s.n) = attrs.transB ? (bs.shape[1], bs.shape[0]) : (bs.shape[0], bs.shape[1]);
        if (bk != s.k) revert FloatOperand.DimensionMismatch(1, attrs.transB ? 1 : 0, s.k, bk);
        uint256 outputs = s.m * s.n;
        if (outIndex >= outputs) revert FloatOperand.OutputIndexOutOfRange(outIndex, outputs);
        s.row = outIndex / s.n;
        s.col = outIndex % s.n;
    }

    /// @dev C's element for (row, col) under unidirectional broadcasting to `[M, N]`: C's shape,
    ///      padded with leading 1s to rank 2, must be `[1 or M, 1 or N]`.
    function _biasIndex(TensorSpec memory cs, Shape memory s) private pure returns (uint256) {
        uint256 rank = cs.shape.length;
        if (rank > 2 || cs.layout != TensorCodec.ROW_MAJOR) {
            revert FloatOperand.InvalidOperandSpec(2, cs.dtype, cs.layout, rank);
        }
        uint256 cm = rank == 2 ? cs.shape[0] : 1;
        uint256 cn = rank >= 1 ? cs.shape[rank - 1] : 1;
        if (cm != 1 && cm != s.m) revert FloatOperand.DimensionMismatch(2, 0, s.m, cm);
        if (cn != 1 && cn != s.n) revert FloatOperand.DimensionMismatch(2, rank - 1, s.n, cn);
        return (cm == 1 ? 0 : s.row) * cn + (cn == 1 ? 0 : s.col);
    }
}
