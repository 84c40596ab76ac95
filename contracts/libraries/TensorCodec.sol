// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {TensorSpec} from "./Types.sol";

/// @title TensorCodec
/// @notice The canonical tensor format of docs/PROTOCOL.md §1-§4 on-chain: element
///         widths, committed positions, Merkle roots over packed words, range openings
///         and element extraction. The TypeScript twin is src/tensor/; both pass the
///         golden vectors in test/vectors/tensors.json.
library TensorCodec {
    /// @notice A run of consecutive words of a tensor with the proof that ties them to
    ///         the tensor's data root (docs/PROTOCOL.md §3).
    struct RangeOpening {
        uint256 firstWord;
        bytes32[] words;
        bytes32[] proof;
    }

    uint8 internal constant FLOAT = 1;
    uint8 internal constant UINT8 = 2;
    uint8 internal constant INT8 = 3;
    uint8 internal constant INT32 = 6;
    uint8 internal constant INT64 = 7;

    uint8 internal constant ROW_MAJOR = 0;
    uint8 internal constant TRANSPOSED = 1;

    /// @notice Element count bound of the exact integer profile.
    uint256 internal constant MAX_ELEMENTS = 1 << 26;

    /// @notice The dtype code is not one of the element types of docs/PROTOCOL.md §1 and §11.1.
    /// @param dtype The offending ONNX dtype code.
    error UnsupportedDType(uint8 dtype);
    /// @notice A spec whose shape has a zero dimension, too many elements or a bad layout.
    /// @param elements The element count computed so far.
    error InvalidShape(uint256 elements);
    /// @notice The layout code is neither row-major nor transposed (or transposed below rank 2).
    /// @param layout The offending layout.
    error InvalidLayout(uint8 layout);
    /// @notice Packed bytes whose length does not match the spec.
    /// @param expected n * width.
    /// @param actual The length given.
    error PackedLengthMismatch(uint256 expected, uint256 actual);
    /// @notice A range opening with no words, or one that runs past the tensor.
    /// @param firstWord The first word of the opening.
    /// @param wordCount The number of words opened.
    /// @param tensorWords The tensor's word count.
    error InvalidRange(uint256 firstWord, uint256 wordCount, uint256 tensorWords);
    /// @notice A range proof with too few or too many elements.
    /// @param proofLength The proof's length.
    error MalformedProof(uint256 proofLength);
    /// @notice The opening does not hash to the expected tensor root.
    /// @param expected The root the opening had to reach.
    /// @param actual The root it reached.
    error RootMismatch(bytes32 expected, bytes32 actual);
    /// @notice An element position outside the opened words.
    /// @param position The committed position asked for.
    error PositionNotOpened(uint256 position);

    /// @notice Bytes per element of `dtype`.
    function width(uint8 dtype) internal pure returns (uint256) {
        if (dtype == INT8 || dtype == UINT8) return 1;
        if (dtype == INT32 || dtype == FLOAT) return 4;
        if (dtype == INT64) return 8;
        revert UnsupportedDType(dtype);
    }

    /// @notice Whether `dtype`'s elements are read as signed integers. A float32 element is read
    ///         as its bit pattern, unsigned (docs/PROTOCOL.md §11.1), as src/tensor/dtype.ts does.
    function signed(uint8 dtype) internal pure returns (bool) {
        return dtype != UINT8 && dtype != FLOAT;
    }

    /// @notice Number of elements of a spec, validated against the profile's bounds.
    function elementCount(TensorSpec memory spec) internal pure returns (uint256 n) {
        n = 1;
        uint256 rank = spec.shape.length;
        for (uint256 i; i < rank; ++i) {
            uint256 d = spec.shape[i];
            if (d == 0) revert InvalidShape(0);
            n *= d;
            if (n > MAX_ELEMENTS) revert InvalidShape(n);
        }
        if (spec.layout > TRANSPOSED || (spec.layout == TRANSPOSED && rank < 2)) revert InvalidLayout(spec.layout);
    }

    /// @notice Number of 32-byte words of the canonical packing.
    function wordCount(TensorSpec memory spec) internal pure returns (uint256) {
        return (elementCount(spec) * width(spec.dtype) + 31) / 32;
    }

    /// @notice Depth of the Merkle tree over `leaves` leaves: ceil(log2(leaves)).
    function depthOf(uint256 leaves) internal pure returns (uint256 depth) {
        while ((uint256(1) << depth) < leaves) ++depth;
    }

    /// @notice tensorRoot = keccak256(abi.encode(spec, dataRoot)).
    function tensorRoot(TensorSpec memory spec, bytes32 dataRoot) internal pure returns (bytes32) {
        return keccak256(abi.encode(spec, dataRoot));
    }

    /// @notice Committed position of the element with row-major index `index`.
    function committedPosition(TensorSpec memory spec, uint256 index) internal pure returns (uint256) {
        if (spec.layout == ROW_MAJOR) return index;
        uint256 rank = spec.shape.length;
        uint256 rows = spec.shape[rank - 2];
        uint256 cols = spec.shape[rank - 1];
        uint256 plane = rows * cols;
        uint256 within = index % plane;
        return index - within + (within % cols) * rows + within / cols;
    }

    /// @notice Tensor root of packed bytes (the unpadded canonical packing).
    /// @dev Used for inline job inputs and committed outputs; cost grows with the
    ///      word count (one keccak per inner node of the padded tree).
    function rootOfPacked(TensorSpec memory spec, bytes memory packed) internal pure returns (bytes32) {
        uint256 expected = elementCount(spec) * width(spec.dtype);
        if (packed.length != expected) revert PackedLengthMismatch(expected, packed.length);
        uint256 words = (expected + 31) / 32;
        uint256 size = uint256(1) << depthOf(words);
        bytes32[] memory level = new bytes32[](size);
        for (uint256 i; i < words; ++i) {
            bytes32 w;
            // Reading past `packed` would pick up unrelated memory: mask the last word.
            assembly ("memory-safe") {
                w := mload(add(add(packed, 32), mul(i, 32)))
            }
            uint256 remaining = expected - i * 32;
            if (remaining < 32) w &= bytes32(~(type(uint256).max >> (remaining * 8)));
            level[i] = w;
        }
        return tensorRoot(spec, merkleRootInPlace(level));
    }

    /// @notice Merkle root of a full power-of-two leaf array; overwrites the array.
    function merkleRootInPlace(bytes32[] memory level) internal pure returns (bytes32) {
        uint256 n = level.length;
        while (n > 1) {
            n >>= 1;
            for (uint256 i; i < n; ++i) {
                level[i] = _hashPair(level[2 * i], level[2 * i + 1]);
            }
        }
        return level[0];
    }

    /// @notice Merkle root of any non-empty leaf list, padded with zero leaves.
    function merkleRoot(bytes32[] memory leaves) internal pure returns (bytes32) {
        uint256 size = uint256(1) << depthOf(leaves.length);
        bytes32[] memory level = new bytes32[](size);
        for (uint256 i; i < leaves.length; ++i) level[i] = leaves[i];
        return merkleRootInPlace(level);
    }

    /// @notice Root reached from the contiguous leaves starting at `first` (docs/PROTOCOL.md §3).
    /// @dev Works on a copy, so the caller's leaves stay intact for element reads.
    function rootFromRange(
        uint256 first,
        bytes32[] memory leaves,
        bytes32[] memory proof,
        uint256 depth
    ) internal pure returns (bytes32) {
        uint256 len = leaves.length;
        if (len == 0) revert InvalidRange(first, 0, 0);
        bytes32[] memory cur = new bytes32[](len);
        for (uint256 i; i < len; ++i) cur[i] = leaves[i];
        uint256 lo = first;
        uint256 p;
        for (uint256 d; d < depth; ++d) {
            uint256 hasLeft = lo & 1;
            bytes32 left;
            if (hasLeft == 1) {
                if (p >= proof.length) revert MalformedProof(proof.length);
                left = proof[p++];
            }
            bytes32 right;
            if ((len + hasLeft) & 1 == 1) {
                if (p >= proof.length) revert MalformedProof(proof.length);
                right = proof[p++];
            }
            len = _foldLevel(cur, len, hasLeft, left, right);
            lo >>= 1;
        }
        if (p != proof.length || len != 1) revert MalformedProof(proof.length);
        return cur[0];
    }

    /// @notice Verifies a range opening against a tensor root and its spec.
    function verify(bytes32 root, TensorSpec memory spec, RangeOpening memory opening) internal pure {
        uint256 words = wordCount(spec);
        uint256 count = opening.words.length;
        if (count == 0 || opening.firstWord + count > words) revert InvalidRange(opening.firstWord, count, words);
        bytes32 reached = tensorRoot(
            spec,
            rootFromRange(opening.firstWord, opening.words, opening.proof, depthOf(words))
        );
        if (reached != root) revert RootMismatch(root, reached);
    }

    /// @notice The element at committed position `position`, read from an opening
    ///         (already verified) of the same tensor.
    function elementAt(
        TensorSpec memory spec,
        RangeOpening memory opening,
        uint256 position
    ) internal pure returns (int256) {
        uint256 w = width(spec.dtype);
        uint256 byteIndex = position * w;
        uint256 wordIndex = byteIndex / 32;
        if (wordIndex < opening.firstWord || wordIndex - opening.firstWord >= opening.words.length) {
            revert PositionNotOpened(position);
        }
        return readWord(opening.words[wordIndex - opening.firstWord], byteIndex % 32, w, signed(spec.dtype));
    }

    /// @notice Reads `count` consecutive committed positions starting at `start`.
    function elementsAt(
        TensorSpec memory spec,
        RangeOpening memory opening,
        uint256 start,
        uint256 count
    ) internal pure returns (int256[] memory values) {
        values = new int256[](count);
        for (uint256 i; i < count; ++i) values[i] = elementAt(spec, opening, start + i);
    }

    /// @notice Decodes the big-endian two's-complement element of `w` bytes at `offset` in `word`.
    function readWord(bytes32 word, uint256 offset, uint256 w, bool isSigned) internal pure returns (int256 value) {
        uint256 bits = w * 8;
        uint256 raw = (uint256(word) >> (256 - (offset + w) * 8)) & ((uint256(1) << bits) - 1);
        if (isSigned && raw >> (bits - 1) == 1) {
            value = int256(raw) - int256(uint256(1) << bits);
        } else {
            value = int256(raw);
        }
    }

    /// @dev One level up: hashes the widened level (left sibling if `hasLeft`, the `len`
    ///      range nodes, then `right` when the width is odd) into `cur`'s first entries.
    ///      A function of its own so the caller's loop stays within the legacy stack.
    function _foldLevel(
        bytes32[] memory cur,
        uint256 len,
        uint256 hasLeft,
        bytes32 left,
        bytes32 right
    ) private pure returns (uint256 next) {
        next = (len + hasLeft + 1) >> 1;
        for (uint256 i; i < next; ++i) {
            // Node j of the widened level: the left sibling, the range, then the right sibling.
            cur[i] = _hashPair(
                _at(cur, 2 * i, hasLeft, len, left, right),
                _at(cur, 2 * i + 1, hasLeft, len, left, right)
            );
        }
    }

    function _at(
        bytes32[] memory cur,
        uint256 j,
        uint256 hasLeft,
        uint256 len,
        bytes32 left,
        bytes32 right
    ) private pure returns (bytes32) {
        if (hasLeft == 1) {
            if (j == 0) return left;
            j -= 1;
        }
        return j < len ? cur[j] : right;
    }

    function _hashPair(bytes32 a, bytes32 b) private pure returns (bytes32 h) {
        assembly ("memory-safe") {
            mstore(0x00, a)
            mstore(0x20, b)
            h := keccak256(0x00, 0x40)
        }
    }
}
