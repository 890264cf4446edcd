/**
 * Test harness for the engine's acceptance tests: real SQLite files in temporary folders, revision
 * chains planned the way `mbundle build` plans them (planChain), and applied the way a device applies
 * them (runMigration with the signed SQL as `expectedSql`).
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database, { type Database as DatabaseType } from 'better-sqlite3';
import { expect } from 'vitest';
import { checkReversibility, type ChainProblem } from '../compile/check-chain.js';
import { planChain, type AuthoredRevision, type PlannedManifestRevision } from '../compile/plan-chain.js';
import { createGraph } from '../graph/graph.js';
import type { Operation, Operations } from '../ops/operation.js';
import { recordOperations } from '../ops/recorder.js';
import { planSteps } from '../plan/planner.js';
import type { PlannedRevision } from '../plan/plan-types.js';
import { diffSchemas, formatSchemaDiff } from '../schema/diff.js';
import { readSchema } from '../schema/describe.js';
import { fingerprintDatabase } from '../schema/fingerprint.js';
import { runMigration, type RevisionRunReport, type RunOptions } from '../execute/run-migration.js';
import { quoteIdent } from '../sqlite/quote.js';

const openDirs: string[] = [];
/** Real files, on tmpfs where the machine has one (fsync there costs nothing). */
const TEMP_ROOT = existsSync('/dev/shm') ? '/dev/shm' : tmpdir();

/** A fresh database file in its own temporary folder; `cleanupDatabases` removes them all. */
export function tempDb(name = 'app.db'): { db: DatabaseType; path: string; dir: string } {
  const dir = mkdtempSync(join(TEMP_ROOT, 'godwit-engine-'));
  openDirs.push(dir);
  const path = join(dir, name);
  const db = new Database(path);
  return { db, path, dir };
}

