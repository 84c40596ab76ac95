/**
 * Sending a dispute move (or a settlement) through the journal. A move the chain
 * refuses in simulation is journaled nowhere, so it would be simulated again on
 * every tick: it is tried again only after a pause. A move that fails on-chain
 * moves the row to its next attempt, whose key is new.
 */
import { LRUCache } from "lru-cache";
import { CallRevertedError, type ContractCall } from "../../src/client/send.ts";
import { errorText } from "../../src/service/logger.ts";
import type { ChallengeRow } from "../store.ts";
import type { ResponderPorts } from "./ports.ts";

/** How long a refused move waits before it is simulated again, in milliseconds. */
export const REFUSED_MOVE_PAUSE_MS = 3000;

export class MoveSender {
  /** Moves the chain refused in simulation, and when (clock milliseconds). Bounded: an evicted one is simply tried again. */
  private readonly refused = new LRUCache<string, number>({ max: 1024 });

  constructor(private readonly p: Pick<ResponderPorts, "store" | "tx" | "clock" | "log">) {}

  /**
   * Sends the move under `key` unless it is journaled already. True only when this call
   * submitted it: a move stays journaled and pending over several ticks (one block or more),
   * and whoever logs the move should say so once.
   */
  async send(row: ChallengeRow, key: string, label: string, call: ContractCall, deadline?: bigint): Promise<boolean> {
    const { store, tx, clock, log } = this.p;
    const rec = tx.get(key);
    if (rec === undefined) {
      if (clock.now() - (this.refused.get(key) ?? 0) < REFUSED_MOVE_PAUSE_MS) return false;
      try {
        await tx.submit(key, label, call, { deadline });
        return true;
      } catch (err) {
        if (!(err instanceof CallRevertedError)) throw err;
        this.refused.set(key, clock.now());
        log.warn(
          { jobId: row.jobId, challenge: row.challengeId, key, err: errorText(err) },
          "move refused by simulation",
        );
      }
    } else if (rec.status !== "pending" && rec.outcome !== "success") {
      store.updateChallenge(row.id, { attempt: row.attempt + 1 });
      log.warn(
        { jobId: row.jobId, challenge: row.challengeId, key, outcome: rec.outcome },
        "move failed on-chain; retrying",
      );
    }
    return false;
  }
}
