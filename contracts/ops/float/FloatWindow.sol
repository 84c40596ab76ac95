// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title FloatWindow
/// @notice The 2-D sliding window of Conv, MaxPool and AveragePool over an NCHW input
///         (docs/PROTOCOL.md §11.7): which input words one output element's window touches, and
///         its elements gathered out of the opened words. Kernel row r of plane p touches input
///         row y0 + r·dh; kernel column c input column x0 + c·dw; the columns inside the image
///         are c0 … c1, the same for every row, so each row inside the image is one run (its
///         first to its last touched element) and the runs ascend with (p, r).
library FloatWindow {
    /// @notice A padded extent smaller than the dilated kernel, or a zero stride, dilation or kernel.
    /// @param size The input's extent along the axis.
    /// @param pads The sum of both pads on the axis.
    /// @param kernel The kernel's extent.
    /// @param stride The stride.
    /// @param dilation The dilation.
    error InvalidGeometry(uint256 size, uint256 pads, uint256 kernel, uint256 stride, uint256 dilation);

    /// @notice Opened words fewer than the window's runs occupy.
    /// @param given The words given.
    /// @param needed The words needed so far.
    error InvalidWordCount(uint256 given, uint256 needed);

    /// @notice One output element's window.
    /// @param base Committed position of element (0, 0) of the first plane.
    /// @param planes Planes under the window, each `height·width` after the previous (Conv: the
    ///        input channels; a pool: 1).
    struct Window {
        uint256 base;
        uint256 planes;
        uint256 height;
        uint256 width;
        uint256 kh;
        uint256 kw;
        uint256 dh;
        uint256 dw;
        int256 y0;
        int256 x0;
    }

    /// @notice The output extent ⌊(size + pads − dilation·(kernel − 1) − 1) / stride⌋ + 1.
    function outputSize(
        uint256 size,
        uint256 pads,
        uint256 kernel,
        uint256 stride,
        uint256 dilation
    ) internal pure returns (uint256) {
        if (kernel == 0 || stride == 0 || dilation == 0 || size + pads < dilation * (kernel - 1) + 1) {
            revert InvalidGeometry(size, pads, kernel, stride, dilation);
        }
        return (size + pads - dilation * (kernel - 1) - 1) / stride + 1;
    }

    /// @notice The indices of the input words the window's runs occupy, increasing.
    function wordSet(Window memory w) internal pure returns (uint256[] memory indices) {
        (uint256 c0, uint256 c1, bool any) = _columns(w);
        if (!any) return indices;
        uint256 span = (c1 - c0) * w.dw;
        indices = new uint256[](w.planes * w.kh * (span / 8 + 2));
        uint256 len;
        uint256 lastWord = type(uint256).max;
        for (uint256 p; p < w.planes; ++p) {
            for (uint256 r; r < w.kh; ++r) {
                (bool inside, uint256 start) = _rowStart(w, p, r, c0);
                if (!inside) continue;
                uint256 last = (start + span) >> 3;
                for (uint256 word = start >> 3; word <= last; ++word) {
                    if (word != lastWord) indices[len++] = word;
                }
                lastWord = last;
            }
        }
        assembly ("memory-safe") {
            mstore(indices, len)
        }
    }

    /// @notice The window as Conv's patch: `planes·kh·kw` fp32 lanes in the order (p, r, c), each
    ///         the input element under kernel position (p, r, c), +0 where it lies in the padding.
    ///         `words` are the opened words at {wordSet}'s indices.
    function patch(Window memory w, bytes32[] memory words) internal pure returns (bytes32[] memory packed) {
        (packed, ) = _gather(w, words, true);
    }

    /// @notice The window's elements inside the image, in the order (p, r, c), packed, and their count.
    function values(Window memory w, bytes32[] memory words) internal pure returns (bytes32[] memory, uint256) {
        return _gather(w, words, false);
    }

    /// @dev Kernel columns whose input column lies in [0, width): c0 … c1, or none.
    function _columns(Window memory w) private pure returns (uint256 c0, uint256 c1, bool any) {
        int256 x0 = w.x0;
        int256 dw = int256(w.dw);
        int256 width = int256(w.width);
        int256 first = x0 >= 0 ? int256(0) : (-x0 + dw - 1) / dw;
        if (x0 > width - 1) return (0, 0, false);
        int256 last = (width - 1 - x0) / dw;
        if (last > int256(w.kw) - 1) last = int256(w.kw) - 1;
        if (first > last) return (0, 0, false);
        return (uint256(first), uint256(last), true);
    }

    /// @dev The committed position of the first touched element of row r of plane p, if that row
    ///      lies inside the image.
    function _rowStart(
        Window memory w,
        uint256 p,
        uint256 r,
        uint256 c0
    ) private pure returns (bool inside, uint256 start) {
        int256 iy = w.y0 + int256(r * w.dh);
        if (iy < 0 || iy >= int256(w.height)) return (false, 0);
        uint256 ix = uint256(w.x0 + int256(c0 * w.dw));
        return (true, w.base + (p * w.height + uint256(iy)) * w.width + ix);
    }

    /// @dev Where a gather stands: the touched columns, the opened words used so far, the last
    ///      of them, and the lanes written.
    struct Cursor {
        uint256 c0;
        uint256 n;
        uint256 len;
        uint256 lastWord;
        uint256 count;
        bool zeroFill;
    }

    /// @dev Walks the runs as {wordSet} does, keeping each run's first word's place among the
    ///      opened words, and copies the touched elements out: to lane (p·kh + r)·kw + c when
    ///      `zeroFill`, else one after the other.
    function _gather(
        Window memory w,
        bytes32[] memory words,
        bool zeroFill
    ) private pure returns (bytes32[] memory packed, uint256 count) {
        (uint256 c0, uint256 c1, bool any) = _columns(w);
        uint256 lanes = w.planes * w.kh * w.kw;
        // Two spare words: each lane is written with a 32-byte store, in increasing order.
        packed = new bytes32[](lanes / 8 + 2);
        if (!any) return (packed, zeroFill ? lanes : 0);
        Cursor memory cur = Cursor(c0, c1 - c0 + 1, 0, type(uint256).max, 0, zeroFill);
        for (uint256 p; p < w.planes; ++p) {
            for (uint256 r; r < w.kh; ++r) _gatherRow(w, words, packed, cur, p, r);
        }
        return (packed, zeroFill ? lanes : cur.count);
    }

    /// @dev Row r of plane p, if it lies inside the image.
    function _gatherRow(
        Window memory w,
        bytes32[] memory words,
        bytes32[] memory packed,
        Cursor memory cur,
        uint256 p,
        uint256 r
    ) private pure {
        (bool inside, uint256 start) = _rowStart(w, p, r, cur.c0);
        if (!inside) return;
        uint256 first = start >> 3;
        uint256 slot = first == cur.lastWord ? cur.len - 1 : cur.len;
        cur.lastWord = (start + (cur.n - 1) * w.dw) >> 3;
        cur.len = slot + cur.lastWord - first + 1;
        if (cur.len > words.length) revert InvalidWordCount(words.length, cur.len);
        uint256 lane = cur.zeroFill ? (p * w.kh + r) * w.kw + cur.c0 : cur.count;
        _copy(words, slot, start & 7, w.dw, cur.n, packed, lane);
        cur.count += cur.n;
    }

    /// @dev `n` elements, `step` apart, from element `from` of the words at `slot` on, to lanes
    ///      `lane …` of `packed`. Words are consecutive in memory, so element e of the run sits at
    ///      byte 4e from the slot's word.
    function _copy(
        bytes32[] memory words,
        uint256 slot,
        uint256 from,
        uint256 step,
        uint256 n,
        bytes32[] memory packed,
        uint256 lane
    ) private pure {
        assembly ("memory-safe") {
            let src := add(add(words, 0x20), shl(5, slot))
            let dst := add(add(packed, 0x20), shl(2, lane))
            let mask := shl(224, 0xffffffff)
            for {
                let j := 0
            } lt(j, n) {
                j := add(j, 1)
            } {
                mstore(dst, and(mload(add(src, shl(2, from))), mask))
                dst := add(dst, 4)
                from := add(from, step)
            }
        }
    }
}
