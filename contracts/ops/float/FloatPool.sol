// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {TensorCodec} from "../../libraries/TensorCodec.sol";
import {TensorSpec} from "../../libraries/Types.sol";
import {FloatCodec} from "./FloatCodec.sol";
import {FloatCompare} from "./FloatCompare.sol";
import {FloatMean} from "./FloatMean.sol";
import {FloatOperand} from "./FloatOperand.sol";
import {NumericsPolicy} from "./FloatPolicy.sol";
import {FloatWindow} from "./FloatWindow.sol";

/// @title FloatPool
/// @notice One output element of MaxPool, AveragePool (2-D, NCHW, ceil_mode 0) or
///         GlobalAveragePool in the float profile (docs/PROTOCOL.md §11.4, §11.6, §11.9). A pool's
///         window covers one plane; its rows inside the image are opened with one word-set
///         opening, and padding is no value. GlobalAveragePool's plane is one contiguous run.
library FloatPool {
    /// @notice A pool's attributes.
    /// @param kernel (kh, kw).
    /// @param strides (sh, sw).
    /// @param pads (top, left, bottom, right).
    /// @param dilations (dh, dw).
    /// @param countIncludePad AveragePool's count_include_pad: divide by kh·kw, not by the count.
    struct Geometry {
        uint32[2] kernel;
        uint32[2] strides;
        uint32[4] pads;
        uint32[2] dilations;
        bool countIncludePad;
    }

    /// @notice A window with no element inside the image (all of it in the padding).
    /// @param outIndex The output element.
    error EmptyWindow(uint256 outIndex);

    /// @notice MaxPool: the claim against the window's largest value (bit equality, §11.6).
    function maxVerdict(
        FloatOperand.Words memory x,
        Geometry memory g,
        uint256 outIndex,
        uint32 claimed
    ) internal pure returns (uint8) {
        (bytes32[] memory packed, uint256 count) = _open(x, g, outIndex);
        uint32[] memory xs = new uint32[](count);
        for (uint256 i; i < count; ++i) xs[i] = FloatCodec.at(packed, i);
        (bool defined, uint32 value) = FloatCompare.extremum(xs, true);
        return FloatCompare.equalityVerdict(claimed, defined, value);
    }

    /// @notice AveragePool: the window's sum over d = its count, or kh·kw with count_include_pad.
    function averageVerdict(
        FloatOperand.Words memory x,
        Geometry memory g,
        uint256 outIndex,
        uint32 claimed,
        int256 hint,
        NumericsPolicy memory policy
    ) internal pure returns (uint8) {
        (bytes32[] memory packed, uint256 count) = _open(x, g, outIndex);
        uint256 divisor = g.countIncludePad ? uint256(g.kernel[0]) * g.kernel[1] : count;
        return FloatMean.verdict(FloatMean.Window(packed, 0, count, divisor, claimed, hint), policy);
    }

    /// @notice GlobalAveragePool over X `[N, C, d1, …]`: element o averages the plane `[o·S, S)`,
    ///         S the product of the spatial dimensions, opened as one range.
    function globalAverageVerdict(
        FloatOperand.Range memory x,
        uint256 outIndex,
        uint32 claimed,
        int256 hint,
        NumericsPolicy memory policy
    ) internal pure returns (uint8) {
        TensorSpec memory spec = x.spec;
        uint256 rank = spec.shape.length;
        if (rank < 3 || spec.layout != TensorCodec.ROW_MAJOR) {
            revert FloatOperand.InvalidOperandSpec(0, spec.dtype, spec.layout, rank);
        }
        uint256 outputs = uint256(spec.shape[0]) * spec.shape[1];
        uint256 plane = TensorCodec.elementCount(spec) / outputs;
        if (outIndex >= outputs) revert FloatOperand.OutputIndexOutOfRange(outIndex, outputs);
        (bytes32[] memory words, uint256 offset) = FloatOperand.openRange(x, 0, outIndex * plane, plane);
        return FloatMean.verdict(FloatMean.Window(words, offset, plane, plane, claimed, hint), policy);
    }

    /// @dev The window of `outIndex` opened and gathered: its values inside the image and their count.
    function _open(
        FloatOperand.Words memory x,
        Geometry memory g,
        uint256 outIndex
    ) private pure returns (bytes32[] memory packed, uint256 count) {
        FloatWindow.Window memory win = _window(x.spec, g, outIndex);
        bytes32[] memory opened = FloatOperand.openWords(x, 0, FloatWindow.wordSet(win));
        (packed, count) = FloatWindow.values(win, opened);
        if (count == 0) revert EmptyWindow(outIndex);
    }

    function _window(
        TensorSpec memory xs,
        Geometry memory g,
        uint256 outIndex
    ) private pure returns (FloatWindow.Window memory win) {
        FloatOperand.requireSpec(xs, 0, 4, TensorCodec.ROW_MAJOR);
        TensorCodec.elementCount(xs);
        win.planes = 1;
        win.height = xs.shape[2];
        win.width = xs.shape[3];
        win.kh = g.kernel[0];
        win.kw = g.kernel[1];
        win.dh = g.dilations[0];
        win.dw = g.dilations[1];
        uint256 oh = FloatWindow.outputSize(win.height, uint256(g.pads[0]) + g.pads[2], win.kh, g.strides[0], win.dh);
        uint256 ow = FloatWindow.outputSize(win.width, uint256(g.pads[1]) + g.pads[3], win.kw, g.strides[1], win.dw);
        uint256 outputs = uint256(xs.shape[0]) * xs.shape[1] * oh * ow;
        if (outIndex >= outputs) revert FloatOperand.OutputIndexOutOfRange(outIndex, outputs);
        win.base = (outIndex / (oh * ow)) * win.height * win.width;
        win.y0 = int256(((outIndex / ow) % oh) * g.strides[0]) - int256(uint256(g.pads[0]));
        win.x0 = int256((outIndex % ow) * g.strides[1]) - int256(uint256(g.pads[1]));
    }
}
