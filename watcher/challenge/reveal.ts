/**
 * The reveal: once the commit is mined, the challenge is revealed in a later
 * block than the commit's (the dispute game refuses a reveal in the same block).
 * A refusal that can never turn into a success abandons the challenge; any other
 * refusal is retried on the next tick, and a reveal that fails on-chain is sent
 * again under the next attempt's key.
 */
import { reclaimCommitment, revealChallenge } from "../../src/client/calls.ts";
import { CallRevertedError } from "../../src/client/send.ts";
import { Phase, phaseName, type ProtocolErrorName } from "../../src/chain/enums.ts";
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

export class RevealStep {
  constructor(private readonly p: Pick<ResponderPorts, "chain" | "store" | "tx" | "log">) {}

  /** A row in state revealing whose challenge `c` is ours. */
  async run(row: ChallengeRow, c: ChainChallenge, head: ChainHead): Promise<void> {
    const { chain, store, tx, log } = this.p;
    const ctx = { jobId: row.jobId, challenge: row.challengeId };
    if (c.phase !== Phase.Committed) {
      store.updateChallenge(row.id, { state: "playing" });
      log.info({ ...ctx, phase: phaseName(c.phase) }, "challenge revealed");
      return;
    }
    if (head.number <= c.commitBlock) return;
    const key = revealKey(row, c.id);
    const rec = tx.get(key);
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
        if (finalRefusals.has(err.errorName)) {
          store.updateChallenge(row.id, { state: "abandoned", reason: err.errorName });
          log.warn({ ...ctx, err: errorText(err) }, "challenge abandoned: reveal refused");
          if (maybeReclaimable.has(err.errorName)) await this.reclaim(row, c, ctx);
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

  /** Takes the bond back when the game allows it; a refusal (NotReclaimable) leaves it lost. */
  private async reclaim(row: ChallengeRow, c: ChainChallenge, ctx: object): Promise<void> {
    const { chain, tx, log } = this.p;
    try {
      await tx.submit(
        reclaimKey(row, c.id),
        "reclaimCommitment",
        reclaimCommitment(chain.addresses, c.id, row.jobId, row.commitmentHash, row.salt),
      );
      log.info(ctx, "challenge bond reclaim sent");
    } catch (err) {
      if (!(err instanceof CallRevertedError)) throw err;
      log.warn({ ...ctx, err: errorText(err) }, "challenge bond not reclaimable");
    }
  }
}
