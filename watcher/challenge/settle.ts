/**
 * A resolved challenge: a won one whose dispute still waits for settlement gets
 * it moving — the open challenges younger than ours are moot and we moot them
 * (settlement waits on `open == 0`, and a sybil's challenge would otherwise hold it
 * until its timeout), then the settle call once none is open (anyone may send both).
 * Otherwise the outcome is recorded and counted.
 */
import { Outcome, outcomeName, reasonName, type Reason } from "../../src/chain/enums.ts";
import { isOpen } from "../../src/dispute/state.ts";
import { moot, settleDispute } from "../../src/client/calls.ts";
import type { ChainHead } from "../../src/service/heads.ts";
import type { ChallengeRow } from "../store.ts";
import { mootKey, settleKey } from "./keys.ts";
import type { MoveSender } from "./moves.ts";
import type { ResponderPorts } from "./ports.ts";

export class SettleStep {
  constructor(
    private readonly p: Pick<ResponderPorts, "chain" | "store" | "log" | "metrics">,
    private readonly moves: MoveSender,
  ) {}

  async run(row: ChallengeRow, outcome: Outcome, reason: Reason, head: ChainHead): Promise<void> {
    const { chain, store, log, metrics } = this.p;
    const outcomeText = outcomeName(outcome);
    const ctx = { jobId: row.jobId, challenge: row.challengeId, outcome: outcomeText, reason: reasonName(reason) };
    if (outcome === Outcome.Won) {
      const d = await chain.dispute(row.jobId, head.hash);
      if (d.fraud && !d.settled) {
        if (d.open > 0) {
          // Older open challenges are played out by their parties; younger ones are moot.
          for (const id of d.challenges) {
            if (id <= d.winner) continue;
            const c = await chain.challenge(id, head.hash);
            if (isOpen(c.phase))
              await this.moves.send(row, mootKey(id, head.number), "moot", moot(chain.addresses, id));
          }
          return;
        }
        await this.moves.send(
          row,
          settleKey(row.jobId, head.number),
          "settle",
          settleDispute(chain.addresses, row.jobId),
        );
        return;
      }
    }
    store.updateChallenge(row.id, { state: "resolved", outcome: outcomeText, reason: reasonName(reason) });
    if (outcome === Outcome.Won) metrics.inc("disputes_won");
    else if (outcome === Outcome.Lost) metrics.inc("disputes_lost");
    log[outcome === Outcome.Lost ? "error" : "info"](ctx, "challenge resolved");
  }
}
