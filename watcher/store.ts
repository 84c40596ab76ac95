/**
 * The watcher's database: a cache of what it saw and decided, plus the
 * idempotency keys of everything it does on-chain (the transaction journal lives
 * beside it, src/service/txSender.ts). The chain stays the source of truth; on
 * start every open challenge is re-read from it.
 */
import type { Hex } from "viem";
import type { StatementSync } from "node:sqlite";
import { META_TABLE, rowsOf, prepared, transaction, type DatabaseSync } from "../src/service/sqlite.ts";

export const WATCHER_MIGRATIONS = [
  `${META_TABLE}
  CREATE TABLE jobs (
    job_id TEXT NOT NULL,
    commitment_hash TEXT NOT NULL,
    model_id TEXT NOT NULL,
    provider TEXT NOT NULL,
    output_root TEXT NOT NULL,
    trace_root TEXT NOT NULL,
    window_end INTEGER NOT NULL,
    block_number INTEGER NOT NULL,
    state TEXT NOT NULL,
    reason TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    exec_ms INTEGER,
    ep TEXT,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (job_id, commitment_hash)
  );
  CREATE INDEX jobs_state ON jobs (state);
  CREATE TABLE providers (provider TEXT PRIMARY KEY, seen INTEGER NOT NULL);
  CREATE TABLE traces (
    job_id TEXT NOT NULL,
    commitment_hash TEXT NOT NULL,
    input BLOB NOT NULL,
    node_roots TEXT NOT NULL,
    PRIMARY KEY (job_id, commitment_hash)
  );
  CREATE TABLE trace_nodes (
    job_id TEXT NOT NULL,
    commitment_hash TEXT NOT NULL,
    idx INTEGER NOT NULL,
    packed BLOB NOT NULL,
    PRIMARY KEY (job_id, commitment_hash, idx)
  );
  CREATE TABLE challenges (
    id INTEGER PRIMARY KEY,
    job_id TEXT NOT NULL,
    commitment_hash TEXT NOT NULL,
    model_id TEXT NOT NULL,
    salt TEXT NOT NULL,
    commitment TEXT NOT NULL,
    challenge_id TEXT,
    state TEXT NOT NULL,
    outcome TEXT,
    reason TEXT,
    attempt INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    UNIQUE (job_id, commitment_hash)
  );
  CREATE TABLE payouts (
    kind TEXT NOT NULL,
    ref TEXT NOT NULL,
    amount TEXT NOT NULL,
    block_number INTEGER NOT NULL,
    PRIMARY KEY (kind, ref)
  );`,
  // Commits carry the output only: there is no committed trace to compare.
  `ALTER TABLE jobs DROP COLUMN trace_root;`,
  // Float32 jobs: the stored trace is the provider's own, and the element the float checker
  // found outside its bound is what the challenge proves (NULL for an integer job's trace).
  `ALTER TABLE traces ADD COLUMN target_node INTEGER;
  ALTER TABLE traces ADD COLUMN target_out INTEGER;`,
];

/** A float32 job's element outside its bound (docs/PROTOCOL.md §11.3): the node and its output index. */
export interface TraceTarget {
  readonly nodeIndex: number;
  readonly outIndex: number;
}

/** A stored trace: the watcher's own (integer models) or the provider's as served (float32 models, with its target). */
export interface StoredJobTrace {
  readonly input: Uint8Array;
  readonly nodeRoots: Hex[];
  readonly nodes: Uint8Array[];
  readonly target?: TraceTarget;
}

/**
 * seen → skipped | sampled → verified | mismatch | unverifiable | late | superseded.
 * A mismatch gets a challenge (table challenges).
 */
export type JobState = "skipped" | "sampled" | "verified" | "mismatch" | "unverifiable" | "late" | "superseded";

export interface WatchedJob {
  readonly jobId: bigint;
  readonly commitmentHash: Hex;
  readonly modelId: Hex;
  readonly provider: Hex;
  readonly outputRoot: Hex;
  readonly windowEnd: bigint;
  readonly blockNumber: bigint;
  readonly state: JobState;
  readonly reason?: string;
  readonly attempts: number;
}

interface JobRow {
  job_id: string;
  commitment_hash: string;
  model_id: string;
  provider: string;
  output_root: string;
  window_end: number;
  block_number: number;
  state: JobState;
  reason: string | null;
  attempts: number;
}

