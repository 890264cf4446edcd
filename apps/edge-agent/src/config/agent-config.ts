import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { usageError } from '../errors.js';

/** The device agent's configuration file (`edge-agent run --config FILE`). Paths are relative to the file. */
export interface AgentConfig {
  db: string;
  trust: string[];
  bundles: string;
  mqtt: { url: string; username: string; password: string };
  backupDir?: string;
  keepBackups?: number;
  lockTimeoutMs?: number;
}

const REQUIRED = ['db', 'trust', 'bundles', 'mqtt'] as const;
const OPTIONAL = ['backupDir', 'keepBackups', 'lockTimeoutMs'] as const;
const MQTT_KEYS = ['url', 'username', 'password'] as const;

/** Reads and validates the config: an unknown or missing key is a usage error naming it. */
export function readAgentConfig(path: string): AgentConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw usageError(`cannot read config ${path} (${reason}); pass a JSON file with ${REQUIRED.join(', ')}`);
  }
  const config = object(raw, path, '');
  checkKeys(config, REQUIRED, OPTIONAL, path, '');
  const mqtt = object(config.mqtt, path, 'mqtt');
  checkKeys(mqtt, MQTT_KEYS, [], path, 'mqtt.');
  const base = dirname(resolve(path));
  const trust = config.trust;
  if (!Array.isArray(trust) || trust.length === 0 || !trust.every((t) => typeof t === 'string')) {
    throw usageError(`config ${path}: "trust" must be a non-empty array of public key file paths`);
  }
  return {
    db: resolve(base, string(config.db, path, 'db')),
    trust: trust.map((t: string) => resolve(base, t)),
    bundles: resolve(base, string(config.bundles, path, 'bundles')),
    mqtt: {
      url: string(mqtt.url, path, 'mqtt.url'),
      username: string(mqtt.username, path, 'mqtt.username'),
      password: string(mqtt.password, path, 'mqtt.password'),
    },
    ...(config.backupDir === undefined ? {} : { backupDir: resolve(base, string(config.backupDir, path, 'backupDir')) }),
    ...(config.keepBackups === undefined ? {} : { keepBackups: count(config.keepBackups, path, 'keepBackups') }),
    ...(config.lockTimeoutMs === undefined ? {} : { lockTimeoutMs: count(config.lockTimeoutMs, path, 'lockTimeoutMs') }),
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
  return value;
}

function count(value: unknown, path: string, key: string): number {
  if (!Number.isInteger(value) || (value as number) < 0) throw usageError(`config ${path}: "${key}" must be a whole number`);
  return value as number;
}
