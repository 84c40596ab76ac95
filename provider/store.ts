/**
 * The provider's database: the jobs it serves, each with its input and the output it
 * committed to, and the trace behind that output once computed (honest or, under fault
 * injection, forged), kept until the job is final or slashed plus the retention period,
 * for disputes and the trace server. An honest job of an exact integer model is traced only
 * when a dispute or a trace request asks for it: recomputed from the stored input, so a
 * restart loses nothing. A float32 job's trace is stored when it is committed
 * (provider/commitPath.ts).
 */
import type { Hex } from "viem";
import { META_TABLE, rowsOf, type DatabaseSync } from "../src/service/sqlite.ts";

export const PROVIDER_MIGRATIONS = [
  `${META_TABLE}
  CREATE TABLE jobs (
    job_id TEXT PRIMARY KEY,
    model_id TEXT NOT NULL,
    requester TEXT NOT NULL,
    commit_deadline INTEGER NOT NULL,
    request_block INTEGER NOT NULL,
    state TEXT NOT NULL,
    fault TEXT,
    posts_roots INTEGER NOT NULL DEFAULT 1,
    reveals INTEGER NOT NULL DEFAULT 1,
    output_root TEXT,
    trace_root TEXT,
    output_packed BLOB,
    input_packed BLOB,
    node_roots TEXT,
    commit_key TEXT,
    window_end INTEGER,
    resolved_at INTEGER,
    error TEXT
  );
  CREATE INDEX jobs_state ON jobs (state);
  CREATE TABLE job_nodes (
    job_id TEXT NOT NULL,
    idx INTEGER NOT NULL,
    leaves BLOB NOT NULL,
    PRIMARY KEY (job_id, idx)
  );`,
  // Jobs requested by root and URI: the input is fetched before tracing.
  `ALTER TABLE jobs ADD COLUMN input_root TEXT;
  ALTER TABLE jobs ADD COLUMN input_uri TEXT;`,
  // Nothing about the trace is committed (only the output): no trace root to keep.
  `ALTER TABLE jobs DROP COLUMN trace_root;`,
];

/**
 * new → traced (output computed, ready to commit) → committing → committed → finalized |
 * slashed; skipped (not ours to serve, or unservable) and expired (deadline passed) are final.
 */
export type ProviderJobState =
  "new" | "traced" | "committing" | "committed" | "finalized" | "slashed" | "skipped" | "expired";

export interface ProviderJob {
  readonly jobId: bigint;
  readonly modelId: Hex;
  readonly requester: Hex;
  readonly commitDeadline: bigint;
  readonly state: ProviderJobState;
  readonly fault?: string;
  readonly postsRoots: boolean;
  readonly reveals: boolean;
  readonly outputRoot?: Hex;
  readonly outputPacked?: Uint8Array;
  /** Empty for a job requested by root and URI until its input is fetched. */
  readonly inputPacked?: Uint8Array;
  readonly inputRoot?: Hex;
  readonly inputUri?: string;
  /** Undefined until the job is traced (at once for a forged or float32 job, else when asked for). */
  readonly nodeRoots?: Hex[];
  readonly commitKey?: string;
  readonly windowEnd?: bigint;
}

interface Row {
  job_id: string;
  model_id: string;
  requester: string;
  commit_deadline: number;
  state: ProviderJobState;
  fault: string | null;
  posts_roots: number;
  reveals: number;
  output_root: string | null;
  output_packed: Uint8Array | null;
  input_packed: Uint8Array | null;
  input_root: string | null;
  input_uri: string | null;
  node_roots: string | null;
  commit_key: string | null;
  window_end: number | null;
}

function toJob(r: Row): ProviderJob {
  return {
    jobId: BigInt(r.job_id),
    modelId: r.model_id as Hex,
    requester: r.requester as Hex,
    commitDeadline: BigInt(r.commit_deadline),
    state: r.state,
    fault: r.fault ?? undefined,
    postsRoots: r.posts_roots === 1,
    reveals: r.reveals === 1,
    outputRoot: (r.output_root as Hex | null) ?? undefined,
    outputPacked: r.output_packed ?? undefined,
    inputPacked: r.input_packed ?? undefined,
    inputRoot: (r.input_root as Hex | null) ?? undefined,
    inputUri: r.input_uri ?? undefined,
    nodeRoots: r.node_roots === null ? undefined : (JSON.parse(r.node_roots) as Hex[]),
    commitKey: r.commit_key ?? undefined,
    windowEnd: r.window_end === null ? undefined : BigInt(r.window_end),
  };
}

export class ProviderStore {
  constructor(private readonly db: DatabaseSync) {}