const toJob = (r: JobRow): WatchedJob => ({
  jobId: BigInt(r.job_id),
  commitmentHash: r.commitment_hash as Hex,
  modelId: r.model_id as Hex,
  provider: r.provider as Hex,
  outputRoot: r.output_root as Hex,
  windowEnd: BigInt(r.window_end),
  blockNumber: BigInt(r.block_number),
  state: r.state,
  reason: r.reason ?? undefined,
  attempts: r.attempts,
});

/**
 * challenge row states: committing → revealing → playing → resolved, or abandoned; a
 * reveal the game can no longer take through no fault of ours goes to reclaiming →
 * resolved (bond back) or abandoned (not reclaimable).
 */
export type ChallengeState = "committing" | "revealing" | "reclaiming" | "playing" | "resolved" | "abandoned";

/** What the claimer records from the game's events (watcher/claimer.ts). */
export type PayoutKind = "bond-posted" | "bond-returned" | "bond-lost" | "bounty" | "credited" | "withdrawn";

export interface ChallengeRow {
  readonly id: number;
  readonly jobId: bigint;
  readonly commitmentHash: Hex;
  readonly modelId: Hex;
  readonly salt: Hex;
  readonly commitment: Hex;
  readonly challengeId?: bigint;
  readonly state: ChallengeState;
  readonly outcome?: string;
  readonly attempt: number;
}

interface ChallengeDbRow {
  id: number;
  job_id: string;
  commitment_hash: string;
  model_id: string;
  salt: string;
  commitment: string;
  challenge_id: string | null;
  state: ChallengeState;
  outcome: string | null;
  attempt: number;
}

const toChallenge = (r: ChallengeDbRow): ChallengeRow => ({
  id: r.id,
  jobId: BigInt(r.job_id),
  commitmentHash: r.commitment_hash as Hex,
  modelId: r.model_id as Hex,
  salt: r.salt as Hex,
  commitment: r.commitment as Hex,
  challengeId: r.challenge_id === null ? undefined : BigInt(r.challenge_id),
  state: r.state,
  outcome: r.outcome ?? undefined,
  attempt: r.attempt,
});

/** One job's new state, as the verifier decides it (written with others in one transaction: `applyVerdicts`). */
export interface JobVerdict {
  readonly job: { readonly jobId: bigint; readonly commitmentHash: Hex };
  readonly state: JobState;
  readonly reason?: string;
  readonly exec?: { readonly ms: number; readonly ep: string };
  /**
   * The trace kept for a job in dispute (the responder plays it): the watcher's own for an
   * integer model, the provider's served one with its violating element for a float32 model.
   */
  readonly trace?: {
    readonly input: Uint8Array;
    readonly nodeRoots: readonly Hex[];
    readonly nodes: readonly Uint8Array[];
    readonly target?: TraceTarget;
  };
}

export class WatcherStore {
  /** Statements of the verifier's hot path, prepared once (a batch writes one row per job). */
  private readonly setStateStmt: StatementSync;
  private readonly putTraceStmt: StatementSync;
  private readonly putNodeStmt: StatementSync;

  constructor(readonly db: DatabaseSync) {
    this.setStateStmt = db.prepare(
      "UPDATE jobs SET state = ?, reason = ?, exec_ms = coalesce(?, exec_ms), ep = coalesce(?, ep), updated_at = ? WHERE job_id = ? AND commitment_hash = ?",
    );
    this.putTraceStmt = db.prepare(
      "INSERT OR REPLACE INTO traces (job_id, commitment_hash, input, node_roots, target_node, target_out) VALUES (?, ?, ?, ?, ?, ?)",
    );
    this.putNodeStmt = db.prepare(
      "INSERT OR REPLACE INTO trace_nodes (job_id, commitment_hash, idx, packed) VALUES (?, ?, ?, ?)",
    );
  }

  /**
   * Records a committed job once. Returns how many jobs of its provider were seen
   * before it, or undefined when the job was already known.
   */
  addJob(
    j: Omit<WatchedJob, "state" | "attempts" | "reason">,
    decide: (providerSeen: number) => { state: JobState; reason: string },
  ): WatchedJob | undefined {
    // Inside a caller's transaction (the job source stores a range of commits at once), the insert joins it.
    if (this.db.isTransaction) return this.insertJob(j, decide);
    return transaction(this.db, () => this.insertJob(j, decide));
  }

