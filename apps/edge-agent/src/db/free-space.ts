import { existsSync, statfsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { AgentError } from '../errors.js';

export interface SpaceNeeds {
  dbPath: string;
  /** Bytes of the tables the plan rebuilds, with their indexes. */
  rebuiltBytes: number;
  /** Bytes of the whole database: what a backup takes. */
  databaseBytes: number;
  /** Where the backup goes, or null without one. */
  backupDir: string | null;
}

/** Room left for the journal's own bookkeeping, the new schema pages and filesystem rounding. */
const MARGIN_BYTES = 1024 * 1024;

/**
 * Why the disk cannot hold a change (exit 6), or null when it can: the rebuilt tables are written
 * again beside the old ones, and as much again goes to the journal or WAL; the backup takes the
 * whole database, on its own filesystem if it has one.
 */
export function spaceShortfall(needs: SpaceNeeds): AgentError | null {
  const dbDir = dirname(needs.dbPath);
  const perDevice = new Map<number, { dir: string; bytes: number }>();
  const add = (wanted: string, bytes: number) => {
    const dir = existingAncestor(wanted);
    const dev = statSync(dir).dev;
    const entry = perDevice.get(dev) ?? { dir, bytes: 0 };
    entry.bytes += bytes;
    perDevice.set(dev, entry);
  };
  add(dbDir, 2 * needs.rebuiltBytes + MARGIN_BYTES);
  if (needs.backupDir !== null) add(needs.backupDir, needs.databaseBytes);
  for (const { dir, bytes } of perDevice.values()) {
    const fs = statfsSync(dir);
    const available = fs.bavail * fs.bsize;
    if (available < bytes) {
      return new AgentError(
        'disk-space',
        `not enough free space in ${dir}: the upgrade needs about ${megabytes(bytes)} and ${megabytes(available)} are free; ` +
          'free some space (or pass --backup-dir on another disk) and retry',
      );
    }
  }
  return null;
}

export function megabytes(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** A folder that does not exist yet (the first backup's) lives on the filesystem of its nearest existing parent. */
export function existingAncestor(dir: string): string {
  let current = resolve(dir);
  while (!existsSync(current) && dirname(current) !== current) current = dirname(current);
  return current;
}
