/**
 * A resolved challenge: a won one whose dispute still waits for settlement gets
 * the settle call (anyone may send it once the older open challenges are done);
 * otherwise the outcome is recorded and counted.
 */
import { Outcome, outcomeName, reasonName, type Reason } from "../../src/chain/enums.ts";
import { settleDispute } from "../../src/client/calls.ts";
import type { ChainHead } from "../../src/service/heads.ts";
import type { ChallengeRow } from "../store.ts";
import { settleKey } from "./keys.ts";
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
        // Settlement waits for older open challenges; anyone may call it once possible.
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
