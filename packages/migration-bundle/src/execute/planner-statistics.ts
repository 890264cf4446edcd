import type { Database } from 'better-sqlite3';
import { mentions } from '../plan/table-rebuild.js';
import { quoteIdent } from '../sqlite/quote.js';

/** Rows ANALYZE visits per index when it must measure one (`PRAGMA analysis_limit`): cheap, approximate. */
export const ANALYSIS_LIMIT = 1000;

/** What happened to the planner's statistics (sqlite_stat1 rows, named by table or index). */
export interface StatisticsReport {
  /** Rows of rebuilt or renamed tables and of their unchanged indexes, carried over as they were. */
  carried: string[];
  /** New or changed tables and indexes, measured with ANALYZE under ANALYSIS_LIMIT. */
  analysed: string[];
  /** Time spent keeping them: snapshots, carrying rows over and ANALYZE. */
  durationMs: number;
}

interface StatRow {
  tbl: string;
  idx: string | null;
  stat: string;
}

type Stat4Row = Record<'tbl' | 'idx' | 'neq' | 'nlt' | 'ndlt' | 'sample', unknown>;

interface IndexShape {
  name: string;
  /** Everything that decides the index's entries, bar the table's name. */
  key: string;
  /** The columns and SQL the entries are computed from, for the recomputed-column test. */
  columns: string[];
  sql: string | null;
}

interface Snapshot {
  table: string;
  recomputed: string[];
  stat1: StatRow[];
  stat4: Stat4Row[];
  indexes: IndexShape[];
}

const AUTOINDEX = 'sqlite_autoindex_';

/**
 * Keeps SQLite's planner statistics through a migration transaction, for a database that has them
 * (a `sqlite_stat1` table). A rebuild's DROP TABLE deletes the table's rows in sqlite_stat1 and
 * sqlite_stat4, and a rename leaves them under the old name. The rows are the same rows, so the
 * rows of the table and of every index whose entries are unchanged are put back as they were;
 * indexes that are new or changed (and new tables) are measured with a bounded ANALYZE at the end
 * of each revision. A table or index that had no statistics before the transaction gets none.
 */
export class PlannerStatistics {
  private readonly hasStat4: boolean;
  /** Lower-cased names of the tables and indexes at BEGIN, and of those of them with statistics. */
  private readonly existed: Set<string>;
  private readonly hadStats: Set<string>;
  private pending: Snapshot | null = null;
  private carried: string[] = [];
  private spentMs = 0;

  private constructor(private readonly db: Database) {
    const started = performance.now();
    this.hasStat4 = tableExists(db, 'sqlite_stat4');
    this.existed = new Set([...schemaObjects(db)].flat(2).map((name) => name.toLowerCase()));
    this.hadStats = new Set(statRows(db, null).map((row) => (row.idx ?? row.tbl).toLowerCase()));
    this.spentMs = performance.now() - started;
  }

  /** Null for a database without statistics: it must not get any. Call inside the transaction. */
  static open(db: Database): PlannerStatistics | null {
    return tableExists(db, 'sqlite_stat1') ? new PlannerStatistics(db) : null;
  }

  /** Before a rebuild's copy: the old table's statistics and indexes, which its DROP TABLE loses. */
  beforeRebuild(table: string, recomputed: string[]): void {
    this.timed(() => this.snapshot(table, recomputed));
  }

  private snapshot(table: string, recomputed: string[]): void {
    this.pending = {
      table,
      recomputed: recomputed.map((c) => c.toLowerCase()),
      stat1: statRows(this.db, table),
      stat4: this.hasStat4 ? (this.db.prepare('SELECT * FROM sqlite_stat4 WHERE tbl = ? COLLATE NOCASE').all(table) as Stat4Row[]) : [],
      indexes: indexShapes(this.db, table),
    };
  }

  /** After the rebuild's last statement: rows of the table and of its unchanged indexes go back. */
  afterRebuild(table: string): void {
    this.timed(() => this.carryOver(table));
  }

  private carryOver(table: string): void {
    const before = this.pending;
    this.pending = null;
    if (!before || before.table.toLowerCase() !== table.toLowerCase()) return;
    const unmatched = indexShapes(this.db, table);
    const renamedTo = new Map<string, string>();
    for (const old of before.indexes) {
      const at = unmatched.findIndex((now) => sameIndex(old, now) && !usesAny(now, before.recomputed));
      if (at >= 0) renamedTo.set(old.name.toLowerCase(), unmatched.splice(at, 1)[0]!.name);
    }
    const insert1 = this.db.prepare('INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES (?, ?, ?)');
    for (const row of before.stat1) {
      const idx = row.idx === null ? null : renamedTo.get(row.idx.toLowerCase());
      if (idx === undefined) continue;
      insert1.run(table, idx, row.stat);
      this.carried.push(idx ?? table);
    }
    const insert4 = this.db.prepare('INSERT INTO sqlite_stat4 (tbl, idx, neq, nlt, ndlt, sample) VALUES (?, ?, ?, ?, ?, ?)');
    for (const row of before.stat4) {
      const idx = renamedTo.get(String(row.idx).toLowerCase());
      if (idx !== undefined) insert4.run(table, idx, row.neq, row.nlt, row.ndlt, row.sample);
    }
  }

  /** A native table rename: its rows, and its automatic indexes' names, follow the table. */
  afterRename(from: string, to: string): void {
    this.timed(() => this.followRename(from, to));
  }

