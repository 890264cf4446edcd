import Database from 'better-sqlite3';
import { MAX_LAST_RESULTS, type MigrationEvent, type MigrationResult } from '@godwit/fleet-protocol';
import { reportableResult } from './reportable-result.js';

/** What a report says about the database: the coordinator keeps the one with the highest counter. */
export interface ReportedState {
  revision: string | null;
  fingerprint: string;
  bundleSequence: number | null;
}

/** One sidecar transaction: new results (each an event), how far the apply log is imported, the state now. */
export interface Recording {
  results: MigrationResult[];
  /** The godwit_apply_log id imported up to after this recording (lower only when the database was restored). */
  importedLogId?: number;
  state?: ReportedState;
}

/** Bundles (by SHA-256 of their bytes) already handled: kept for the newest few. */
const SEEN_BUNDLES_KEPT = 50;

const DDL = [
  `CREATE TABLE IF NOT EXISTS outbox (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    counter INTEGER NOT NULL,
    acked INTEGER NOT NULL,
    imported_log_id INTEGER NOT NULL,
    state TEXT
  )`,
  // Every event not yet acknowledged, and the newest acknowledged ones for the report's lastResults.
  `CREATE TABLE IF NOT EXISTS events (counter INTEGER PRIMARY KEY, result TEXT NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS seen_bundles (sha256 TEXT PRIMARY KEY, seen_at INTEGER NOT NULL)`,
  `INSERT OR IGNORE INTO outbox (id, counter, acked, imported_log_id, state) VALUES (1, 0, 0, 0, NULL)`,
];

/**
 * The agent's own bookkeeping, in a small SQLite file of its own beside the device database
 * (never in the application's schema or rows), shared by the daemon and `run --once`.
 *
 * One counter that only grows numbers every migration event and every state change; an event stays
 * until the coordinator's ack covers its counter. Importing apply-log rows and advancing the
 * imported-up-to id happen in one transaction, so a migration committed just before a crash is
 * turned into exactly one event at the next start.
 */
export class OutboxStore {
  readonly #db: Database.Database;

  private constructor(db: Database.Database) {
    this.#db = db;
  }

  static open(path: string): OutboxStore {
    const db = new Database(path, { timeout: 5000 });
    try {
      db.pragma('synchronous = FULL');
      db.transaction(() => {
        for (const sql of DDL) db.exec(sql);
      })();
    } catch (error) {
      db.close();
      throw error;
    }
    return new OutboxStore(db);
  }

  get counter(): number {
    return this.#row().counter;
  }

  get acked(): number {
    return this.#row().acked;
  }

  get importedLogId(): number {
    return this.#row().imported_log_id;
  }

  /** True while something (an event or the latest state) awaits the coordinator's ack. */
  get pending(): boolean {
    const row = this.#row();
    return row.acked < row.counter;
  }

  /** The state last recorded: what `counter` describes. */
  get state(): ReportedState | null {
    const text = this.#row().state;
    return text === null ? null : (JSON.parse(text) as ReportedState);
  }

  /** Events the coordinator has not acknowledged, oldest first. */
  unconfirmed(): MigrationEvent[] {
    return this.#db
      .prepare<[number], { counter: number; result: string }>('SELECT counter, result FROM events WHERE counter > ? ORDER BY counter')
      .all(this.acked)
      .map((row) => ({ ...(JSON.parse(row.result) as MigrationResult), counter: row.counter }));
  }

  /** The newest results, newest last (the report's lastResults). */
  lastResults(): MigrationResult[] {
    return this.#db
      .prepare<[number], { result: string }>('SELECT result FROM (SELECT counter, result FROM events ORDER BY counter DESC LIMIT ?) ORDER BY counter')
      .all(MAX_LAST_RESULTS)
      .map((row) => JSON.parse(row.result) as MigrationResult);
  }

  /**
   * Gives each result the next counter, and the state a counter of its own when it changed without
   * an event (a hand-edited schema); returns the counters given to the results.
   */
  record(recording: Recording): number[] {
    return this.#db.transaction(() => {
      const row = this.#row();
      let counter = row.counter;
      const insert = this.#db.prepare('INSERT INTO events (counter, result) VALUES (?, ?)');
      const counters = recording.results.map((result) => {
        insert.run(++counter, JSON.stringify(reportableResult(result)));
        return counter;
      });
      const state = recording.state === undefined ? row.state : JSON.stringify(recording.state);
      if (counters.length === 0 && state !== row.state) counter++;
      this.#db
        .prepare('UPDATE outbox SET counter = ?, imported_log_id = ?, state = ? WHERE id = 1')
        .run(counter, recording.importedLogId ?? row.imported_log_id, state);
      return counters;
    })();
  }

  /**
   * The coordinator stored everything up to `counter`. An ack above our own counter means this
   * file is younger than the device's history there (restored or recreated): the unconfirmed events
   * and the state are renumbered above it, so that the coordinator does not take them for old ones.
   */
  acknowledge(counter: number): 'advanced' | 'stale' | 'renumbered' {
    return this.#db.transaction(() => {
      const row = this.#row();
      if (counter <= row.acked) return 'stale';
      if (counter <= row.counter) {
        this.#db.prepare('UPDATE outbox SET acked = ? WHERE id = 1').run(counter);
        this.#prune(counter);
        return 'advanced';
      }
      const offset = counter - row.acked;
      // Two steps: a single UPDATE of the primary key could collide with a row not yet moved.
      this.#db.prepare('UPDATE events SET counter = -(counter + ?) WHERE counter > ?').run(offset, row.acked);
      this.#db.prepare('UPDATE events SET counter = -counter WHERE counter < 0').run();
      this.#db.prepare('UPDATE outbox SET acked = ?, counter = ? WHERE id = 1').run(counter, row.counter + offset + 1);
      return 'renumbered';
    })();
  }

  /** Notes a bundle as handled; false when it already was (the same bytes delivered again). */
  markBundleSeen(sha256: string): boolean {
    return this.#db.transaction(() => {
      const added = this.#db.prepare('INSERT OR IGNORE INTO seen_bundles (sha256, seen_at) VALUES (?, ?)').run(sha256, Date.now()).changes === 1;
      this.#db
        .prepare('DELETE FROM seen_bundles WHERE sha256 NOT IN (SELECT sha256 FROM seen_bundles ORDER BY seen_at DESC, rowid DESC LIMIT ?)')
        .run(SEEN_BUNDLES_KEPT);
      return added;
    })();
  }

  /** Forgets that a bundle was handled, so that its bytes are taken again when delivered (an operator's retry). */
  forgetBundle(sha256: string): void {
    this.#db.prepare('DELETE FROM seen_bundles WHERE sha256 = ?').run(sha256);
  }

  hasSeenBundle(sha256: string): boolean {
    return this.#db.prepare('SELECT 1 FROM seen_bundles WHERE sha256 = ?').get(sha256) !== undefined;
  }

  close(): void {
    this.#db.close();
  }

  #row() {
    return this.#db
      .prepare<[], { counter: number; acked: number; imported_log_id: number; state: string | null }>('SELECT counter, acked, imported_log_id, state FROM outbox WHERE id = 1')
      .get()!;
  }

  /** Acknowledged events are kept only as long as they are among the newest lastResults. */
  #prune(acked: number): void {
    this.#db
      .prepare('DELETE FROM events WHERE counter <= ? AND counter NOT IN (SELECT counter FROM events ORDER BY counter DESC LIMIT ?)')
      .run(acked, MAX_LAST_RESULTS);
  }
}
