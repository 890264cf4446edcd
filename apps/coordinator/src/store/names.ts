import { isTopicLevel } from '@godwit/fleet-protocol';
import { CoordinatorError } from './errors.js';

const LABEL_KEY = /^[A-Za-z0-9._/-]{1,63}$/;
const MAX_LABEL_VALUE = 256;

export const DEFAULT_CHANNEL = 'default';

export function deviceId(value: unknown, field = 'id'): string {
  // Device ids and channels become MQTT topic levels: no separators, no wildcards.
  if (typeof value !== 'string' || !isTopicLevel(value)) {
    throw new CoordinatorError('invalid-request', `${field}: 1 to 128 characters of A-Z a-z 0-9 . _ : @ -`);
  }
  return value;
}

export function channelName(value: unknown, field = 'channel'): string {
  return deviceId(value, field);
}

/** Labels and selectors: string keys and values. */
export function labelMap(value: unknown, field: string): Record<string, string> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new CoordinatorError('invalid-request', `${field}: an object of KEY: VALUE strings`);
  }
  const out: Record<string, string> = {};
  for (const [key, v] of Object.entries(value)) {
    if (!LABEL_KEY.test(key)) throw new CoordinatorError('invalid-request', `${field}: bad key ${JSON.stringify(key).slice(0, 80)}`);
    if (typeof v !== 'string' || v.length > MAX_LABEL_VALUE) {
      throw new CoordinatorError('invalid-request', `${field}.${key}: a string of at most ${MAX_LABEL_VALUE} characters`);
    }
    out[key] = v;
  }
  return out;
}

/** `KEY=VALUE` from the command line. */
export function parseLabel(text: string): [string, string] {
  const at = text.indexOf('=');
  if (at <= 0) throw new CoordinatorError('invalid-request', `${text}: expected KEY=VALUE`);
  return [text.slice(0, at), text.slice(at + 1)];
}
