/**
 * The claimer: the watcher's bonds and bounties, from events only (confirmed, from a
 * persisted cursor, src/service/eventCursor.ts): ChallengeRevealed (bond posted), ChallengeResolved (bond back
 * when won or moot, lost otherwise) and DisputeSettled (the bounty, when the winner
 * is one of ours). This is the accounting: the payouts are credited to the game's
 * `claimable` and collected by the daemon's Withdrawer (src/service/withdrawer.ts).
 */
import type { PublicClient } from "viem";
import { Outcome } from "../src/chain/enums.ts";
import { readChallenge } from "../src/chain/read/dispute.ts";
import { getDisputeGameLogs, type DisputeGameLog } from "../src/chain/read/disputeEvents.ts";
import type { ProtocolAddresses } from "../src/client/contracts.ts";
import { EventCursor, metaCursorStore } from "../src/service/eventCursor.ts";
import type { ChainHead } from "../src/service/heads.ts";
import type { Logger } from "../src/service/logger.ts";
import type { Metrics } from "../src/service/metrics.ts";
import type { WatcherMetric } from "./metrics.ts";
import type { WatcherStore } from "./store.ts";

export class Claimer {
  private readonly bonds = new Map<string, bigint>();
  private readonly cursor: EventCursor<DisputeGameLog>;

  constructor(
    private readonly client: PublicClient,
    private readonly addresses: ProtocolAddresses,
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
      // Payouts are inserted once per (kind, challenge), so re-reading is harmless.
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

  private async handle(logs: readonly DisputeGameLog[]): Promise<void> {
    if (logs.length === 0) return;
    const ours = this.store.challengeIds();
    for (const l of logs) {
      const block = l.blockNumber;
      if (l.eventName === "ChallengeRevealed") {
        const { id, bond } = l.args;
        if (!ours.has(id.toString())) continue;
        this.bonds.set(id.toString(), bond);
        this.store.addPayout("bond-posted", id.toString(), bond, block);
      } else if (l.eventName === "ChallengeResolved") {
        const { id, outcome } = l.args;
        if (!ours.has(id.toString())) continue;
        const bond = this.bonds.get(id.toString()) ?? (await this.bondOf(id));
        const kind = outcome === Outcome.Lost ? "bond-lost" : "bond-returned";
        if (this.store.addPayout(kind, id.toString(), bond, block) && kind === "bond-lost") {
          this.log.error({ challenge: id, bond }, "bond lost");
        }
      } else if (l.eventName === "DisputeSettled") {
        const { jobId, fraud, winner, bounty } = l.args;
        if (!fraud || !ours.has(winner.toString())) continue;
        if (this.store.addPayout("bounty", winner.toString(), bounty, block)) {
          this.log.info({ jobId, challenge: winner, bounty }, "bounty received");
        }
      }
    }
  }

  totals(): { bounty: bigint; bondsLost: bigint; bondsPosted: bigint; bondsReturned: bigint } {
    return {
      bounty: this.store.payoutTotal("bounty"),
      bondsLost: this.store.payoutTotal("bond-lost"),
      bondsPosted: this.store.payoutTotal("bond-posted"),
      bondsReturned: this.store.payoutTotal("bond-returned"),
    };
  }

  private publish(): void {
    const t = this.totals();
    this.metrics.set("bounty_total", Number(t.bounty));
    this.metrics.set("bonds_lost_total", Number(t.bondsLost));
  }

  private async bondOf(id: bigint): Promise<bigint> {
    return (await readChallenge(this.client, { address: this.addresses.disputeGame, id })).bond;
  }
}
