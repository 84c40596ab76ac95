/**
 * keccak256 for the hot path of every commitment: the inner nodes of Merkle trees
 * (a provider hashes one tree per node output per job; a watcher the same again).
 * hash-wasm's WebAssembly keccak is about 6× faster than the JavaScript one viem
 * uses, which made hashing the larger part of a trace's cost. Same function, same
 * bits: the golden vectors of docs/PROTOCOL.md pin them.
 *
 * The hasher is created once (WebAssembly instantiation is asynchronous, hence the
 * top-level await) and reused: each call runs init/update/digest synchronously, so
 * no two calls can interleave on it.
 */
import { createKeccak } from "hash-wasm";

const hasher = await createKeccak(256);

/** keccak256 of `data`, as 32 bytes. */
export function keccakBytes(data: Uint8Array): Uint8Array {
  hasher.init();
  hasher.update(data);
  return hasher.digest("binary");
}
