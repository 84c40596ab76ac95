/**
 * A resolved challenge: a won one whose dispute still waits for settlement gets
 * it moving — the open challenges younger than ours are moot and we moot them, older
 * ones past their deadline we time out (settlement waits on `open == 0`, and a silent
 * sybil's challenge would otherwise hold it), then the settle call once none is open.
 * Otherwise the outcome is recorded and counted.
 */
import { Outcome, outcomeName, reasonName, type Reason } from "../../src/chain/enums.ts";
import { isOpen } from "../../src/dispute/state.ts";
import { moot, settleDispute, timeoutChallenge } from "../../src/client/calls.ts";
import type { ChainHead } from "../../src/service/heads.ts";
import type { ChallengeRow } from "../store.ts";
import { mootKey, settleKey, timeoutKey } from "./keys.ts";
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
          // Younger open challenges are moot; older ones are played by their parties, and
          // once one misses its deadline anyone may end it (a silent sybil's lost bond
          // joins the pot our win takes).
          for (const id of d.challenges) {
            if (id === d.winner) continue;
            const c = await chain.challenge(id, head.hash);
            if (!isOpen(c.phase)) continue;
            if (id > d.winner) {
              await this.moves.send(row, mootKey(id, head.number), "moot", moot(chain.addresses, id));
            } else if (head.timestamp > c.deadline) {
              await this.moves.send(row, timeoutKey(id, head.number), "timeout", timeoutChallenge(chain.addresses, id));
            }
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
