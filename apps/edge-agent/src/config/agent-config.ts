import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { usageError } from '../errors.js';
import { MAX_LOCK_TIMEOUT_MS } from '../db/write-lock.js';
import { textProblem } from './text-value.js';

/** The device agent's configuration file (`edge-agent run --config FILE`). Paths are relative to the file. */
export interface AgentConfig {
  db: string;
  trust: string[];
  bundles: string;
  mqtt: { url: string; username: string; password: string; ca?: string; keepaliveSeconds?: number };
  backupDir?: string;
  keepBackups?: number;
  lockTimeoutMs?: number;
  /** The daemon's keys (docs/edge-agent.md, "Daemon"); defaults in daemon/daemon-settings.ts. */
  reconnect?: { baseMs?: number; capMs?: number };
  onceReportTimeoutMs?: number;
  stateDir?: string;
  checkIntervalSeconds?: number;
}

const REQUIRED = ['db', 'trust', 'bundles', 'mqtt'] as const;
const OPTIONAL = ['backupDir', 'keepBackups', 'lockTimeoutMs', 'reconnect', 'onceReportTimeoutMs', 'stateDir', 'checkIntervalSeconds'] as const;
const MQTT_KEYS = ['url', 'username', 'password'] as const;
const MQTT_OPTIONAL = ['ca', 'keepaliveSeconds'] as const;
const RECONNECT_KEYS = ['baseMs', 'capMs'] as const;

/** Reads and validates the config: an unknown or missing key is a usage error naming it. */
export function readAgentConfig(path: string): AgentConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(readFileSync(path)));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ERR_ENCODING_INVALID_ENCODED_DATA' ? 'not valid UTF-8' : (code ?? (error as Error).message);
    throw usageError(`cannot read config ${path} (${reason}); pass a JSON file with ${REQUIRED.join(', ')}`);
  }
  const config = object(raw, path, '');
  checkKeys(config, REQUIRED, OPTIONAL, path, '');
  const mqtt = object(config.mqtt, path, 'mqtt');
  checkKeys(mqtt, MQTT_KEYS, MQTT_OPTIONAL, path, 'mqtt.');
  const reconnect = config.reconnect === undefined ? undefined : object(config.reconnect, path, 'reconnect');
  if (reconnect) checkKeys(reconnect, [], RECONNECT_KEYS, path, 'reconnect.');
  const base = dirname(resolve(path));
  const trust = config.trust;
  if (!Array.isArray(trust) || trust.length === 0 || !trust.every((t) => typeof t === 'string')) {
    throw usageError(`config ${path}: "trust" must be a non-empty array of public key file paths`);
  }
  return {
    db: resolve(base, string(config.db, path, 'db')),
    trust: trust.map((t: string, i) => resolve(base, string(t, path, `trust[${i}]`))),
    bundles: resolve(base, string(config.bundles, path, 'bundles')),
    mqtt: {
      url: string(mqtt.url, path, 'mqtt.url'),
      username: string(mqtt.username, path, 'mqtt.username'),
      password: string(mqtt.password, path, 'mqtt.password'),
      ...(mqtt.ca === undefined ? {} : { ca: resolve(base, string(mqtt.ca, path, 'mqtt.ca')) }),
      ...(mqtt.keepaliveSeconds === undefined ? {} : { keepaliveSeconds: count(mqtt.keepaliveSeconds, path, 'mqtt.keepaliveSeconds', 65_535) }),
    },
    ...(config.backupDir === undefined ? {} : { backupDir: resolve(base, string(config.backupDir, path, 'backupDir')) }),
    ...(config.keepBackups === undefined ? {} : { keepBackups: count(config.keepBackups, path, 'keepBackups') }),
    ...(config.lockTimeoutMs === undefined ? {} : { lockTimeoutMs: count(config.lockTimeoutMs, path, 'lockTimeoutMs', MAX_LOCK_TIMEOUT_MS) }),
    ...(reconnect === undefined
      ? {}
      : {
          reconnect: {
            ...(reconnect.baseMs === undefined ? {} : { baseMs: count(reconnect.baseMs, path, 'reconnect.baseMs', 600_000) }),
            ...(reconnect.capMs === undefined ? {} : { capMs: count(reconnect.capMs, path, 'reconnect.capMs', 600_000) }),
          },
        }),
    ...(config.onceReportTimeoutMs === undefined ? {} : { onceReportTimeoutMs: count(config.onceReportTimeoutMs, path, 'onceReportTimeoutMs', 60_000) }),
    ...(config.stateDir === undefined ? {} : { stateDir: resolve(base, string(config.stateDir, path, 'stateDir')) }),
    ...(config.checkIntervalSeconds === undefined ? {} : { checkIntervalSeconds: count(config.checkIntervalSeconds, path, 'checkIntervalSeconds', 86_400) }),
  };
}

function checkKeys(value: Record<string, unknown>, required: readonly string[], optional: readonly string[], path: string, prefix: string): void {
  for (const key of Object.keys(value)) {
    if (!required.includes(key) && !optional.includes(key)) {
      throw usageError(`config ${path}: unknown key "${prefix}${key}"; allowed: ${[...required, ...optional].map((k) => prefix + k).join(', ')}`);
    }
  }
  for (const key of required) {
    if (!(key in value)) throw usageError(`config ${path}: missing key "${prefix}${key}"`);
  }
}

function object(value: unknown, path: string, key: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw usageError(`config ${path}: ${key ? `"${key}"` : 'the file'} must be a JSON object`);
  }
  return value as Record<string, unknown>;
}

function string(value: unknown, path: string, key: string): string {
  if (typeof value !== 'string' || value === '') throw usageError(`config ${path}: "${key}" must be a non-empty string`);
  const problem = textProblem(value);
  if (problem !== null) throw usageError(`config ${path}: "${key}" holds ${problem}`);
  return value;
}

function count(value: unknown, path: string, key: string, maximum = Number.MAX_SAFE_INTEGER): number {
  if (!Number.isInteger(value) || (value as number) < 0) throw usageError(`config ${path}: "${key}" must be a whole number`);
  if ((value as number) > maximum) throw usageError(`config ${path}: "${key}" must be at most ${maximum}`);
  return value as number;
}
