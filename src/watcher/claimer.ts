/**
 * The claimer: the watcher's bonds and bounties, from events only (confirmed, from a
 * persisted cursor): ChallengeRevealed (bond posted), ChallengeResolved (bond back
 * when won or moot, lost otherwise) and DisputeSettled (the bounty, when the winner
 * is one of ours). Bonds and bounties are paid out by the moves that resolve and
 * settle, so there is nothing to withdraw; this is the accounting.
 */
import type { PublicClient } from "viem";
import { disputeGameAbi } from "../chain/abis.ts";
import type { ProtocolAddresses } from "../client/contracts.ts";
import type { ChainHead } from "../service/heads.ts";
import type { Logger } from "../service/logger.ts";
import type { Metrics } from "../service/metrics.ts";
import { Outcome } from "../service/protocolReads.ts";
import { getMeta, setMeta } from "../service/sqlite.ts";
import type { WatcherMetric } from "./metrics.ts";
import type { WatcherStore } from "./store.ts";

const CURSOR = "claims_cursor";

export class Claimer {
  private readonly bonds = new Map<string, bigint>();

  constructor(
    private readonly client: PublicClient,
    private readonly addresses: ProtocolAddresses,
    private readonly store: WatcherStore,
    private readonly confirmations: number,
    private readonly log: Logger,
    private readonly metrics: Metrics<WatcherMetric>,
  ) {}

  init(startBlock: bigint): void {
    if (getMeta(this.store.db, CURSOR) === undefined) setMeta(this.store.db, CURSOR, String(startBlock - 1n));
    this.publish();
  }

  rewind(ancestor: bigint): void {
    const cursor = BigInt(getMeta(this.store.db, CURSOR) ?? "0");
    if (cursor > ancestor) setMeta(this.store.db, CURSOR, ancestor.toString());
    this.store.dropPayoutsAfter(ancestor);
    this.publish();
  }

  async poll(head: ChainHead): Promise<void> {
    const safe = head.number - BigInt(this.confirmations);
    const cursor = BigInt(getMeta(this.store.db, CURSOR) ?? "0");
    if (cursor + 1n > safe) return;
    const ours = this.store.challengeIds();
    const logs = await this.client.getContractEvents({
      address: this.addresses.disputeGame,
      abi: disputeGameAbi,
      fromBlock: cursor + 1n,
      toBlock: safe,
    });
    for (const l of logs) {
      const block = l.blockNumber ?? 0n;
      if (l.eventName === "ChallengeRevealed") {
        const { id, bond } = l.args as { id: bigint; bond: bigint };
        if (!ours.has(id.toString())) continue;
        this.bonds.set(id.toString(), bond);
        this.store.addPayout("bond-posted", id.toString(), bond, block);
      } else if (l.eventName === "ChallengeResolved") {
        const { id, outcome } = l.args as { id: bigint; outcome: number };
        if (!ours.has(id.toString())) continue;
        const bond = this.bonds.get(id.toString()) ?? (await this.bondOf(id));
        const kind = outcome === Outcome.Lost ? "bond-lost" : "bond-returned";
        if (this.store.addPayout(kind, id.toString(), bond, block) && kind === "bond-lost") {
          this.log.error({ challenge: id, bond }, "bond lost");
        }
      } else if (l.eventName === "DisputeSettled") {
        const { jobId, fraud, winner, bounty } = l.args as {
          jobId: bigint;
          fraud: boolean;
          winner: bigint;
          bounty: bigint;
        };
        if (!fraud || !ours.has(winner.toString())) continue;
        if (this.store.addPayout("bounty", winner.toString(), bounty, block)) {
          this.log.info({ jobId, challenge: winner, bounty }, "bounty received");
        }
      }
    }
    setMeta(this.store.db, CURSOR, safe.toString());
    this.publish();
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
    const c = await this.client.readContract({
      address: this.addresses.disputeGame,
      abi: disputeGameAbi,
      functionName: "challengeOf",
      args: [id],
    });
    return c.bond;
  }
}
