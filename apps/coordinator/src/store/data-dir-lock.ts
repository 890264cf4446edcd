import { linkSync, mkdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CoordinatorError } from './errors.js';

export const LOCK_FILE = 'coordinator.lock';

/** Folders this process holds: a PID check cannot tell a second start in the same process from the first. */
const held = new Set<string>();

export interface DataDirLock {
  readonly file: string;
  release(): void;
}

/**
 * Claims the data folder for this process: PGlite has one session and no locking of its own, so two
 * coordinators on one folder would each keep a private copy and lose the other's writes. The lock
 * is a file holding the owner's PID, created atomically (a hard link fails if it exists); a lock
 * whose process is gone (SIGKILL, a crash) is taken over, so a restart is never blocked by a dead
 * owner.
 */
export function lockDataDir(dataDir: string): DataDirLock {
  const folder = resolve(dataDir);
  const file = join(folder, LOCK_FILE);
  if (held.has(file)) throw inUse(folder, process.pid);
  mkdirSync(folder, { recursive: true });
  // Two tries: the second follows removing a dead owner's lock.
  for (let attempt = 0; attempt < 2; attempt++) {
    if (create(file)) {
      held.add(file);
      return { file, release: () => release(file) };
    }
    const owner = ownerOf(file);
    if (owner !== null && owner !== process.pid && alive(owner)) throw inUse(folder, owner);
    removeStale(file, folder);
  }
  throw inUse(folder, ownerOf(file) ?? 0);
}

/** Writes the PID beside the lock, then links it into place: the lock never exists without its PID. */
function create(file: string): boolean {
  const draft = `${file}.${process.pid}.new`;
  writeFileSync(draft, `${process.pid}\n`, { mode: 0o600 });
  try {
    linkSync(draft, file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    unlinkSync(draft);
  }
}

/**
 * Moves a dead owner's lock aside under a name of our own: of several starters that saw it dead,
 * only one can rename it. If what was moved turns out to be a live owner's fresh lock (it replaced
 * the dead one in between), it is put back and the folder is in use.
 */
function removeStale(file: string, folder: string): void {
  const aside = `${file}.${process.pid}.stale`;
  try {
    renameSync(file, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  const owner = ownerOf(aside);
  if (owner !== null && owner !== process.pid && alive(owner)) {
    linkSync(aside, file);
    unlinkSync(aside);
    throw inUse(folder, owner);
  }
  unlinkSync(aside);
}

function release(file: string): void {
  if (!held.delete(file)) return;
  if (ownerOf(file) === process.pid) unlinkSync(file);
}

/** The PID in a lock file; null when the file is gone or holds no PID. */
function ownerOf(file: string): number | null {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  const pid = Number(text.trim());
  return Number.isSafeInteger(pid) && pid > 0 ? pid : null;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function inUse(folder: string, pid: number): CoordinatorError {
  return new CoordinatorError(
    'conflict',
    `data folder ${folder} is in use by another coordinator (pid ${pid}); stop it first, or delete ${join(folder, LOCK_FILE)} if that process is not a coordinator`,
  );
}
