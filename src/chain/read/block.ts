/**
 * Which state a read sees. Every read of src/chain/read/ takes an optional
 * `blockHash`: given, the node answers for exactly that block (EIP-1898,
 * `{ blockHash, requireCanonical: true }`) or refuses — never with the state of a
 * fork that replaced it — so a daemon that reads everything of one tick at its
 * head's hash decides on one consistent state. Absent, the read sees the latest block.
 */
import type { Client, Hash } from "viem";
import { getBlock } from "viem/actions";

export interface AtBlock {
  /** The block whose state is read (the latest when absent). */
  readonly blockHash?: Hash;
}

/** viem's block parameter for a read at `blockHash` (or at the latest block). */
export function blockParameter({
  blockHash,
}: AtBlock): { readonly blockHash: Hash; readonly requireCanonical: true } | { readonly blockHash?: undefined } {
  return blockHash === undefined ? {} : { blockHash, requireCanonical: true };
}

/** The latest block's timestamp: the `now` every deadline is compared with. */
export async function readLatestTimestamp(client: Client): Promise<bigint> {
  return (await getBlock(client, { blockTag: "latest" })).timestamp;
}
