/**
 * The responder: takes a mismatched job through its challenge, deriving each step
 * from on-chain state at the tick's head so that a restart (or a reorg) simply
 * carries on. commitChallenge (commit.ts) → one block later revealChallenge
 * (reveal.ts; or, when the reveal can no longer pass through no fault of ours, the
 * bond's reclaim) → the moves the solver asks for: selectNode / chooseChild /
 * proveStep / timeout (play.ts) → resolved, settled (settle.ts). Every
 * transaction goes through the journaled sender under a key naming the challenge
 * and the step (keys.ts), so nothing — above all no commit and no bond — is sent
 * twice.
 */
import type { Hex } from "viem";
import type { ChainHead } from "../../src/service/heads.ts";
import { errorText } from "../../src/service/logger.ts";
import type { ChallengeRow } from "../store.ts";
import { CommitStep } from "./commit.ts";
import { HonestData } from "./honest.ts";
import { MoveSender } from "./moves.ts";
import { PlayStep } from "./play.ts";
import type { ResponderPorts } from "./ports.ts";
import { RevealStep } from "./reveal.ts";
import { RevealedData } from "./revealed.ts";
import { SettleStep } from "./settle.ts";

export class Responder {
  private readonly commit: CommitStep;
  private readonly reveal: RevealStep;
  private readonly play: PlayStep;

  constructor(private readonly p: ResponderPorts) {
    this.commit = new CommitStep(p);
    this.reveal = new RevealStep(p);
    const moves = new MoveSender(p);
    this.play = new PlayStep(p, new HonestData(p), new RevealedData(p), moves, new SettleStep(p, moves));
  }

  /** Opens the challenge of a mismatched job (once: the salt is persisted before anything is sent). */
  open(job: { jobId: bigint; commitmentHash: Hex; modelId: Hex }): ChallengeRow {
    return this.commit.open(job);
  }

  /** One step for every open challenge; a step that fails is tried again on the next tick. */
  async tick(head: ChainHead, now: bigint): Promise<void> {
    for (const row of this.p.store.activeChallenges()) {
      try {
        await this.step(row, head, now);
      } catch (err) {
        this.p.log.warn(
          { jobId: row.jobId, challenge: row.challengeId, err: errorText(err) },
          "challenge step failed; retrying",
        );
      }
    }
  }

  /** Dispatches a row to its step; past the commit, only once the challenge at its id is ours. */
  private async step(row: ChallengeRow, head: ChainHead, now: bigint): Promise<void> {
    if (row.state === "committing") return this.commit.run(row, head, now);
    if (row.challengeId === undefined) return;
    const c = await this.p.chain.challenge(row.challengeId, head.hash);
    if (c.challenger.toLowerCase() !== this.p.tx.address.toLowerCase() || c.commitment !== row.commitment)
      return this.commit.recheck(row);
    if (row.state === "revealing") return this.reveal.run(row, c, head);
    if (row.state === "reclaiming") return this.reveal.reclaim(row, c);
    return this.play.run(row, c, head);
  }
}
