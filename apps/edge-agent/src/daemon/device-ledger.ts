import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { MigrationResult } from '@godwit/fleet-protocol';
import type { SchemaDescription } from '@godwit/migration-bundle/device';
import { AgentError } from '../errors.js';
import type { DaemonSettings } from './daemon-settings.js';
import { readLiveDatabase, type LiveDatabase } from './live-database.js';
import { oneLine } from './reportable-result.js';
import type { Logger } from './logger.js';
import { OutboxStore } from './outbox-store.js';

/**
 * Keeps the outbox in step with the device database: new apply-log rows become events (once), a
 * changed live state takes a counter. The database is only read; the outbox is the sidecar file.
 */
export class DeviceLedger {
  #live: LiveDatabase | null = null;

  constructor(
    readonly outbox: OutboxStore,
    private readonly dbPath: string,
    private readonly lockTimeoutMs: number,
  ) {}

  /** The live schema at the last sync, for the report's drift diff. */
  get schema(): SchemaDescription | null {
    return this.#live?.schema ?? null;
  }

  /** The bundle the database was last migrated by, as of the last sync. */
  get applied(): { sequence: number | null; bundleId: string | null } {
    return { sequence: this.#live?.state.bundleSequence ?? null, bundleId: this.#live?.bundleId ?? null };
  }

  /** The highest apply-log id seen at the last sync: what a run about to start compares against. */
  get maxLogId(): number {
    return this.#live?.maxLogId ?? this.outbox.importedLogId;
  }

  /** Reads the database and records what is new; returns the events it added. Throws AgentError. */
  sync(): MigrationResult[] {
    const after = this.outbox.importedLogId;
    const live = readLiveDatabase(this.dbPath, this.lockTimeoutMs, after);
    this.#live = live;
    // A log that ends below what was imported: the database was restored from a backup or
    // replaced. Its rows up to there count as reported; only newer ones become events.
    const importedLogId = live.maxLogId < after ? live.maxLogId : (live.logRows.at(-1)?.id ?? after);
    const results = live.logRows.map((row) => row.result);
    this.outbox.record({ results, importedLogId, state: live.state });
    return results;
  }

  /** `sync`, logging each new event (`recorded`) or why the database could not be read (`error`). */
  syncLogged(log: Logger): void {
    try {
      for (const result of this.sync()) log('recorded', { outcome: result.outcome, to: result.to, revisions: result.revisions });
    } catch (error) {
      if (!(error instanceof AgentError)) throw error;
      log('error', { during: 'read-state', message: error.message });
    }
  }

  /**
   * After a run: imports what it logged; a run that logged nothing (refused before the database was
   * opened for writing, or whose log row a full disk refused) is recorded from its own result.
   */
  settle(logIdBefore: number, result: MigrationResult): MigrationResult[] {
    let imported: MigrationResult[] = [];
    try {
      imported = this.sync();
    } catch (error) {
      if (!(error instanceof AgentError)) throw error;
    }
    const logged = this.#live !== null && this.#live.maxLogId > logIdBefore;
    if (result.outcome === 'up-to-date' || logged) return imported;
    const own = { ...result, ...(result.error === undefined ? {} : { error: oneLine(result.error) }) };
    this.outbox.record({ results: [own] });
    return [...imported, own];
  }
}

/** Opens the sidecar outbox (creating stateDir) and brings it up to date with the database. */
export function openLedger(settings: DaemonSettings, log: Logger): DeviceLedger {
  mkdirSync(dirname(settings.sidecar), { recursive: true });
  const ledger = new DeviceLedger(OutboxStore.open(settings.sidecar), settings.db, settings.lockTimeoutMs);
  ledger.syncLogged(log);
  return ledger;
}