  /** Records a requested job once; false when it was already known. */
  addJob(j: {
    jobId: bigint;
    modelId: Hex;
    requester: Hex;
    commitDeadline: bigint;
    block: bigint;
    input: Uint8Array;
    inputRoot: Hex;
    inputUri: string;
  }): boolean {
    const r = this.db
      .prepare(
        `INSERT INTO jobs (job_id, model_id, requester, commit_deadline, request_block, state, input_packed, input_root, input_uri)
         VALUES (?, ?, ?, ?, ?, 'new', ?, ?, ?) ON CONFLICT(job_id) DO NOTHING`,
      )
      .run(
        j.jobId.toString(),
        j.modelId,
        j.requester,
        Number(j.commitDeadline),
        Number(j.block),
        j.input,
        j.inputRoot,
        j.inputUri,
      );
    return Number(r.changes) > 0;
  }

  /** Stores the input fetched for a job requested by root and URI. */
  setInput(jobId: bigint, packed: Uint8Array): void {
    this.db.prepare("UPDATE jobs SET input_packed = ? WHERE job_id = ?").run(packed, jobId.toString());
  }

  job(jobId: bigint): ProviderJob | undefined {
    const r = this.db.prepare("SELECT * FROM jobs WHERE job_id = ?").get(jobId.toString()) as Row | undefined;
    return r && toJob(r);
  }

  inState(...states: ProviderJobState[]): ProviderJob[] {
    const q = `SELECT * FROM jobs WHERE state IN (${states.map(() => "?").join(",")}) ORDER BY CAST(job_id AS INTEGER)`;
    return rowsOf<Row>(this.db.prepare(q), ...states).map(toJob);
  }

  setState(jobId: bigint, state: ProviderJobState, error?: string): void {
    const resolved = state === "finalized" || state === "slashed" ? Math.floor(Date.now() / 1000) : null;
    this.db
      .prepare(
        "UPDATE jobs SET state = ?, error = coalesce(?, error), resolved_at = coalesce(?, resolved_at) WHERE job_id = ?",
      )
      .run(state, error ?? null, resolved, jobId.toString());
  }

  /** Stores the output to commit and how the job behaves in a dispute, and marks the job traced. */
  saveOutput(
    jobId: bigint,
    t: { fault?: string; postsRoots: boolean; reveals: boolean; outputRoot: Hex; outputPacked: Uint8Array },
  ): void {
    this.db
      .prepare(
        `UPDATE jobs SET state = 'traced', fault = ?, posts_roots = ?, reveals = ?, output_root = ?, output_packed = ?
         WHERE job_id = ?`,
      )
      .run(t.fault ?? null, t.postsRoots ? 1 : 0, t.reveals ? 1 : 0, t.outputRoot, t.outputPacked, jobId.toString());
  }

  /** Stores the node roots it posts and the node data it reveals from; the job's state is unchanged. */
  saveNodes(
    jobId: bigint,
    t: {
      nodeRoots: readonly Hex[];
      /** Per node, every leaf of its data tree (padding included). */
      nodes: readonly Uint8Array[];
    },
  ): void {
    this.db.exec("BEGIN IMMEDIATE");
    try {
      this.db
        .prepare("UPDATE jobs SET node_roots = ? WHERE job_id = ?")
        .run(JSON.stringify(t.nodeRoots), jobId.toString());
      const put = this.db.prepare("INSERT OR REPLACE INTO job_nodes (job_id, idx, leaves) VALUES (?, ?, ?)");
      t.nodes.forEach((leaves, i) => put.run(jobId.toString(), i, leaves));
      this.db.exec("COMMIT");
    } catch (e) {
      this.db.exec("ROLLBACK");
      throw e;
    }
  }

  /** Per node, the leaves of its committed data tree. */
  nodes(jobId: bigint): Uint8Array[] {
    const rows = this.db
      .prepare("SELECT leaves FROM job_nodes WHERE job_id = ? ORDER BY idx")
      .all(jobId.toString()) as {
      leaves: Uint8Array;
    }[];
    return rows.map((r) => r.leaves);
  }

  setCommitting(jobIds: readonly bigint[], key: string): void {
    const st = this.db.prepare("UPDATE jobs SET state = 'committing', commit_key = ? WHERE job_id = ?");
    for (const id of jobIds) st.run(key, id.toString());
  }

  setCommitted(jobId: bigint, windowEnd: bigint): void {
    this.db
      .prepare("UPDATE jobs SET state = 'committed', window_end = ? WHERE job_id = ?")
      .run(Number(windowEnd), jobId.toString());
  }

  /** Drops node data of jobs resolved more than `retentionSec` ago. */
  prune(retentionSec: number): number {
    const cutoff = Math.floor(Date.now() / 1000) - retentionSec;
    const r = this.db
      .prepare(
        `DELETE FROM job_nodes WHERE job_id IN (SELECT job_id FROM jobs WHERE state IN ('finalized','slashed','expired','skipped')
         AND coalesce(resolved_at, 0) <= ?)`,
      )
      .run(cutoff);
    return Number(r.changes);
  }
}
