import { basename, dirname, join } from 'node:path';
import { DEFAULT_MAX_BUNDLE_BYTES } from '@godwit/migration-bundle/device';
import type { AgentConfig } from '../config/agent-config.js';
import { defaultBackupDir } from '../db/backup.js';
import { usageError } from '../errors.js';
import { DEFAULT_KEEP_BACKUPS, DEFAULT_LOCK_TIMEOUT_MS } from '../cli/options.js';
import type { Backoff } from './backoff.js';

/** Defaults of the daemon's optional config keys (docs/edge-agent.md, "Daemon"). */
export const DAEMON_DEFAULTS = Object.freeze({
  reconnect: Object.freeze({ baseMs: 1000, capMs: 30_000 }),
  keepaliveSeconds: 30,
  onceReportTimeoutMs: 5000,
  checkIntervalSeconds: 300,
  /** Send the report again when the coordinator has not confirmed it within this time. */
  ackTimeoutMs: 3000,
});

/** The smallest reconnect base: a refused connection must never turn into a tight retry loop. */
const MIN_RECONNECT_BASE_MS = 100;

/** Everything the daemon and `run --once` need, defaults applied: a frozen copy. */
export interface DaemonSettings {
  db: string;
  trust: readonly string[];
  bundles: string;
  /** The agent's own bookkeeping file (outbox, counters), beside the database or in stateDir. */
  sidecar: string;
  backup: { dir: string; keep: number };
  lockTimeoutMs: number;
  mqtt: { url: string; username: string; password: string; ca: string | null; keepaliveSeconds: number };
  reconnect: Backoff;
  ackTimeoutMs: number;
  onceReportTimeoutMs: number;
  /** How often the live schema is compared with the last reported state (hand edits); 0: never. */
  checkIntervalMs: number;
  maxBundleBytes: number;
}

export function daemonSettings(config: AgentConfig, configPath: string): DaemonSettings {
  const reconnect = { ...DAEMON_DEFAULTS.reconnect, ...config.reconnect };
  if (reconnect.baseMs < MIN_RECONNECT_BASE_MS) throw usageError(`config ${configPath}: "reconnect.baseMs" must be at least ${MIN_RECONNECT_BASE_MS}`);
  if (reconnect.capMs < reconnect.baseMs) throw usageError(`config ${configPath}: "reconnect.capMs" must be at least "reconnect.baseMs" (${reconnect.baseMs})`);
  return Object.freeze({
    db: config.db,
    trust: Object.freeze([...config.trust]),
    bundles: config.bundles,
    sidecar: sidecarPath(config.db, config.stateDir),
    backup: { dir: config.backupDir ?? defaultBackupDir(config.db), keep: config.keepBackups ?? DEFAULT_KEEP_BACKUPS },
    lockTimeoutMs: config.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS,
    mqtt: {
      url: config.mqtt.url,
      username: config.mqtt.username,
      password: config.mqtt.password,
      ca: config.mqtt.ca ?? null,
      keepaliveSeconds: config.mqtt.keepaliveSeconds ?? DAEMON_DEFAULTS.keepaliveSeconds,
    },
    reconnect,
    ackTimeoutMs: DAEMON_DEFAULTS.ackTimeoutMs,
    onceReportTimeoutMs: config.onceReportTimeoutMs ?? DAEMON_DEFAULTS.onceReportTimeoutMs,
    checkIntervalMs: (config.checkIntervalSeconds ?? DAEMON_DEFAULTS.checkIntervalSeconds) * 1000,
    maxBundleBytes: DEFAULT_MAX_BUNDLE_BYTES,
  });
}

/** `<db>.godwit-agent` beside the database, or under stateDir: never inside the application's database. */
export function sidecarPath(db: string, stateDir: string | undefined): string {
  return join(stateDir ?? dirname(db), `${basename(db)}.godwit-agent`);
}
