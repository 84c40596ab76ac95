/**
 * The dispute, once revealed: the pure solver (src/dispute/solver.ts) picks the
 * challenger's next move from the challenge's state, the provider's reveals and
 * the watcher's own trace, and it is sent under a key naming the round, so each
 * round's move goes out once. A resolved challenge goes to settlement.
 */
import { Phase, phaseName } from "../../src/chain/enums.ts";
import { traceRootOf } from "../../src/graph/descriptor.ts";
import { callOf } from "../../src/dispute/play.ts";
import { challengerMove } from "../../src/dispute/solver.ts";
import { sameRoots } from "../../src/proof/dispute.ts";
import { crashPoint } from "../../src/service/crash.ts";
import type { ChainHead } from "../../src/service/heads.ts";
import type { ChallengeRow } from "../store.ts";
import type { HonestData } from "./honest.ts";
import { moveKey } from "./keys.ts";
import type { MoveSender } from "./moves.ts";
import type { ChainChallenge, ResponderPorts } from "./ports.ts";
import type { RevealedData } from "./revealed.ts";
import type { SettleStep } from "./settle.ts";

export class PlayStep {
  constructor(
    private readonly p: Pick<ResponderPorts, "chain" | "store" | "log" | "metrics">,
    private readonly honest: HonestData,
    private readonly revealed: RevealedData,
    private readonly moves: MoveSender,
    private readonly settle: SettleStep,
  ) {}

  /** Challenges whose posted roots were found to differ from the served trace (reported once each). */
  private readonly rootsDiffer = new Set<number>();

  /** A row in state playing whose challenge `c` is ours. */
  async run(row: ChallengeRow, c: ChainChallenge, head: ChainHead): Promise<void> {
    const { chain, store, log } = this.p;
    const ctx = { jobId: row.jobId, challenge: row.challengeId };
    if (c.phase === Phase.Resolved) return this.settle.run(row, c.outcome, c.reason, head);
    const compiled = await this.honest.model(row, head);
    const stored = compiled && this.honest.trace(row, compiled);
    if (stored === undefined || compiled === undefined) {
      log.error(ctx, "no local trace or model for a challenge in play");
      return;
    }
    const { trace: honest, target } = stored;
    const fromBlock = store.job(row.jobId, row.commitmentHash)?.blockNumber ?? 0n;
    const revealed = await this.revealed.of(row, c, fromBlock);
    if (target !== undefined && revealed.roots !== undefined && !sameRoots(revealed.roots, honest.nodeRoots)) {
      // The float check judged the trace the provider served; the one it posted on-chain is
      // another, so the stored trace proves nothing in this challenge.
      if (!this.rootsDiffer.has(row.id)) {
        this.rootsDiffer.add(row.id);
        this.p.metrics.inc("float_roots_differ");
        log.error(
          { ...ctx, postedTraceRoot: traceRootOf(revealed.roots), servedTraceRoot: honest.traceRoot },
          "the provider posted node roots other than the float trace it served; no move from the stored trace",
        );
      }
      return;
    }
    const move = challengerMove({ now: head.timestamp, challenge: c, ...revealed }, { compiled, honest, target });
    if (move === undefined) return;
    const key = moveKey(c, move.kind, row.attempt);
    const deadline = move.kind === "timeout" ? undefined : c.deadline;
    if (!(await this.moves.send(row, key, move.kind, callOf(chain.addresses, move), deadline))) return;
    if (move.kind === "selectNode" || move.kind === "selectElement") {
      log.info({ ...ctx, node: move.nodeIndex }, "disputing node");
      crashPoint("disputing", (s) => log.warn({ stage: s }, "REFUTE_CRASH_AT: killing myself"));
    } else if (move.kind === "proveStep") {
      log.info({ ...ctx, node: c.nodeIndex, element: move.proof.outIndex }, "one-step proof sent");
    } else {
      log.info({ ...ctx, phase: phaseName(c.phase) }, `dispute move: ${move.kind}`);
    }
  }
}
