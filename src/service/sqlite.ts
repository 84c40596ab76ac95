/**
 * The daemons' embedded database: Node's built-in `node:sqlite` (no native
 * dependency). Opened in WAL mode with synchronous=FULL, so a committed
 * statement survives `kill -9`; schemas are applied by numbered migrations.
 */
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import type { DatabaseSync, SQLInputValue, StatementSync } from "node:sqlite";

export type { DatabaseSync };

let sqlite: typeof import("node:sqlite") | undefined;

/** Loads node:sqlite once, without its "experimental" warning on stderr (it is stable enough for us; Node ≥ 22.13). */
async function loadSqlite(): Promise<typeof import("node:sqlite")> {
  if (sqlite !== undefined) return sqlite;
  const original = process.emitWarning;
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    const text = typeof warning === "string" ? warning : warning.message;
    if (text.includes("SQLite")) return;
    (original as (...a: unknown[]) => void).call(process, warning, ...rest);
  }) as typeof process.emitWarning;
  try {
    sqlite = await import("node:sqlite");
  } finally {
    process.emitWarning = original;
  }
  return sqlite;
}

/** Opens (creating) the database at `path` (":memory:" for tests) and applies `migrations[i]` for every version not yet applied. */
export async function openDatabase(path: string, migrations: readonly string[]): Promise<DatabaseSync> {
  const { DatabaseSync } = await loadSqlite();
  if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
  const db = new DatabaseSync(path);
  db.exec(
    "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON;",
  );
  const version = Number((db.prepare("PRAGMA user_version").get() as { user_version: number }).user_version);
  for (const [v, migration] of migrations.entries()) {
    if (v < version) continue;
    db.exec("BEGIN");
    try {
      db.exec(migration);
      db.exec(`PRAGMA user_version = ${v + 1}`);
      db.exec("COMMIT");
    } catch (e) {
      db.exec("ROLLBACK");
      throw e;
    }
  }
  return db;
}

/**
 * The rows of a query as the caller's row type: node:sqlite returns untyped records,
 * and the table's schema (the migrations beside the query) is what gives them a type.
 */
export function rowsOf<Row extends object>(statement: StatementSync, ...params: SQLInputValue[]): Row[] {
  return statement.all(...params) as Row[];
}

/** The first row of a query (see rowsOf), or undefined. */
export function rowOf<Row extends object>(statement: StatementSync, ...params: SQLInputValue[]): Row | undefined {
  return statement.get(...params) as Row | undefined;
}

/** Runs `fn` in one transaction. */
export function transaction<T>(db: DatabaseSync, fn: () => T): T {
  db.exec("BEGIN IMMEDIATE");
  try {
    const r = fn();
    db.exec("COMMIT");
    return r;
  } catch (e) {
    db.exec("ROLLBACK");
    throw e;
  }
}

/** A key–value table every daemon database has (`meta`): cursors, secrets, identity. */
export const META_TABLE = "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);";

export function getMeta(db: DatabaseSync, key: string): string | undefined {
  const row = prepared(db, "SELECT value FROM meta WHERE key = ?").get(key) as { value: string } | undefined;
  return row?.value;
}

export function setMeta(db: DatabaseSync, key: string, value: string): void {
  prepared(db, "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value").run(
    key,
    value,
  );
}

/**
 * `db.prepare(sql)`, kept for the database and its SQL text: a daemon runs the same few
 * statements for every job and every poll, and preparing one costs more than running it.
 * Only for constant SQL (values go in as parameters), so the cache stays small.
 */
export function prepared(db: DatabaseSync, sql: string): StatementSync {
  let cache = statements.get(db);
  if (cache === undefined) {
    cache = new Map();
    statements.set(db, cache);
  }
  let s = cache.get(sql);
  if (s === undefined) {
    s = db.prepare(sql);
    cache.set(sql, s);
  }
  return s;
}

const statements = new WeakMap<DatabaseSync, Map<string, StatementSync>>();
