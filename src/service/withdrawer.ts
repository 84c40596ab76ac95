/**
 * Withdraws a daemon's `claimable` balance of the DisputeGame. Every dispute payout
 * (bonds back, bounties, a job's pot of lost bonds) is credited there rather than
 * transferred (pull payments, docs/PROTOCOL.md §9.5), so without this the tokens a
 * watcher wins or a provider earns from its challengers' lost bonds would sit in the
 * game. One withdraw at a time, journaled like every other transaction; checked at
 * most every `intervalMs` so that an idle daemon does not read the game each tick.
 */
import type { Address, PublicClient } from "viem";
import { readClaimable } from "../chain/read/dispute.ts";
import { withdraw } from "../client/calls.ts";
import type { ProtocolAddresses } from "../client/contracts.ts";
import { CallRevertedError, type ContractCall } from "../client/send.ts";
import type { ChainHead } from "./heads.ts";
import { errorText } from "./logger.ts";

/** The journaled sender, as far as a withdraw goes (TxSender). */
export interface WithdrawSender {
  get(key: string): { readonly status: string } | undefined;
  submit(key: string, label: string, call: ContractCall): Promise<unknown>;
}

export interface WithdrawLog {
  info(fields: object, msg: string): void;
  warn(fields: object, msg: string): void;
}

export class Withdrawer {
  private pending?: string;
  private lastCheck = -Infinity;

  constructor(
    private readonly p: {
      readonly client: PublicClient;
      readonly addresses: ProtocolAddresses;
      readonly account: Address;
      readonly tx: WithdrawSender;
      readonly log: WithdrawLog;
      readonly now: () => number;
      readonly intervalMs?: number;
    },
  ) {}

  /** Sends a withdraw when something is claimable and no earlier one is still pending. */
  async poll(head: ChainHead): Promise<void> {
    const { client, addresses, account, tx, log } = this.p;
    if (this.pending !== undefined && tx.get(this.pending)?.status === "pending") return;
    this.pending = undefined;
    if (this.p.now() - this.lastCheck < (this.p.intervalMs ?? 5000)) return;
    this.lastCheck = this.p.now();
    const amount = await readClaimable(client, { address: addresses.disputeGame, account, blockHash: head.hash });
    if (amount === 0n) return;
    const key = `withdraw:${head.number}`;
    try {
      await tx.submit(key, "withdraw", withdraw(addresses));
      this.pending = key;
      log.info({ amount }, "withdrawing claimable dispute payouts");
    } catch (err) {
      // Someone's withdraw raced ours (NothingToWithdraw): read again next time.
      if (!(err instanceof CallRevertedError)) throw err;
      log.warn({ amount, err: errorText(err) }, "withdraw refused by simulation");
    }
  }
}
