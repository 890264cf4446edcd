import { createGraph } from '@godwit/migration-bundle';
import type { LoadedBundle } from '../bundle/load-bundle.js';
import { openForReading, openForWriting } from '../db/open-database.js';
import { checkWritable } from '../db/writable.js';
import { isLockError, lockedError, probeWriteLock } from '../db/write-lock.js';
import { usageError } from '../errors.js';
import { revisionLabel } from '../state/agent-state.js';
import { readState } from '../state/read-state.js';
import { appendApplyLog, writeState } from '../state/write-state.js';
import { checkChecksums, checkSequence, compareSchema, driftError } from './preflight.js';
import { appliedClosure } from './resolve-change.js';

export interface StampOptions {
  dbPath: string;
  bundle: LoadedBundle;
  target: string;
  force: boolean;
  allowRollback: boolean;
  lockTimeoutMs: number;
}

export interface StampResult {
  from: string | null;
  to: string | null;
  /** The drift overridden by --force, or null. */
  drift: string | null;
}

/**
 * Records that the database is at `target` without running anything, after checking that its live
 * schema is the one `target` expects (exit 4 otherwise, unless --force, which the log records).
 */
export function stampDatabase(options: StampOptions): StampResult {
  const { manifest, path } = options.bundle;
  const graph = createGraph(manifest.revisions.map((r) => ({ id: r.id, parents: r.parents })));
  const reader = openForReading(options.dbPath, options.lockTimeoutMs);
  let heads: string[];
  let drift: string | null;
  let state;
  try {
    state = readState(reader);
    checkSequence(manifest, path, state, options.allowRollback);
    checkChecksums(manifest, path, state);
    try {
      heads = options.target === 'base' ? [] : graph.headsAfter(appliedClosure(graph, graph.resolveTarget(options.target, state.heads.filter((h) => graph.has(h)))));
    } catch (error) {
      throw usageError(`cannot resolve "${options.target}": ${(error as Error).message}; see edge-agent history for the revisions`);
    }
    drift = compareSchema(reader, manifest, heads).diff;
    if (drift !== null && !options.force) throw driftError(options.dbPath, revisionLabel(heads), drift, 'edge-agent stamp');
  } finally {
    reader?.close();
  }
  checkWritable(options.dbPath, null);
  const db = openForWriting(options.dbPath, options.lockTimeoutMs);
  try {
    probeWriteLock(db, options.dbPath, options.lockTimeoutMs);
    const started = performance.now();
    const applied = appliedClosure(graph, heads);
    const byId = new Map(manifest.revisions.map((r) => [r.id, r]));
    db.transaction(() => {
      const now = Date.now();
      writeState(db, {
        heads,
        applied: [...applied].map((id) => ({ revision: id, checksum: byId.get(id)!.checksum })),
        removed: [...state.checksums.keys()].filter((id) => !applied.has(id)),
        bundle: { id: manifest.bundleId, sequence: Math.max(manifest.sequence, state.bundleSequence ?? manifest.sequence) },
        now,
      });
      appendApplyLog(db, {
        command: 'stamp',
        bundleId: manifest.bundleId,
        bundleSequence: manifest.sequence,
        fromRevision: revisionLabel(state.heads),
        toRevision: revisionLabel(heads),
        revisions: JSON.stringify(heads),
        startedAt: now,
        durationMs: Math.round(performance.now() - started),
        rowsCopied: '{}',
        sizesBefore: '{}',
        sizesAfter: null,
        outcome: 'stamped',
        error: null,
        forced: options.force,
        rollbackAllowed: options.allowRollback,
        drift,
      });
    }).immediate();
  } catch (error) {
    if (isLockError(error)) throw lockedError(options.dbPath, options.lockTimeoutMs, error);
    throw error;
  } finally {
    db.close();
  }
  return { from: revisionLabel(state.heads), to: revisionLabel(heads), drift };
}
