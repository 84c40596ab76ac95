/**
 * The reveal: once the commit is mined, the challenge is revealed in a later
 * block than the commit's (the dispute game refuses a reveal in the same block)
 * and within the game's reveal window (after it the bond can only be forfeited).
 * A refusal that can never turn into a success abandons the challenge, or, when the
 * game may hand the bond back, moves it to reclaiming; any other refusal is retried
 * on the next tick, and a reveal or reclaim that fails on-chain is sent again under
 * the next attempt's key. Reclaiming is tried until the game has resolved the
 * challenge or says the bond is not reclaimable.
 */
import { reclaimCommitment, revealChallenge } from "../../src/client/calls.ts";
import { CallRevertedError } from "../../src/client/send.ts";
import { Outcome, Phase, outcomeName, phaseName, reasonName, type ProtocolErrorName } from "../../src/chain/enums.ts";
import { crashPoint } from "../../src/service/crash.ts";
import type { ChainHead } from "../../src/service/heads.ts";
import { errorText } from "../../src/service/logger.ts";
import type { ChallengeRow } from "../store.ts";
import { commitKey, reclaimKey, revealKey } from "./keys.ts";
import type { ChainChallenge, ResponderPorts } from "./ports.ts";

/**
 * The dispute game's refusals of a reveal that no later block changes. There is no cap on
 * a job's challenges any more (docs/PROTOCOL.md §9.4), so a crowd of sybil reveals cannot
 * refuse ours; a passed reveal window (the bond can only be forfeited) and a model that
 * is not the committed one are final.
 */
export const FINAL_REVEAL_REFUSALS: readonly ProtocolErrorName[] = [
  "StaleCommitment",
  "WindowClosed",
  "JobNotChallengeable",
  "RevealWindowPassed",
  "ModelMismatch",
];
const finalRefusals: ReadonlySet<string | undefined> = new Set(FINAL_REVEAL_REFUSALS);

/**
 * Final refusals after which the bond may be reclaimable: the job's commitment changed
 * (StaleCommitment), or someone else already established fraud (JobNotChallengeable on
 * a job still Committed). The game decides (`NotReclaimable` otherwise: the bond is lost).
 */
const maybeReclaimable: ReadonlySet<string | undefined> = new Set(["StaleCommitment", "JobNotChallengeable"]);

/** The outcomes of a commitment that was never revealed: nothing to play or settle. */
const UNREVEALED: ReadonlySet<number> = new Set([Outcome.Forfeited, Outcome.Reclaimed]);

export class RevealStep {
  constructor(private readonly p: Pick<ResponderPorts, "chain" | "store" | "tx" | "log">) {}

  /** A row in state revealing whose challenge `c` is ours. */
  async run(row: ChallengeRow, c: ChainChallenge, head: ChainHead): Promise<void> {
    const { chain, store, tx, log } = this.p;
    const ctx = { jobId: row.jobId, challenge: row.challengeId };
    if (c.phase === Phase.Resolved && UNREVEALED.has(c.outcome)) return this.ended(row, c);
    if (c.phase !== Phase.Committed) {
      store.updateChallenge(row.id, { state: "playing" });
      log.info({ ...ctx, phase: phaseName(c.phase) }, "challenge revealed");
      return;
    }
    if (head.number <= c.commitBlock) return;
    const key = revealKey(row, c.id);
    const rec = tx.get(key);
    // The window is the game's own rule (RevealWindowPassed), checked here too so that a
    // reveal still pending or failed when it closes is not sent again for nothing.
    const lastBlock = c.commitBlock + (await chain.revealWindow());
    if (head.number > lastBlock && rec?.outcome !== "success") {
      store.updateChallenge(row.id, { state: "abandoned", reason: "RevealWindowPassed" });
      log.error({ ...ctx, lastBlock }, "challenge abandoned: reveal window passed, the bond will be forfeited");
      return;
    }
    if (rec === undefined) {
      try {
        await tx.submit(
          key,
          "revealChallenge",
          revealChallenge(chain.addresses, c.id, row.jobId, row.commitmentHash, row.salt),
          { deadline: store.job(row.jobId, row.commitmentHash)?.windowEnd, after: commitKey(row) },
        );
      } catch (err) {
        if (!(err instanceof CallRevertedError)) throw err;
        if (maybeReclaimable.has(err.errorName)) {
          store.updateChallenge(row.id, { state: "reclaiming", reason: err.errorName });
          log.warn({ ...ctx, err: errorText(err) }, "challenge reveal refused; reclaiming the bond");
          return this.reclaim({ ...row, state: "reclaiming" }, c);
        }
        if (finalRefusals.has(err.errorName)) {
          store.updateChallenge(row.id, { state: "abandoned", reason: err.errorName });
          log.warn({ ...ctx, err: errorText(err) }, "challenge abandoned: reveal refused");
          return;
        }
        throw err;
      }
      log.info(ctx, "challenge reveal sent");
      crashPoint("revealed", (s) => log.warn({ stage: s }, "REFUTE_CRASH_AT: killing myself"));
    } else if (rec.status !== "pending" && rec.outcome !== "success") {
      store.updateChallenge(row.id, { attempt: row.attempt + 1 });
      log.warn({ ...ctx, outcome: rec.outcome }, "challenge reveal failed; retrying");
    }
  }

  /**
   * A row in state reclaiming: the reclaim is sent (again, under the next attempt's key,
   * when one failed on-chain) until the game has resolved the challenge. A refusal the
   * game may lift later (an RPC error, a simulation that did not decode) is tried again
   * on the next tick; only NotReclaimable ends it, and the bond is then lost.
   */
  async reclaim(row: ChallengeRow, c: ChainChallenge): Promise<void> {
    const { chain, store, tx, log } = this.p;
    const ctx = { jobId: row.jobId, challenge: c.id };
    if (c.phase === Phase.Resolved) return this.ended(row, c);
    const key = reclaimKey(row, c.id);
    const rec = tx.get(key);
    if (rec === undefined) {
      try {
        await tx.submit(
          key,
          "reclaimCommitment",
          reclaimCommitment(chain.addresses, c.id, row.jobId, row.commitmentHash, row.salt),
        );
      } catch (err) {
        if (!(err instanceof CallRevertedError) || err.errorName !== "NotReclaimable") throw err;
        store.updateChallenge(row.id, { state: "abandoned", reason: err.errorName });
        log.error({ ...ctx, err: errorText(err) }, "challenge bond not reclaimable");
        return;
      }
      log.info(ctx, "challenge bond reclaim sent");
    } else if (rec.status !== "pending" && rec.outcome !== "success") {
      store.updateChallenge(row.id, { attempt: row.attempt + 1 });
      log.warn({ ...ctx, outcome: rec.outcome }, "challenge bond reclaim failed; retrying");
    }
  }

  /** The game ended the challenge before it was played: reclaimed (bond back) or forfeited (bond lost). */
  private ended(row: ChallengeRow, c: ChainChallenge): void {
    const outcome = outcomeName(c.outcome);
    const reason = reasonName(c.reason);
    this.p.store.updateChallenge(row.id, { state: "resolved", outcome, reason });
    const ctx = { jobId: row.jobId, challenge: c.id, outcome, reason };
    if (c.outcome === Outcome.Reclaimed) this.p.log.info(ctx, "challenge bond reclaimed");
    else this.p.log.error(ctx, "challenge ended before it was played");
  }
}
