/** Reads of the StakeManager: a provider's stake. */
import type { Address, Client, ContractFunctionReturnType } from "viem";
import { readContract } from "viem/actions";
import { stakeManagerAbi } from "../abis.ts";
import { blockParameter, type AtBlock } from "./block.ts";

type StakeOf = ContractFunctionReturnType<typeof stakeManagerAbi, "view", "stakeOf">;

/** A provider's stake (`stakeOf`), by name. */
export interface Stake {
  /** Free to back new commits. */
  readonly free: StakeOf[0];
  /** Locked as the collateral of committed jobs. */
  readonly locked: StakeOf[1];
  /** Asked back, paid out at `unbondingReadyAt`. */
  readonly unbonding: StakeOf[2];
  readonly unbondingReadyAt: StakeOf[3];
}

export async function readStake(
  client: Client,
  p: AtBlock & { readonly address: Address; readonly provider: Address },
): Promise<Stake> {
  const [free, locked, unbonding, unbondingReadyAt] = await readContract(client, {
    address: p.address,
    abi: stakeManagerAbi,
    functionName: "stakeOf",
    args: [p.provider],
    ...blockParameter(p),
  });
  return { free, locked, unbonding, unbondingReadyAt };
}
