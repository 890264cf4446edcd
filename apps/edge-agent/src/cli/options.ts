import { textProblem } from '../config/text-value.js';
import { MAX_LOCK_TIMEOUT_MS } from '../db/write-lock.js';
import { usageError } from '../errors.js';
import type { OptionSpec, OptionValues } from './command.js';

/** Options several commands share, spelled once. */
export const DB_OPTION: OptionSpec = { db: { type: 'string' } };
export const BUNDLE_OPTIONS: OptionSpec = {
  bundle: { type: 'string' },
  trust: { type: 'string', multiple: true },
};
export const JSON_OPTION: OptionSpec = { json: { type: 'boolean' } };
export const LOCK_OPTION: OptionSpec = { 'lock-timeout': { type: 'string' } };
export const BACKUP_OPTIONS: OptionSpec = {
  'no-backup': { type: 'boolean' },
  'backup-dir': { type: 'string' },
  'keep-backups': { type: 'string' },
};

/** How long to wait for another process's write lock before giving up with exit 6. */
export const DEFAULT_LOCK_TIMEOUT_MS = 5000;
export const DEFAULT_KEEP_BACKUPS = 3;

/** Upper bounds of the whole-number options that have one. */
const MAXIMUM: Record<string, number> = { 'lock-timeout': MAX_LOCK_TIMEOUT_MS };

const WHAT: Record<string, string> = {
  db: '--db FILE (the device database)',
  bundle: '--bundle FILE (the signed migration bundle)',
  config: '--config FILE (the agent\'s JSON configuration)',
};

export function requireString(values: OptionValues, name: string, command: string): string {
  const value = values[name];
  if (typeof value !== 'string' || value === '') {
    throw usageError(`missing ${WHAT[name] ?? `--${name}`}; see edge-agent ${command} --help`);
  }
  return checkedPath(name, value);
}

export function optionalString(values: OptionValues, name: string): string | undefined {
  const value = values[name];
  return typeof value === 'string' ? checkedPath(name, value) : undefined;
}

/**
 * Every string option is a path. U+FFFD is refused too: it is what Node makes of argument bytes
 * that are not UTF-8, so the file opened would not be the one the shell named.
 */
function checkedPath(name: string, value: string): string {
  const problem = textProblem(value) ?? (value.includes('\uFFFD') ? 'bytes that are not valid UTF-8' : null);
  if (problem !== null) throw usageError(`--${name} holds ${problem}; pass the path as UTF-8 text`);
  return value;
}

export function flag(values: OptionValues, name: string): boolean {
  return values[name] === true;
}

export function requireTrust(values: OptionValues, command: string): string[] {
  const trust = (values.trust ?? []) as string[];
  if (trust.length === 0) {
    throw usageError(`missing --trust PUBFILE (a public key the bundle must be signed by); see edge-agent ${command} --help`);
  }
  return trust.map((path) => checkedPath('trust', path));
}

export function nonNegativeInt(values: OptionValues, name: string, fallback: number): number {
  const value = values[name];
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || !/^\d+$/.test(value)) {
    throw usageError(`--${name} takes a whole number, not "${String(value)}"`);
  }
  const maximum = MAXIMUM[name] ?? Number.MAX_SAFE_INTEGER;
  if (Number(value) > maximum) throw usageError(`--${name} takes at most ${maximum}, not ${value}`);
  return Number(value);
}
