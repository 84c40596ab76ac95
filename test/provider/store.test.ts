/**
 * The provider's store migrations: a database made by an earlier version (with the
 * trace_root column of the trace-committing protocol) is brought to the current schema
 * with its jobs kept.
 */
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { PROVIDER_MIGRATIONS } from "../../provider/store.ts";
import { openDatabase } from "../../src/service/sqlite.ts";

const columns = (db: Awaited<ReturnType<typeof openDatabase>>) =>
  (db.prepare("PRAGMA table_info(jobs)").all() as { name: string }[]).map((r) => r.name);

test("a version-2 database loses trace_root and keeps its jobs", async () => {
  const file = join(mkdtempSync(join(tmpdir(), "refute-provider-store-")), "provider.sqlite");
  const old = await openDatabase(file, PROVIDER_MIGRATIONS.slice(0, 2));
  assert.ok(columns(old).includes("trace_root"));
  old
    .prepare(
      "INSERT INTO jobs (job_id, model_id, requester, commit_deadline, request_block, state, trace_root) VALUES (?, ?, ?, ?, ?, ?, ?)",
    )
    .run("7", "0xaa", "0xbb", 100, 5, "committed", "0xcc");
  old.close();

  const db = await openDatabase(file, PROVIDER_MIGRATIONS);
  assert.ok(!columns(db).includes("trace_root"));
  assert.deepEqual(
    { ...(db.prepare("SELECT job_id, state FROM jobs").get() as object) },
    { job_id: "7", state: "committed" },
  );
  db.close();
});
