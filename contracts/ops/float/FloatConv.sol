// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {TensorCodec} from "../../libraries/TensorCodec.sol";
import {TensorSpec} from "../../libraries/Types.sol";
import {FloatClaim} from "./FloatClaim.sol";
import {FloatCodec} from "./FloatCodec.sol";
import {FloatDot} from "./FloatDot.sol";
import {FloatOperand} from "./FloatOperand.sol";
import {NumericsPolicy} from "./FloatPolicy.sol";
import {FloatWindow} from "./FloatWindow.sol";

/// @title FloatConv
/// @notice One output element of a 2-D Conv (NCHW, group 1) in the float profile
///         (docs/PROTOCOL.md §11.4, §11.9): X `[N, C, H, W]` row-major, W `[M, C, kh, kw]`
///         row-major, B `[M]` optional. Element (b, m, oy, ox) is the dot product of the input
///         patch under the kernel — its rows opened with one word-set opening, the padding +0 —
///         with the filter W[m] (one contiguous run of C·kh·kw), plus B[m].
library FloatConv {
    /// @notice Conv's attributes; the kernel shape is W's.
    /// @param strides (sh, sw).
    /// @param pads (top, left, bottom, right).
    /// @param dilations (dh, dw).
    struct Geometry {
        uint32[2] strides;
        uint32[4] pads;
        uint32[2] dilations;
    }

    /// @notice The verdict on `claim`; `bias.root` is zero when B is absent.
    function verdict(
        FloatOperand.Words memory x,
        FloatOperand.Range memory w,
        FloatOperand.Range memory bias,
        Geometry memory g,
        FloatClaim memory claim,
        NumericsPolicy memory policy
    ) internal pure returns (uint8) {
        (FloatWindow.Window memory win, uint256 m, uint256 k) = _window(x.spec, w.spec, g, claim.outIndex);
        FloatDot.Element memory e;
        e.aWords = FloatWindow.patch(win, FloatOperand.openWords(x, 0, FloatWindow.wordSet(win)));
        (e.bWords, e.bOffset) = FloatOperand.openRange(w, 1, m * k, k);
        e.k = k;
        e.gemm = FloatDot.Gemm(false, 0, FloatCodec.ONE, FloatCodec.ONE);
        if (bias.root != bytes32(0)) {
            FloatOperand.requireSpec(bias.spec, 2, 1, TensorCodec.ROW_MAJOR);
            if (bias.spec.shape[0] != w.spec.shape[0]) {
                revert FloatOperand.DimensionMismatch(2, 0, w.spec.shape[0], bias.spec.shape[0]);
            }
            e.gemm.hasBias = true;
            e.gemm.bias = FloatOperand.openElement(bias, 2, m);
        }
        e.claimed = claim.claimed;
        e.hint = claim.hint;
        return FloatDot.verdict(e, policy);
    }

    /// @dev The window of element `outIndex`, its output channel m and K = C·kh·kw, after the
    ///      operands' specs and the geometry are checked.
    function _window(
        TensorSpec memory xs,
        TensorSpec memory ws,
        Geometry memory g,
        uint256 outIndex
    ) private pure returns (FloatWindow.Window memory win, uint256 m, uint256 k) {
        FloatOperand.requireSpec(xs, 0, 4, TensorCodec.ROW_MAJOR);
        FloatOperand.requireSpec(ws, 1, 4, TensorCodec.ROW_MAJOR);
        if (ws.shape[1] != xs.shape[1]) revert FloatOperand.DimensionMismatch(1, 1, xs.shape[1], ws.shape[1]);
        TensorCodec.elementCount(xs);
        k = TensorCodec.elementCount(ws) / ws.shape[0];
        win.planes = xs.shape[1];
        win.height = xs.shape[2];
        win.width = xs.shape[3];
        win.kh = ws.shape[2];
        win.kw = ws.shape[3];
        win.dh = g.dilations[0];
        win.dw = g.dilations[1];
        uint256 oh = FloatWindow.outputSize(win.height, uint256(g.pads[0]) + g.pads[2], win.kh, g.strides[0], win.dh);
        uint256 ow = FloatWindow.outputSize(win.width, uint256(g.pads[1]) + g.pads[3], win.kw, g.strides[1], win.dw);
        uint256 outputs = xs.shape[0] * ws.shape[0] * oh * ow;
        if (outIndex >= outputs) revert FloatOperand.OutputIndexOutOfRange(outIndex, outputs);
        uint256 plane = outIndex / (oh * ow);
        m = plane % ws.shape[0];
        win.base = (plane / ws.shape[0]) * win.planes * win.height * win.width;
        win.y0 = int256(((outIndex / ow) % oh) * g.strides[0]) - int256(uint256(g.pads[0]));
        win.x0 = int256((outIndex % ow) * g.strides[1]) - int256(uint256(g.pads[1]));
    }
}