  private insertJob(
    j: Omit<WatchedJob, "state" | "attempts" | "reason">,
    decide: (providerSeen: number) => { state: JobState; reason: string },
  ): WatchedJob | undefined {
    const exists = prepared(this.db, "SELECT 1 FROM jobs WHERE job_id = ? AND commitment_hash = ?").get(
      j.jobId.toString(),
      j.commitmentHash,
    );
    if (exists !== undefined) return undefined;
    const p = j.provider.toLowerCase();
    const seen =
      (prepared(this.db, "SELECT seen FROM providers WHERE provider = ?").get(p) as { seen: number } | undefined)
        ?.seen ?? 0;
    const { state, reason } = decide(seen);
    prepared(
      this.db,
      `INSERT INTO jobs (job_id, commitment_hash, model_id, provider, output_root, window_end, block_number, state, reason, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      j.jobId.toString(),
      j.commitmentHash,
      j.modelId,
      j.provider,
      j.outputRoot,
      Number(j.windowEnd),
      Number(j.blockNumber),
      state,
      reason,
      Date.now(),
    );
    prepared(
      this.db,
      "INSERT INTO providers (provider, seen) VALUES (?, 1) ON CONFLICT(provider) DO UPDATE SET seen = seen + 1",
    ).run(p);
    return { ...j, state, reason, attempts: 0 };
  }

  jobsInState(state: JobState, limit = 1000): WatchedJob[] {
    return rowsOf<JobRow>(
      prepared(this.db, "SELECT * FROM jobs WHERE state = ? ORDER BY window_end, CAST(job_id AS INTEGER) LIMIT ?"),
      state,
      limit,
    ).map(toJob);
  }

  job(jobId: bigint, commitmentHash: Hex): WatchedJob | undefined {
    const r = prepared(this.db, "SELECT * FROM jobs WHERE job_id = ? AND commitment_hash = ?").get(
      jobId.toString(),
      commitmentHash,
    ) as JobRow | undefined;
    return r && toJob(r);
  }

  setJobState(
    j: { jobId: bigint; commitmentHash: Hex },
    state: JobState,
    reason?: string,
    exec?: { ms: number; ep: string },
  ): void {
    this.setStateStmt.run(
      state,
      reason ?? null,
      exec?.ms ?? null,
      exec?.ep ?? null,
      Date.now(),
      j.jobId.toString(),
      j.commitmentHash,
    );
  }

  /**
   * Writes many jobs' verdicts (and the traces of those in dispute) in one
   * transaction: one fsync for a whole batch instead of one per statement, and a
   * crash leaves either every verdict of the batch or none (the jobs are then
   * checked again).
   */
  applyVerdicts(verdicts: readonly JobVerdict[]): void {
    if (verdicts.length === 0) return;
    transaction(this.db, () => {
      for (const v of verdicts) {
        if (v.trace !== undefined)
          this.saveTrace(v.job, v.trace.input, v.trace.nodeRoots, v.trace.nodes, v.trace.target);
        this.setJobState(v.job, v.state, v.reason, v.exec);
      }
    });
  }

  bumpAttempts(j: { jobId: bigint; commitmentHash: Hex }): number {
    prepared(this.db, "UPDATE jobs SET attempts = attempts + 1 WHERE job_id = ? AND commitment_hash = ?").run(
      j.jobId.toString(),
      j.commitmentHash,
    );
    return this.job(j.jobId, j.commitmentHash)?.attempts ?? 0;
  }

  saveTrace(
    j: { jobId: bigint; commitmentHash: Hex },
    input: Uint8Array,
    nodeRoots: readonly Hex[],
    nodes: readonly Uint8Array[],
    target?: TraceTarget,
  ): void {
    const id = j.jobId.toString();
    this.putTraceStmt.run(
      id,
      j.commitmentHash,
      input,
      JSON.stringify(nodeRoots),
      target?.nodeIndex ?? null,
      target?.outIndex ?? null,
    );
    nodes.forEach((n, i) => this.putNodeStmt.run(id, j.commitmentHash, i, n));
  }

  trace(j: { jobId: bigint; commitmentHash: Hex }): StoredJobTrace | undefined {
    const id = j.jobId.toString();
    const t = prepared(
      this.db,
      "SELECT input, node_roots, target_node, target_out FROM traces WHERE job_id = ? AND commitment_hash = ?",
    ).get(id, j.commitmentHash) as
      { input: Uint8Array; node_roots: string; target_node: number | null; target_out: number | null } | undefined;
    if (t === undefined) return undefined;
    const nodes = (
      prepared(this.db, "SELECT packed FROM trace_nodes WHERE job_id = ? AND commitment_hash = ? ORDER BY idx").all(
        id,
        j.commitmentHash,
      ) as { packed: Uint8Array }[]
    ).map((r) => r.packed);
    const target =
      t.target_node === null || t.target_out === null
        ? undefined
        : { nodeIndex: Number(t.target_node), outIndex: Number(t.target_out) };
    return { input: t.input, nodeRoots: JSON.parse(t.node_roots) as Hex[], nodes, target };
  }

  /** Creates the challenge of a mismatched job once (the salt is fixed here, before anything is sent). */
  addChallenge(c: { jobId: bigint; commitmentHash: Hex; modelId: Hex; salt: Hex; commitment: Hex }): ChallengeRow {
    prepared(
      this.db,
      `INSERT INTO challenges (job_id, commitment_hash, model_id, salt, commitment, state, created_at)
         VALUES (?, ?, ?, ?, ?, 'committing', ?) ON CONFLICT(job_id, commitment_hash) DO NOTHING`,
    ).run(c.jobId.toString(), c.commitmentHash, c.modelId, c.salt, c.commitment, Date.now());
    return this.challengeOfJob(c.jobId, c.commitmentHash) as ChallengeRow;
  }

  challengeOfJob(jobId: bigint, commitmentHash: Hex): ChallengeRow | undefined {
    const r = prepared(this.db, "SELECT * FROM challenges WHERE job_id = ? AND commitment_hash = ?").get(
      jobId.toString(),
      commitmentHash,
    ) as ChallengeDbRow | undefined;
    return r && toChallenge(r);
  }

  activeChallenges(): ChallengeRow[] {
    return rowsOf<ChallengeDbRow>(
      prepared(this.db, "SELECT * FROM challenges WHERE state NOT IN ('resolved', 'abandoned') ORDER BY id"),
    ).map(toChallenge);
  }

  challengeIds(): Set<string> {
    const rows = prepared(this.db, "SELECT challenge_id FROM challenges WHERE challenge_id IS NOT NULL").all() as {
      challenge_id: string;
    }[];
    return new Set(rows.map((r) => r.challenge_id));
  }

  updateChallenge(
    id: number,
    fields: { challengeId?: bigint; state?: ChallengeState; outcome?: string; reason?: string; attempt?: number },
  ): void {
    prepared(
      this.db,
      `UPDATE challenges SET challenge_id = coalesce(?, challenge_id), state = coalesce(?, state), outcome = coalesce(?, outcome),
         reason = coalesce(?, reason), attempt = coalesce(?, attempt) WHERE id = ?`,
    ).run(
      fields.challengeId?.toString() ?? null,
      fields.state ?? null,
      fields.outcome ?? null,
      fields.reason ?? null,
      fields.attempt ?? null,
      id,
    );
  }

  /** Records a payout seen in an event once; true when it is new. */
  addPayout(kind: PayoutKind, ref: string, amount: bigint, block: bigint): boolean {
    const r = prepared(
      this.db,
      "INSERT INTO payouts (kind, ref, amount, block_number) VALUES (?, ?, ?, ?) ON CONFLICT(kind, ref) DO NOTHING",
    ).run(kind, ref, amount.toString(), Number(block));
    return Number(r.changes) > 0;
  }

  /** The refs recorded under one kind (for bonds: the challenge ids). */
  payoutRefs(kind: PayoutKind): Set<string> {
    return new Set(
      rowsOf<{ ref: string }>(prepared(this.db, "SELECT ref FROM payouts WHERE kind = ?"), kind).map((r) => r.ref),
    );
  }

  payoutTotal(kind: PayoutKind): bigint {
    const rows = prepared(this.db, "SELECT amount FROM payouts WHERE kind = ?").all(kind) as { amount: string }[];
    return rows.reduce((s, r) => s + BigInt(r.amount), 0n);
  }

  /** Forgets payouts recorded from blocks after `block` (a reorg replaced them). */
  dropPayoutsAfter(block: bigint): void {
    prepared(this.db, "DELETE FROM payouts WHERE block_number > ?").run(Number(block));
  }
}