  private followRename(from: string, to: string): void {
    const rename = (name: string) => (isAutoindexOf(name, from) ? AUTOINDEX + to + name.slice(AUTOINDEX.length + from.length) : name);
    for (const statTable of this.hasStat4 ? ['sqlite_stat1', 'sqlite_stat4'] : ['sqlite_stat1']) {
      const rows = this.db.prepare(`SELECT rowid AS id, idx FROM ${statTable} WHERE tbl = ? COLLATE NOCASE`).all(from) as { id: number; idx: string | null }[];
      const update = this.db.prepare(`UPDATE ${statTable} SET tbl = ?, idx = ? WHERE rowid = ?`);
      for (const row of rows) update.run(to, row.idx === null ? null : rename(row.idx), row.id);
      if (statTable === 'sqlite_stat1' && rows.length) this.carried.push(to);
    }
    for (const names of [this.existed, this.hadStats]) {
      for (const name of [...names]) {
        const renamed = name === from.toLowerCase() ? to : rename(name);
        if (renamed !== name) {
          names.delete(name);
          names.add(renamed.toLowerCase());
        }
      }
    }
  }

  /**
   * End of a revision: every table and index that is new, or lost its statistics, is measured.
   * An empty table gets no row (ANALYZE writes none). Returns what the revision did.
   */
  settle(): StatisticsReport {
    const analysed = this.timed(() => this.analyseWhatIsMissing());
    const report = { carried: [...new Set(this.carried)], analysed, durationMs: Math.round(this.spentMs * 100) / 100 };
    this.carried = [];
    this.spentMs = 0;
    return report;
  }

  private analyseWhatIsMissing(): string[] {
    const has = new Set(statRows(this.db, null).map((row) => (row.idx ?? row.tbl).toLowerCase()));
    const wanted = (name: string) => !has.has(name.toLowerCase()) && (!this.existed.has(name.toLowerCase()) || this.hadStats.has(name.toLowerCase()));
    const analysed: string[] = [];
    for (const [table, indexes] of schemaObjects(this.db)) {
      analysed.push(...(indexes.length ? indexes.filter(wanted) : [table].filter(wanted)));
    }
    if (analysed.length) {
      const limit = this.db.pragma('analysis_limit', { simple: true }) as number;
      this.db.pragma(`analysis_limit = ${ANALYSIS_LIMIT}`);
      try {
        for (const name of analysed) this.db.exec(`ANALYZE ${quoteIdent(name)}`);
      } finally {
        this.db.pragma(`analysis_limit = ${limit}`);
      }
    }
    return analysed;
  }

  private timed<T>(work: () => T): T {
    const started = performance.now();
    try {
      return work();
    } finally {
      this.spentMs += performance.now() - started;
    }
  }
}

function tableExists(db: Database, name: string): boolean {
  return db.prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?").get(name) !== undefined;
}

/** Application tables and their indexes (automatic ones included), by table. */
function schemaObjects(db: Database): Map<string, string[]> {
  const rows = db
    .prepare(
      `SELECT type, name, tbl_name AS tbl FROM sqlite_schema WHERE type IN ('table', 'index')
       AND tbl_name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND tbl_name NOT LIKE 'godwit\\_%' ESCAPE '\\' ORDER BY type DESC, rowid`,
    )
    .all() as { type: string; name: string; tbl: string }[];
  const tables = new Map<string, string[]>();
  for (const row of rows) {
    if (row.type === 'table') tables.set(row.name, []);
    else tables.get(row.tbl)?.push(row.name);
  }
  return tables;
}

function statRows(db: Database, table: string | null): StatRow[] {
  const where = table === null ? '' : ' WHERE tbl = ? COLLATE NOCASE';
  return db.prepare(`SELECT tbl, idx, stat FROM sqlite_stat1${where}`).all(...(table === null ? [] : [table])) as StatRow[];
}

interface IndexListRow {
  name: string;
  unique: number;
  origin: string;
  partial: number;
}

interface IndexColumnRow {
  cid: number;
  name: string | null;
  desc: number;
  coll: string;
  key: number;
}

function indexShapes(db: Database, table: string): IndexShape[] {
  const list = db.prepare('SELECT name, "unique", origin, partial FROM pragma_index_list(?)').all(table) as IndexListRow[];
  const sqlOf = db.prepare("SELECT sql FROM sqlite_schema WHERE type = 'index' AND name = ?").pluck();
  const typeOf = db.prepare('SELECT type FROM pragma_table_xinfo(?) WHERE name = ?').pluck();
  return list.map((index) => {
    const columns = db.prepare('SELECT cid, name, desc, coll, key FROM pragma_index_xinfo(?)').all(index.name) as IndexColumnRow[];
    const keyColumns = columns.filter((c) => c.key === 1);
    const sql = (sqlOf.get(index.name) as string | null | undefined) ?? null;
    const key = JSON.stringify([
      index.unique,
      index.origin,
      index.partial,
      // A named index is re-created from its stored SQL; an automatic one is known by its columns.
      sql === null ? null : index.name.toLowerCase(),
      sql,
      keyColumns.map((c) => [c.cid === -2 ? null : c.name?.toLowerCase(), c.desc, c.coll.toLowerCase(), c.name === null ? null : typeOf.get(table, c.name)]),
    ]);
    return { name: index.name, key, columns: keyColumns.flatMap((c) => (c.name === null ? [] : [c.name.toLowerCase()])), sql };
  });
}

function sameIndex(a: IndexShape, b: IndexShape): boolean {
  return a.key === b.key;
}

function usesAny(index: IndexShape, columns: string[]): boolean {
  return columns.some((column) => index.columns.includes(column) || (index.sql !== null && mentions(index.sql, column)));
}

function isAutoindexOf(index: string, table: string): boolean {
  const prefix = (AUTOINDEX + table + '_').toLowerCase();
  return index.toLowerCase().startsWith(prefix) && /^\d+$/.test(index.slice(prefix.length));
}
