/**
 * A requester's (or anyone's) dispute payouts: the DisputeGame credits every payout of a
 * dispute — a slashed job's fee refund and requester share among them — to
 * `claimable(account)` instead of transferring it (pull payments, docs/PROTOCOL.md §9.5),
 * so a blocked or reverting recipient cannot stop a slash. These read and collect it.
 */
import type { Address, Client, Hash } from "viem";
import { readClaimable } from "../chain/read/dispute.ts";
import { withdraw, withdrawTo } from "./calls.ts";
import type { RefuteClient } from "./contracts.ts";
import type { DeploymentRef } from "./result.ts";
import { send } from "./send.ts";

export interface ClaimableParameters {
  readonly deployment: DeploymentRef;
  readonly account: Address;
}

/** What `account` can withdraw from the DisputeGame now. */
export function claimableOf(client: Client, { deployment, account }: ClaimableParameters): Promise<bigint> {
  return readClaimable(client, { address: deployment.addresses.disputeGame, account });
}

/**
 * Withdraws the signer's whole claimable balance, to itself or to `to`; returns the amount
 * and the transaction, or amount 0 and no transaction when nothing is claimable.
 */
export async function withdrawClaimable(
  client: RefuteClient,
  to?: Address,
): Promise<{ readonly amount: bigint; readonly hash?: Hash }> {
  const account = client.wallet.account.address;
  const amount = await claimableOf(client.public, { deployment: client, account });
  if (amount === 0n) return { amount };
  const call = to === undefined ? withdraw(client.addresses) : withdrawTo(client.addresses, to);
  const { hash } = await send(client, call);
  return { amount, hash };
}
