/**
 * The idempotency keys under which the responder journals its transactions. A
 * watcher restarted mid-dispute finds what it already sent under these keys, so
 * they must never change shape: a new shape would send a commit, a reveal or a
 * move a second time.
 */
import type { ChallengeRow } from "../store.ts";
import type { ChainChallenge } from "./ports.ts";

/** The one commit of a challenge row. */
export const commitKey = (row: Pick<ChallengeRow, "id">): string => `challenge-commit:${row.id}`;

/** A reveal of the challenge `id`; `attempt` moves on when one fails on-chain. */
export const revealKey = (row: Pick<ChallengeRow, "id" | "attempt">, id: bigint): string =>
  `challenge-reveal:${row.id}:${id}:${row.attempt}`;

/**
 * The reclaim of challenge `id`'s bond when its reveal can no longer pass through no fault
 * of ours; a retry after a failed reclaim adds its attempt (the first keeps the old shape).
 */
export const reclaimKey = (row: Pick<ChallengeRow, "id" | "attempt">, id: bigint): string =>
  row.attempt === 0 ? `challenge-reclaim:${row.id}:${id}` : `challenge-reclaim:${row.id}:${id}:${row.attempt}`;

/** A move in the challenge's current round (phase and anchor), per attempt. */
export const moveKey = (
  c: Pick<ChainChallenge, "id" | "phase" | "anchorLevel" | "anchorIndex">,
  kind: string,
  attempt: number,
): string => `move:${c.id}:${kind}:${c.phase}:${c.anchorLevel}:${c.anchorIndex}:${attempt}`;

/** A moot of a younger challenge `id` that keeps a won dispute from settling, tried at one head. */
export const mootKey = (id: bigint, headNumber: bigint): string => `moot:${id}:${headNumber}`;

/** A timeout of an older challenge `id` past its deadline that keeps a won dispute from settling, at one head. */
export const timeoutKey = (id: bigint, headNumber: bigint): string => `timeout-other:${id}:${headNumber}`;

/** A settlement of a job's dispute, tried at one head (settling waits for older open challenges). */
export const settleKey = (jobId: bigint, headNumber: bigint): string => `settle:${jobId}:${headNumber}`;
