/**
 * The watcher store's writes that group many rows (a batch's verdicts, a range of new
 * jobs), and the migration that gives stored traces a float32 target.
 */
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { keccak256, type Hex } from "viem";
import { openDatabase, transaction } from "../../src/service/sqlite.ts";
import { WATCHER_MIGRATIONS, WatcherStore, type WatchedJob } from "../../watcher/store.ts";

const MODEL_A: Hex = `0x${"aa".repeat(32)}`;

describe("watcher store", () => {
  it("writes a batch's verdicts in one transaction: all or none", async () => {
    const store = new WatcherStore(await openDatabase(":memory:", WATCHER_MIGRATIONS));
    const job = (id: bigint) =>
      store.addJob(
        {
          jobId: id,
          commitmentHash: keccak256(Uint8Array.of(Number(id))),
          modelId: MODEL_A,
          provider: `0x${"cc".repeat(20)}`,
          outputRoot: keccak256("0x"),
          windowEnd: 10n,
          blockNumber: 1n,
        },
        () => ({ state: "sampled", reason: "sampled: test" }),
      ) as WatchedJob;
    const a = job(1n);
    const b = job(2n);
    // A trace whose node is not bytes makes the second write throw, after the first verdict was written.
    assert.throws(() =>
      store.applyVerdicts([
        { job: a, state: "verified" },
        { job: b, state: "mismatch", trace: { input: Uint8Array.of(1), nodeRoots: [], nodes: [{} as Uint8Array] } },
      ]),
    );
    assert.equal(store.job(a.jobId, a.commitmentHash)?.state, "sampled");
    assert.equal(store.job(b.jobId, b.commitmentHash)?.state, "sampled");
    store.applyVerdicts([
      { job: a, state: "verified", exec: { ms: 3, ep: "cpu" } },
      {
        job: b,
        state: "mismatch",
        trace: { input: Uint8Array.of(1), nodeRoots: [MODEL_A], nodes: [Uint8Array.of(9)] },
      },
    ]);
    assert.equal(store.job(a.jobId, a.commitmentHash)?.state, "verified");
    assert.equal(store.job(b.jobId, b.commitmentHash)?.state, "mismatch");
    assert.deepEqual(
      store.trace(b)?.nodes.map((n) => [...n]),
      [[9]],
    );
  });

  it("adds a job inside a caller's transaction, and a rollback drops it", async () => {
    const store = new WatcherStore(await openDatabase(":memory:", WATCHER_MIGRATIONS));
    const add = (id: bigint) =>
      store.addJob(
        {
          jobId: id,
          commitmentHash: keccak256(Uint8Array.of(Number(id))),
          modelId: MODEL_A,
          provider: `0x${"cc".repeat(20)}`,
          outputRoot: keccak256("0x"),
          windowEnd: 10n,
          blockNumber: 1n,
        },
        (seen) => ({ state: "sampled", reason: `seen ${seen}` }),
      );
    assert.throws(() =>
      transaction(store.db, () => {
        assert.ok(add(1n));
        throw new Error("the range failed");
      }),
    );
    assert.equal(store.jobsInState("sampled").length, 0);
    transaction(store.db, () => {
      assert.ok(add(1n));
      assert.equal(add(1n), undefined);
      assert.equal(add(2n)?.reason, "seen 1");
    });
    assert.equal(store.jobsInState("sampled").length, 2);
  });

  it("migrates a database whose traces predate float targets: old traces keep none, new ones keep theirs", async () => {
    const path = join(mkdtempSync(join(tmpdir(), "refute-watcher-store-")), "watcher.db");
    const before = await openDatabase(path, WATCHER_MIGRATIONS.slice(0, 2));
    const old = { jobId: 1n, commitmentHash: keccak256("0x01") };
    before
      .prepare("INSERT INTO traces (job_id, commitment_hash, input, node_roots) VALUES (?, ?, ?, ?)")
      .run("1", old.commitmentHash, Uint8Array.of(1), JSON.stringify([MODEL_A]));
    before
      .prepare("INSERT INTO trace_nodes (job_id, commitment_hash, idx, packed) VALUES (?, ?, 0, ?)")
      .run("1", old.commitmentHash, Uint8Array.of(9));
    before.close();

    const db = await openDatabase(path, WATCHER_MIGRATIONS);
    assert.equal((db.prepare("PRAGMA user_version").get() as { user_version: number }).user_version, 3);
    const store = new WatcherStore(db);
    const kept = store.trace(old);
    assert.deepEqual(kept?.nodeRoots, [MODEL_A]);
    assert.equal(kept?.target, undefined);
    const float = { jobId: 2n, commitmentHash: keccak256("0x02") };
    store.saveTrace(float, Uint8Array.of(2), [MODEL_A], [Uint8Array.of(3)], { nodeIndex: 4, outIndex: 1234 });
    assert.deepEqual(store.trace(float)?.target, { nodeIndex: 4, outIndex: 1234 });
    db.close();
  });
});
