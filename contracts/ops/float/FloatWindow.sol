// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title FloatWindow
/// @notice The 2-D sliding window of Conv, MaxPool and AveragePool over an NCHW input
///         (docs/PROTOCOL.md §11.9): which input words one output element's window touches, and
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
        Rows memory rows = _rows(w);
        if (rows.n == 0) return indices;
        indices = new uint256[](w.planes * rows.count * (rows.span / 8 + 2));
        assembly ("memory-safe") {
            let out := add(indices, 0x20)
            let len := 0
            let lastWord := not(0)
            for {
                let p := 0
            } lt(p, mload(add(w, 0x20))) {
                p := add(p, 1)
            } {
                let start := add(mload(add(rows, 0x60)), mul(p, mload(add(rows, 0xe0))))
                for {
                    let r := 0
                } lt(r, mload(add(rows, 0x20))) {
                    r := add(r, 1)
                    start := add(start, mload(add(rows, 0xc0)))
                } {
                    let word := shr(3, start)
                    let last := shr(3, add(start, mload(add(rows, 0x80))))
                    if eq(word, lastWord) {
                        word := add(word, 1)
                    }
                    for {} iszero(gt(word, last)) {
                        word := add(word, 1)
                    } {
                        mstore(add(out, shl(5, len)), word)
                        len := add(len, 1)
                    }
                    lastWord := last
                }
            }
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

    /// @dev The runs of a window: kernel rows r0 … r0 + count − 1 and columns c0 … c0 + n − 1 lie
    ///      inside the image (n = 0: none); `first` is the position of the first touched element
    ///      of row r0 of plane 0, `span` a run's last position minus its first, `rowStep` and
    ///      `planeStep` the distances between runs of consecutive rows and planes.
    struct Rows {
        uint256 r0;
        uint256 count;
        uint256 c0;
        uint256 first;
        uint256 span;
        uint256 n;
        uint256 rowStep;
        uint256 planeStep;
    }

    function _rows(Window memory w) private pure returns (Rows memory rows) {
        (bool anyRow, uint256 r0, uint256 r1) = _inside(w.y0, w.dh, w.height, w.kh);
        (bool anyColumn, uint256 c0, uint256 c1) = _inside(w.x0, w.dw, w.width, w.kw);
        if (!anyRow || !anyColumn) return rows;
        rows.r0 = r0;
        rows.count = r1 - r0 + 1;
        rows.c0 = c0;
        uint256 iy = uint256(w.y0 + int256(r0 * w.dh));
        uint256 ix = uint256(w.x0 + int256(c0 * w.dw));
        rows.first = w.base + iy * w.width + ix;
        rows.span = (c1 - c0) * w.dw;
        rows.n = c1 - c0 + 1;
        rows.rowStep = w.dh * w.width;
        rows.planeStep = w.height * w.width;
    }

    /// @dev Kernel taps t (0 ≤ t < k) whose coordinate origin + t·step lies in [0, size): lo … hi.
    function _inside(
        int256 origin,
        uint256 step,
        uint256 size,
        uint256 k
    ) private pure returns (bool any, uint256 lo, uint256 hi) {
        int256 s = int256(step);
        if (origin > int256(size) - 1) return (false, 0, 0);
        int256 first = origin >= 0 ? int256(0) : (-origin + s - 1) / s;
        int256 last = (int256(size) - 1 - origin) / s;
        if (last > int256(k) - 1) last = int256(k) - 1;
        if (first > last) return (false, 0, 0);
        return (true, uint256(first), uint256(last));
    }

    /// @dev The opened words, the lanes gathered into, and the walk's counts: opened words used,
    ///      lanes written. Kept in memory so that the walk's assembly stays within the legacy stack.
    struct Buffers {
        bytes32[] words;
        bytes32[] packed;
        bool zeroFill;
        uint256 used;
        uint256 count;
    }

    /// @dev Walks the runs as {wordSet} does, keeping each run's first word's place among the
    ///      opened words (a run's words follow the previous run's, sharing at most its last), and
    ///      copies the touched elements out: to lane (p·kh + r)·kw + c when `zeroFill`, else one
    ///      after the other.
    function _gather(
        Window memory w,
        bytes32[] memory words,
        bool zeroFill
    ) private pure returns (bytes32[] memory, uint256) {
        Rows memory rows = _rows(w);
        uint256 lanes = w.planes * w.kh * w.kw;
        // Two spare words: each lane is written with a 32-byte store, in increasing order.
        Buffers memory b = Buffers(words, new bytes32[](lanes / 8 + 2), zeroFill, 0, 0);
        if (rows.n != 0) _walk(w, rows, b);
        if (b.used > words.length) revert InvalidWordCount(words.length, b.used);
        return (b.packed, zeroFill ? lanes : b.count);
    }

    /// @dev The copying walk of {_gather}.
    // The walk is one assembly block (its steps are Yul functions inside it).
    // solhint-disable-next-line function-max-lines
    function _walk(Window memory w, Rows memory rows, Buffers memory b) private pure {
        assembly ("memory-safe") {
            // Copies n elements, step apart, from element `from` of the word at src on, to dst.
            function copy(src, from, step, n, dst) {
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
            // One run from position `start` to lane `lane`: its first word is the previous run's
            // last word or the next opened one.
            function run(win, rs, buf, start, lane, previous) -> last {
                let slot := sub(mload(add(buf, 0x60)), eq(shr(3, start), previous))
                last := shr(3, add(start, mload(add(rs, 0x80))))
                mstore(add(buf, 0x60), add(slot, add(sub(last, shr(3, start)), 1)))
                // The source: word `slot` of the opened words; the target: lane `lane`.
                slot := add(add(mload(buf), 0x20), shl(5, slot))
                lane := add(add(mload(add(buf, 0x20)), 0x20), shl(2, lane))
                copy(slot, and(start, 7), mload(add(win, 0xe0)), mload(add(rs, 0xa0)), lane)
            }
            let lastWord := not(0)
            for {
                let p := 0
            } lt(p, mload(add(w, 0x20))) {
                p := add(p, 1)
            } {
                let start := add(mload(add(rows, 0x60)), mul(p, mload(add(rows, 0xe0))))
                for {
                    let r := 0
                } lt(r, mload(add(rows, 0x20))) {
                    r := add(r, 1)
                    start := add(start, mload(add(rows, 0xc0)))
                } {
                    // Lane (p·kh + r0 + r)·kw + c0 of the patch, or the next free one.
                    let lane := mload(add(b, 0x80))
                    if mload(add(b, 0x40)) {
                        lane := add(
                            mul(add(mul(p, mload(add(w, 0x80))), add(mload(rows), r)), mload(add(w, 0xa0))),
                            mload(add(rows, 0x40))
                        )
                    }
                    lastWord := run(w, rows, b, start, lane, lastWord)
                    mstore(add(b, 0x80), add(mload(add(b, 0x80)), mload(add(rows, 0xa0))))
                }
            }
        }
    }
}
