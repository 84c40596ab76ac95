/** Reads of the protocol's token (fees, stakes and bonds are paid in it). */
import type { Address, Client } from "viem";
import { readContract } from "viem/actions";
import { tokenAbi } from "../abis.ts";
import { blockParameter, type AtBlock } from "./block.ts";

interface TokenParameters extends AtBlock {
  /** The token. */
  readonly address: Address;
  readonly owner: Address;
}

export function readBalance(client: Client, p: TokenParameters): Promise<bigint> {
  return readContract(client, {
    address: p.address,
    abi: tokenAbi,
    functionName: "balanceOf",
    args: [p.owner],
    ...blockParameter(p),
  });
}

/** How much `spender` may still pull from `owner`. */
export function readAllowance(client: Client, p: TokenParameters & { readonly spender: Address }): Promise<bigint> {
  return readContract(client, {
    address: p.address,
    abi: tokenAbi,
    functionName: "allowance",
    args: [p.owner, p.spender],
    ...blockParameter(p),
  });
}