export function cleanupDatabases(): void {
  for (const dir of openDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

export interface RevisionSpec {
  id: string;
  up: (op: Operations) => void;
  down?: (op: Operations) => void;
}

export interface Chain {
  /** The build's view: SQL, expected fingerprint and schema per revision, in order. */
  planned: PlannedManifestRevision[];
  byId(id: string): PlannedManifestRevision;
}

/** Records and plans a linear chain exactly as the build does. */
export function buildChain(specs: RevisionSpec[]): Chain {
  const authored = authorChain(specs);
  const graph = createGraph(authored);
  const planned = planChain(authored, graph);
  return {
    planned,
    byId(id) {
      const found = planned.find((r) => r.id === id);
      if (!found) throw new Error(`no revision ${id} in chain`);
      return found;
    },
  };
}

/** The revisions as recorded from their files, linear. */
function authorChain(specs: RevisionSpec[]): AuthoredRevision[] {
  return specs.map((spec, i) => ({
    id: spec.id,
    parents: i === 0 ? [] : [specs[i - 1]!.id],
    message: spec.id,
    up: recordOperations(spec.up, { revision: spec.id, direction: 'up' }),
    down: spec.down ? recordOperations(spec.down, { revision: spec.id, direction: 'down' }) : null,
  }));
}

/** Applies the named revisions (up) as one run, holding the executor to the build's SQL. */
export function applyUp(db: DatabaseType, chain: Chain, ids: string[], options: RunOptions = {}): RevisionRunReport[] {
  const revisions = ids.map((id) => chain.byId(id));
  return runMigration(
    db,
    revisions.map((r) => ({ revision: r.id, direction: 'up' as const, operations: r.up })),
    { expectedSql: new Map(revisions.map((r) => [r.id, r.upSql])), ...options },
  );
}

/** What the live planner would run for these revisions on `db` (without changing it). */
export function planUp(db: DatabaseType, chain: Chain, ids: string[]): PlannedRevision[] {
  return planSteps(
    db,
    ids.map((id) => ({ revision: id, direction: 'up' as const, operations: chain.byId(id).up })),
  );
}

export function ops(fn: (op: Operations) => void): Operation[] {
  return recordOperations(fn);
}

/** Number of row copies (`INSERT INTO "_godwit_new_...`) in a list of statements. */
export function copyCount(statements: readonly string[], table?: string): number {
  const prefix = table ? `INSERT INTO ${q(`_godwit_new_${table}`)} ` : 'INSERT INTO "_godwit_new_';
  return statements.filter((sql) => sql.startsWith(prefix)).length;
}

/** True when the statements rebuild `table` (create a copy, drop the original, rename). */
export function rebuilds(statements: readonly string[], table: string): boolean {
  return copyCount(statements, table) > 0 && statements.includes(`DROP TABLE ${q(table)}`);
}

/** Quotes an identifier for SQL text (the engine's own quoting). */
export const q = quoteIdent;

const FLOAT = new Float64Array(1);
const BITS = new BigUint64Array(FLOAT.buffer);

/** A value as an exact, typed string: storage class plus exact bytes (floats by their IEEE-754 bits). */
export function exactValue(value: unknown): string {
  if (value === null) return 'n';
  if (typeof value === 'bigint') return `i:${value}`;
  if (typeof value === 'number') {
    FLOAT[0] = value;
    return `r:${BITS[0]}`;
  }
  if (typeof value === 'string') return `t${value.length}:${value}`;
  if (Buffer.isBuffer(value)) return `b:${value.toString('hex')}`;
  throw new Error(`unexpected value ${String(value)}`);
}

/** Rows as exact strings (safe integers, real bits, text and blob bytes), in `orderBy` order. */
export function exactRows(db: DatabaseType, table: string, columns: string[], orderBy = 'rowid'): string[] {
  const select = columns.map(q).join(', ');
  const rows = db
    .prepare(`SELECT ${select} FROM ${q(table)} ORDER BY ${orderBy}`)
    .raw(true)
    .safeIntegers(true)
    .all() as unknown[][];
  return rows.map((row) => row.map(exactValue).join('|'));
}

/** SHA-256 over the exact rows of `columns` (plus the row count), ordered by `orderBy`. */
export function contentHash(db: DatabaseType, table: string, columns: string[], orderBy = 'rowid'): string {
  const hash = createHash('sha256');
  const rows = exactRows(db, table, columns, orderBy);
  hash.update(String(rows.length));
  for (const row of rows) hash.update(`\n${row}`);
  return hash.digest('hex');
}

/** Also compares what SQLite itself says: `typeof(x)` and `hex(x)` of every value. */
export function sqlTypedRows(db: DatabaseType, table: string, columns: string[], orderBy = 'rowid'): string[] {
  const select = columns.map((c) => `typeof(${q(c)}) || ':' || hex(${q(c)})`).join(` || '|' || `);
  return db.prepare(`SELECT ${select} AS r FROM ${q(table)} ORDER BY ${orderBy}`).pluck().all() as string[];
}

export function rowCount(db: DatabaseType, table: string): number {
  return db.prepare(`SELECT count(*) FROM ${q(table)}`).pluck().get() as number;
}

export function columnsOf(db: DatabaseType, table: string): string[] {
  return (db.prepare('SELECT name FROM pragma_table_xinfo(?)').all(table) as { name: string }[]).map((r) => r.name);
}

/** Every application table's row count and content hash (all columns, with rowid where there is one). */
export function dataSnapshot(db: DatabaseType): Record<string, { rows: number; hash: string }> {
  const tables = db
    .prepare("SELECT name, sql FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
    .all() as { name: string; sql: string }[];
  const snapshot: Record<string, { rows: number; hash: string }> = {};
  for (const { name, sql } of tables) {
    const withoutRowid = /without\s+rowid/i.test(sql);
    const columns = columnsOf(db, name);
    const order = withoutRowid ? columns.map(q).join(', ') : '_rowid_';
    const hash = createHash('sha256');
    const select = (withoutRowid ? '' : '_rowid_, ') + columns.map(q).join(', ');
    const rows = db.prepare(`SELECT ${select} FROM ${q(name)} ORDER BY ${order}`).raw(true).safeIntegers(true).all() as unknown[][];
    for (const row of rows) hash.update(row.map(exactValue).join('|') + '\n');
    snapshot[name] = { rows: rows.length, hash: hash.digest('hex') };
  }
  const sequence = db.prepare("SELECT 1 FROM sqlite_schema WHERE name = 'sqlite_sequence'").get()
    ? (db.prepare('SELECT name, seq FROM sqlite_sequence ORDER BY name').all() as { name: string; seq: number }[])
    : [];
  snapshot['sqlite_sequence'] = { rows: sequence.length, hash: JSON.stringify(sequence) };
  return snapshot;
}

/** The stored schema, exactly: every object of sqlite_schema with its SQL. */
export function schemaRows(db: DatabaseType): string[] {
  return (
    db.prepare('SELECT type, name, tbl_name, sql FROM sqlite_schema ORDER BY type, name').all() as Record<string, unknown>[]
  ).map((r) => JSON.stringify(r));
}

export function fileHash(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/** Objects a rebuild leaves behind if it stops half way. */
export function leftovers(db: DatabaseType): string[] {
  return db
    .prepare("SELECT type || ' ' || name FROM sqlite_schema WHERE name LIKE '%godwit_new%' OR tbl_name LIKE '%godwit_new%' OR sql LIKE '%_godwit_new_%'")
    .pluck()
    .all() as string[];
}

/** integrity_check ok, foreign_key_check clean, no rebuild leftovers. */
export function expectHealthy(db: DatabaseType): void {
  expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
  expect(db.prepare('PRAGMA foreign_key_check').all()).toEqual([]);
  expect(leftovers(db)).toEqual([]);
}

/** Live fingerprint equals the build's, and the structural diff is empty (no false drift). */
export function expectAtRevision(db: DatabaseType, revision: PlannedManifestRevision): void {
  const diff = diffSchemas(revision.schema, readSchema(db));
  expect(formatSchemaDiff(diff), `schema diff against ${revision.id}`).toBe('');
  expect(fingerprintDatabase(db)).toBe(revision.fingerprint);
}

/** Runs `fn` and returns what it threw (failing the test if it did not throw). */
export function thrown(fn: () => unknown): Error & { code?: string; revision?: string; sql?: string } {
  try {
    fn();
  } catch (error) {
    return error as Error & { code?: string };
  }
  throw new Error('expected a failure, but the call succeeded');
}

/** What `mbundle check` reports for the chain: every `down` must undo its `up`. */
export function checkChain(specs: RevisionSpec[]): ChainProblem[] {
  const authored = authorChain(specs);
  return checkReversibility(authored, createGraph(authored));
}

/** Reverts one revision as a device does, holding the executor to the build's down SQL. */
export function applyDown(db: DatabaseType, chain: Chain, id: string): RevisionRunReport[] {
  const revision = chain.byId(id);
  return runMigration(db, [{ revision: id, direction: 'down', operations: revision.down! }], {
    expectedSql: new Map([[id, revision.downSql!]]),
  });
}
