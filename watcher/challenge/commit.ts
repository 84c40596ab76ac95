/**
 * The commit: a mismatched job's challenge is opened once (its salt persisted
 * before anything is sent), committed once under its journal key, and gets its
 * challenge id from the commit's receipt. A reorg can re-mine the commit under
 * another id; `recheck` reads the id again.
 */
import { randomBytes } from "node:crypto";
import { parseEventLogs, type Address, type Hex, type Log } from "viem";
import { disputeGameAbi } from "../../src/chain/abis.ts";
import { commitChallenge } from "../../src/client/calls.ts";
import { challengeCommitment } from "../../src/dispute/ticket.ts";
import { crashPoint } from "../../src/service/crash.ts";
import type { ChainHead } from "../../src/service/heads.ts";
import type { ChallengeRow } from "../store.ts";
import { commitKey } from "./keys.ts";
import type { ResponderPorts } from "./ports.ts";

/** The id our ChallengeCommitted event in a receipt names, if it is there. */
export function committedChallengeId(logs: readonly Log[], challenger: Address): bigint | undefined {
  const events = parseEventLogs({ abi: disputeGameAbi, logs: [...logs], eventName: "ChallengeCommitted" });
  return events.find((l) => l.args.challenger.toLowerCase() === challenger.toLowerCase())?.args.id;
}

export class CommitStep {
  constructor(private readonly p: Pick<ResponderPorts, "chain" | "store" | "tx" | "log" | "metrics">) {}

  /** The challenge row of a mismatched job, created once with a fresh salt. */
  open(job: { jobId: bigint; commitmentHash: Hex; modelId: Hex }): ChallengeRow {
    const existing = this.p.store.challengeOfJob(job.jobId, job.commitmentHash);
    if (existing !== undefined) return existing;
    const salt: Hex = `0x${randomBytes(32).toString("hex")}`;
    const commitment = challengeCommitment({
      jobId: job.jobId,
      modelId: job.modelId,
      commitmentHash: job.commitmentHash,
      challenger: this.p.tx.address,
      salt,
    });
    return this.p.store.addChallenge({ ...job, salt, commitment });
  }

  /** A row in state committing: sends the commit, or waits for it and records the challenge id. */
  async run(row: ChallengeRow, head: ChainHead, now: bigint): Promise<void> {
    const { chain, store, tx, log } = this.p;
    const ctx = { jobId: row.jobId, challenge: row.challengeId };
    const key = commitKey(row);
    const rec = tx.get(key);
    if (rec === undefined) {
      const onChain = await chain.job(row.jobId, head.hash);
      if (onChain.commitmentHash !== row.commitmentHash || (now >= onChain.windowEnd && !onChain.frozen)) {
        store.updateChallenge(row.id, {
          state: "abandoned",
          reason: "window closed or commitment replaced before the commit",
        });
        log.warn(ctx, "challenge abandoned before its commit");
        return;
      }
      await tx.submit(key, "commitChallenge", commitChallenge(chain.addresses, row.modelId, row.commitment), {
        deadline: onChain.windowEnd,
      });
      this.p.metrics.inc("challenges");
      log.info({ ...ctx, commitment: row.commitment }, "challenge commit sent");
      crashPoint("committed", (s) => log.warn({ stage: s }, "REFUTE_CRASH_AT: killing myself"));
      return;
    }
    if (rec.status === "pending") return;
    if (rec.outcome !== "success") {
      store.updateChallenge(row.id, { state: "abandoned", reason: `commit ${rec.outcome}` });
      log.error({ ...ctx, outcome: rec.outcome }, "challenge commit failed");
      return;
    }
    const id = await this.idFromReceipt(row);
    if (id === undefined) return;
    store.updateChallenge(row.id, { challengeId: id, state: "revealing" });
    log.info({ ...ctx, challenge: id }, "challenge committed");
  }

  /**
   * The challenge at the row's id is not ours (another challenger, another
   * commitment): a reorg re-mined our commit under another id, so read it again
   * from the (new) receipt, or wait for the commit while it is pending again.
   */
  async recheck(row: ChallengeRow): Promise<void> {
    const id = await this.idFromReceipt(row);
    if (id !== undefined && id !== row.challengeId) {
      this.p.log.warn(
        { jobId: row.jobId, challenge: row.challengeId, was: row.challengeId, now: id },
        "challenge id changed after a reorg",
      );
      this.p.store.updateChallenge(row.id, { challengeId: id, state: "revealing" });
    } else if (this.p.tx.get(commitKey(row))?.status === "pending") {
      this.p.store.updateChallenge(row.id, { state: "committing" });
    }
  }

  private async idFromReceipt(row: ChallengeRow): Promise<bigint | undefined> {
    const receipt = await this.p.tx.receiptOf(commitKey(row));
    if (receipt === undefined) return undefined;
    return committedChallengeId(receipt.logs, this.p.tx.address);
  }
}
