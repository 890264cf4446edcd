import { lstatSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { AgentError } from '../errors.js';
import { verifyBundleBytes, type LoadedBundle } from './load-bundle.js';
import { readTrustedKeys } from './trusted-keys.js';

/** An entry of the bundles folder that could not be read: named to the user, never applied. */
export interface SkippedEntry {
  path: string;
  /** Why, in words, with the system's error code: "dangling symbolic link (ENOENT)". */
  reason: string;
}

export interface BundleScan {
  newest: LoadedBundle | null;
  /** Files that were refused, with why: reported, never applied. */
  refused: { path: string; error: AgentError }[];
  /** Entries that could not be read (see SkippedEntry); they do not stop the scan. */
  skipped: SkippedEntry[];
}

/**
 * Names a writer uses while a file is still being written (`.name`, `name.tmp`, `name.partial`):
 * ignored without a word, so that a bundle being copied in is never reported as malformed.
 */
export function isTemporaryName(name: string): boolean {
  return name.startsWith('.') || name.endsWith('.tmp') || name.endsWith('.partial');
}

/**
 * Verifies every file in the bundles folder and picks the valid one with the highest sequence.
 * One bad entry never blocks the others: a dangling link, a file removed during the scan (a
 * runtime update in progress) or one this user may not read is skipped and named; folders and
 * temporary names are ignored. A bad trusted key still fails the whole scan (usage error).
 */
export function newestValidBundle(dir: string, trust: readonly string[], now = Date.now()): BundleScan {
  let names: string[];
  try {
    names = readdirSync(dir).sort();
  } catch (error) {
    throw new AgentError('failed', `cannot read the bundles folder ${dir} (${(error as NodeJS.ErrnoException).code}); check "bundles" in the config`);
  }
  const keys = readTrustedKeys(trust);
  const scan: BundleScan = { newest: null, refused: [], skipped: [] };
  for (const name of names.filter((n) => !isTemporaryName(n))) {
    const path = join(dir, name);
    const read = readEntry(path);
    if (read === null) continue;
    if ('reason' in read) {
      scan.skipped.push(read);
      continue;
    }
    try {
      const bundle = verifyBundleBytes(path, read.bytes, keys, now);
      if (scan.newest === null || bundle.manifest.sequence > scan.newest.manifest.sequence) scan.newest = bundle;
    } catch (error) {
      if (!(error instanceof AgentError) || error.code !== 'bundle-refused') throw error;
      scan.refused.push({ path, error });
    }
  }
  return scan;
}

/** The file's bytes; null for a folder; a SkippedEntry for anything that cannot be read as a file. */
function readEntry(path: string): { bytes: Buffer } | SkippedEntry | null {
  try {
    const stats = statSync(path);
    if (stats.isDirectory()) return null;
    if (!stats.isFile()) return { path, reason: 'not a regular file' };
    return { bytes: readFileSync(path) };
  } catch (error) {
    return { path, reason: unreadableReason(path, (error as NodeJS.ErrnoException).code ?? 'unknown error') };
  }
}

function unreadableReason(path: string, code: string): string {
  if (code === 'ENOENT') return `${isSymbolicLink(path) ? 'dangling symbolic link' : 'removed while the folder was read'} (${code})`;
  if (code === 'EACCES' || code === 'EPERM') return `not readable by this user (${code})`;
  if (code === 'ELOOP') return `symbolic link loop (${code})`;
  return `cannot be read (${code})`;
}

function isSymbolicLink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}
