// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {LibRLP} from "solady/src/utils/LibRLP.sol";
import {SSTORE2} from "solady/src/utils/SSTORE2.sol";

/// @title CommitLog
/// @notice The committed jobs' data, written once per commit transaction as contract code.
/// @dev Why code and not storage: a fresh storage word costs 22,100 gas, a byte of code
///      200 (6,400 a word), and a commit transaction pays one contract creation (32,000)
///      for all its jobs. A job then keeps only an 8-byte entry pointer in the storage
///      slot it already has, which is what makes a batch commit cheap per job.
///
///      The log is a series of chunks. Each is a contract created by the owning contract
///      with CREATE, holding (SSTORE2 format: a STOP byte, then the data) the committing
///      provider's address followed by entry bytes. One transaction's entries form one
///      stream cut into consecutive chunks of at most `MAX_CHUNK` bytes; an entry that
///      does not fit in the rest of a chunk continues in the next one, so outputs of any
///      size fit. Chunks are numbered by the owner's CREATE nonce, so a chunk's address
///      is computed (RLP of owner and nonce) and never stored. The owner must create no
///      other contracts; `_flush` checks that the address it got is the one readers will
///      compute. The functions are internal, so the owner is always `address(this)`.
///
///      Pointer layout (uint64): the chunk nonce in the high 40 bits, the byte offset of
///      the entry inside that chunk's data in the low 24 bits.
library CommitLog {
    /// @dev Data bytes per chunk: EIP-170's 24,576-byte code limit less the STOP byte.
    uint256 internal constant MAX_CHUNK = 24_575;
    /// @dev Every chunk starts with the provider that committed its entries.
    uint256 internal constant HEADER = 20;

    /// @notice Thrown if a created chunk is not at the address readers will compute.
    error ChunkAddressMismatch(uint256 nonce, address expected, address actual);

    /// @dev An open stream of one transaction's entries.
    struct Writer {
        bytes chunk; // the chunk being filled (header included), allocated to its final size
        uint256 used; // bytes of `chunk` filled
        uint256 remaining; // stream bytes not yet placed in any chunk
        uint256 nonce; // the CREATE nonce `chunk` will be deployed with
        address provider;
    }

    /// @notice Starts a stream of `streamLength` entry bytes whose first chunk gets `nonce`.
    function open(address provider, uint256 nonce, uint256 streamLength) internal pure returns (Writer memory w) {
        w.provider = provider;
        w.nonce = nonce;
        w.remaining = streamLength;
        _allocate(w);
    }

    /// @notice Where the next entry starts; call before writing the entry.
    function here(Writer memory w) internal returns (uint64 pointer) {
        if (w.used == w.chunk.length) _next(w);
        pointer = uint64((w.nonce << 24) | w.used);
    }

    /// @notice Appends `data` from memory.
    function put(Writer memory w, bytes memory data) internal {
        uint256 src;
        assembly ("memory-safe") {
            src := add(data, 0x20)
        }
        _put(w, src, data.length, false);
    }

    /// @notice Appends `data` from calldata.
    function putCalldata(Writer memory w, bytes calldata data) internal {
        uint256 src;
        assembly ("memory-safe") {
            src := data.offset
        }
        _put(w, src, data.length, true);
    }

    /// @notice Deploys the last chunk; every byte announced to `open` must have been put.
    /// @return next The nonce after the last chunk created.
    function close(Writer memory w) internal returns (uint256 next) {
        // INVARIANT: the stream is complete, so the last chunk is full to its allocated size.
        assert(w.remaining == 0 && w.used == w.chunk.length);
        _flush(w);
        next = w.nonce + 1;
    }

    /// @notice `len` bytes of the entry at `pointer`, starting `skip` bytes into it.
    function read(uint64 pointer, uint256 skip, uint256 len) internal view returns (bytes memory out) {
        uint256 nonce = pointer >> 24;
        uint256 offset = (pointer & 0xffffff) + skip;
        address chunk = _chunkAt(nonce);
        // Skip whole chunks first (only for reads starting beyond the entry's first chunk).
        for (uint256 size = chunk.code.length - 1; offset >= size; size = chunk.code.length - 1) {
            offset = HEADER + (offset - size);
            chunk = _chunkAt(++nonce);
        }
        out = SSTORE2.read(chunk, offset, offset + len);
        while (out.length < len) {
            out = bytes.concat(out, SSTORE2.read(_chunkAt(++nonce), HEADER, HEADER + len - out.length));
        }
    }

    /// @notice The provider that wrote the entry at `pointer`.
    function providerOf(uint64 pointer) internal view returns (address) {
        return address(bytes20(SSTORE2.read(_chunkAt(pointer >> 24), 0, HEADER)));
    }

    /// @dev The chunk created with CREATE nonce `nonce`.
    function _chunkAt(uint256 nonce) private view returns (address) {
        return LibRLP.computeAddress(address(this), nonce);
    }

    function _put(Writer memory w, uint256 src, uint256 len, bool fromCalldata) private {
        while (len != 0) {
            if (w.used == w.chunk.length) _next(w);
            uint256 room = w.chunk.length - w.used;
            uint256 n = len < room ? len : room;
            bytes memory chunk = w.chunk;
            uint256 used = w.used;
            assembly ("memory-safe") {
                let dst := add(add(chunk, 0x20), used)
                switch fromCalldata
                case 0 {
                    mcopy(dst, src, n)
                }
                default {
                    calldatacopy(dst, src, n)
                }
            }
            w.used += n;
            w.remaining -= n;
            src += n;
            len -= n;
        }
    }

    function _next(Writer memory w) private {
        _flush(w);
        ++w.nonce;
        _allocate(w);
    }

    function _allocate(Writer memory w) private pure {
        uint256 capacity = MAX_CHUNK - HEADER;
        uint256 size = HEADER + (w.remaining < capacity ? w.remaining : capacity);
        bytes memory chunk = new bytes(size);
        address provider = w.provider;
        assembly ("memory-safe") {
            mstore(add(chunk, 0x20), shl(96, provider))
        }
        w.chunk = chunk;
        w.used = HEADER;
    }

    function _flush(Writer memory w) private {
        address chunk = SSTORE2.write(w.chunk);
        address expected = _chunkAt(w.nonce);
        // INVARIANT: readers find every chunk at the address computed from its nonce.
        require(chunk == expected, ChunkAddressMismatch(w.nonce, expected, chunk));
    }
}
