/**
 * The claimer: the watcher's money in the dispute game, from events only (confirmed,
 * from a persisted cursor, src/service/eventCursor.ts).
 *   - ChallengeCommitted by us: a bond posted (the bond is pulled at commit, §9.1).
 *   - ChallengeResolved of ours: the bond comes back (Won, Moot, Reclaimed) or is lost
 *     (Lost: to the job's pot; Forfeited: never revealed, to the treasury).
 *   - DisputeSettled won by one of ours: the bounty.
 *   - Credited to us: what the game actually owes us (bonds back, bounty, a job's pot);
 *     every payout is credited to `claimable` (pull payments, §9.5), and
 *   - Withdrawn by us: what the daemon's Withdrawer (src/service/withdrawer.ts) collected.
 * Credited − Withdrawn is the claimable balance the events account for.
 */
import type { Address, PublicClient } from "viem";
import { Outcome } from "../src/chain/enums.ts";
import { readChallenge } from "../src/chain/read/dispute.ts";
import { getDisputeGameLogs, type DisputeGameLog } from "../src/chain/read/disputeEvents.ts";
import type { ProtocolAddresses } from "../src/client/contracts.ts";
import { EventCursor, metaCursorStore } from "../src/service/eventCursor.ts";
import type { ChainHead } from "../src/service/heads.ts";
import type { Logger } from "../src/service/logger.ts";
import type { Metrics } from "../src/service/metrics.ts";
import type { WatcherMetric } from "./metrics.ts";
import type { PayoutKind, WatcherStore } from "./store.ts";

/** What a resolved challenge's outcome does with its bond. */
const BOND_BACK: ReadonlySet<number> = new Set([Outcome.Won, Outcome.Moot, Outcome.Reclaimed]);

export type ClaimTotals = Readonly<
  Record<"bounty" | "bondsLost" | "bondsPosted" | "bondsReturned" | "credited" | "withdrawn", bigint>
>;

export class Claimer {
  private readonly bonds = new Map<string, bigint>();
  private readonly cursor: EventCursor<DisputeGameLog>;

  constructor(
    private readonly client: PublicClient,
    private readonly addresses: ProtocolAddresses,
    private readonly account: Address,
    private readonly store: WatcherStore,
    confirmations: number,
    private readonly log: Logger,
    private readonly metrics: Metrics<WatcherMetric>,
  ) {
    this.cursor = new EventCursor({
      store: metaCursorStore(store.db, "claims_cursor"),
      fetch: (fromBlock, toBlock) =>
        getDisputeGameLogs(this.client, { address: this.addresses.disputeGame, fromBlock, toBlock }),
      confirmations,
      // Payouts are inserted once per (kind, ref), so re-reading is harmless.
      overlap: confirmations + 2,
      log,
    });
  }

  init(startBlock: bigint): void {
    this.cursor.init(startBlock);
    this.publish();
  }

  rewind(ancestor: bigint): void {
    this.cursor.rewind(ancestor);
    this.store.dropPayoutsAfter(ancestor);
    this.publish();
  }

  async poll(head: ChainHead): Promise<void> {
    await this.cursor.poll(head.number, (logs) => this.handle(logs));
    this.publish();
  }

  private isUs(a: Address): boolean {
    return a.toLowerCase() === this.account.toLowerCase();
  }

  private async handle(logs: readonly DisputeGameLog[]): Promise<void> {
    if (logs.length === 0) return;
    // Ours: the ids the responder recorded, and those whose commit the events showed were ours.
    const ours = new Set([...this.store.challengeIds(), ...this.store.payoutRefs("bond-posted")]);
    const add = (kind: PayoutKind, ref: string, amount: bigint, block: bigint): boolean =>
      this.store.addPayout(kind, ref, amount, block);
    for (const l of logs) {
      const block = l.blockNumber;
      // A credit or withdrawal is one event: its position names it.
      const at = `${l.transactionHash}:${l.logIndex}`;
      if (l.eventName === "ChallengeCommitted") {
        const { id, challenger, bond } = l.args;
        if (!this.isUs(challenger)) continue;
        // Our commit may be seen before the responder records its id from the receipt.
        ours.add(id.toString());
        this.bonds.set(id.toString(), bond);
        add("bond-posted", id.toString(), bond, block);
      } else if (l.eventName === "ChallengeResolved") {
        const { id, outcome } = l.args;
        if (!ours.has(id.toString())) continue;
        const bond = this.bonds.get(id.toString()) ?? (await this.bondOf(id));
        const kind = BOND_BACK.has(outcome) ? "bond-returned" : "bond-lost";
        if (add(kind, id.toString(), bond, block) && kind === "bond-lost") {
          this.log.error({ challenge: id, bond, outcome }, "bond lost");
        }
      } else if (l.eventName === "DisputeSettled") {
        const { jobId, fraud, winner, bounty } = l.args;
        if (!fraud || !ours.has(winner.toString())) continue;
        if (add("bounty", winner.toString(), bounty, block)) {
          this.log.info({ jobId, challenge: winner, bounty }, "bounty received");
        }
      } else if (l.eventName === "Credited") {
        const { account, jobId, reason, amount } = l.args;
        if (!this.isUs(account)) continue;
        if (add("credited", at, amount, block)) this.log.info({ jobId, reason, amount }, "credited");
      } else if (l.eventName === "Withdrawn") {
        const { account, to, amount } = l.args;
        if (!this.isUs(account)) continue;
        if (add("withdrawn", at, amount, block)) this.log.info({ to, amount }, "withdrawn");
      }
    }
  }

  totals(): ClaimTotals {
    return {
      bounty: this.store.payoutTotal("bounty"),
      bondsLost: this.store.payoutTotal("bond-lost"),
      bondsPosted: this.store.payoutTotal("bond-posted"),
      bondsReturned: this.store.payoutTotal("bond-returned"),
      credited: this.store.payoutTotal("credited"),
      withdrawn: this.store.payoutTotal("withdrawn"),
    };
  }

  private publish(): void {
    const t = this.totals();
    this.metrics.set("bounty_total", Number(t.bounty));
    this.metrics.set("bonds_lost_total", Number(t.bondsLost));
    this.metrics.set("credited_total", Number(t.credited));
    this.metrics.set("withdrawn_total", Number(t.withdrawn));
  }

  private async bondOf(id: bigint): Promise<bigint> {
    return (await readChallenge(this.client, { address: this.addresses.disputeGame, id })).bond;
  }
}
