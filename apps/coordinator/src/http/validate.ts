import { deviceId } from '../store/names.js';
import { CoordinatorError } from '../store/errors.js';

/**
 * The HTTP API's one validation layer: every path parameter, query parameter and JSON body passes
 * through here before a route sees it, so text PostgreSQL cannot store (NUL) or would silently
 * replace (a lone surrogate becomes U+FFFD), and numbers a column cannot hold, are a 400 naming
 * the field rather than a failed query.
 */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const BUNDLE_ID = /^[\x21-\x7e]{1,128}$/;
// With the u flag a paired surrogate is one code point, so this finds unpaired ones only.
const LONE_SURROGATE = /\p{Cs}/u;
const CONTROL = /\p{Cc}/u;
/** `real` columns hold about 7 significant digits; a smaller share than this is not a rollout. */
const MIN_PERCENT = 0.001;
const MAX_DEPTH = 16;

/** Text a column can hold: no NUL, no lone surrogate. */
export function checkText(value: string, field: string): string {
  if (value.includes('\u0000')) throw invalid(`${field}: contains a NUL character`);
  if (LONE_SURROGATE.test(value)) throw invalid(`${field}: contains a lone surrogate (not valid Unicode)`);
  return value;
}

/** Every string in a parsed JSON body, keys included, named by its path (`labels.site`). */
export function checkJsonText(value: unknown, field: string, depth = 0): void {
  // No request nests deeply; a deep one must not exhaust the stack.
  if (depth > MAX_DEPTH) throw invalid(`${field}: nested more than ${MAX_DEPTH} levels deep`);
  if (typeof value === 'string') checkText(value, field);
  else if (Array.isArray(value)) value.forEach((item, i) => checkJsonText(item, `${field}[${i}]`, depth + 1));
  else if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) {
      checkText(key, field ? `${field}: a key` : 'body: a key');
      checkJsonText(item, field ? `${field}.${key}` : key, depth + 1);
    }
  }
}

/**
 * Query parameters, from the raw query string: names and values are text too, and percent-encoding
 * that is not UTF-8 is refused (URLSearchParams would quietly turn it into U+FFFD).
 */
export function checkQuery(search: string): void {
  for (const pair of search.replace(/^\?/, '').split('&')) {
    if (pair === '') continue;
    const at = pair.indexOf('=');
    const key = decodeQuery(at < 0 ? pair : pair.slice(0, at), 'query: a parameter name');
    checkText(key, 'query: a parameter name');
    if (at >= 0) checkText(decodeQuery(pair.slice(at + 1), `query: ${key}`), `query: ${key}`);
  }
}

function decodeQuery(text: string, field: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    throw invalid(`${field}: not percent-encoded UTF-8`);
  }
}

/** Path parameters by the collection they name: `/v1/devices/:id` holds a device id, and so on. */
export function checkPathParams(routePath: string, params: Record<string, string>): void {
  const collection = routePath.split('/')[2];
  for (const [name, value] of Object.entries(params)) {
    checkText(value, name);
    if (collection === 'devices') deviceId(value, name);
    else if (collection === 'bundles' && !BUNDLE_ID.test(value)) throw invalid(`${name}: a bundle id (1 to 128 printable ASCII characters)`);
    else if ((collection === 'rollouts' || collection === 'tokens') && !UUID.test(value)) throw invalid(`${name}: a ${collection.slice(0, -1)} id (a UUID)`);
  }
}

export function checkUuid(value: unknown, field: string): string {
  if (typeof value !== 'string' || !UUID.test(value)) throw invalid(`${field}: a UUID`);
  return value;
}

/** Request-body field checks: each names the field and what it must be. */
export function only(body: Record<string, unknown>, allowed: readonly string[]): void {
  for (const key of Object.keys(body)) {
    if (!allowed.includes(key)) throw invalid(`${key}: unknown field (expected ${allowed.join(', ')})`);
  }
}

export function requiredString(body: Record<string, unknown>, key: string, max = 200): string {
  const value = body[key];
  if (typeof value !== 'string' || value.length === 0 || value.length > max) throw invalid(`${key}: a string of 1 to ${max} characters is required`);
  return checkText(value, key);
}

/** A name people read in listings and terminals: no control characters either. */
export function requiredName(body: Record<string, unknown>, key: string, max: number): string {
  const value = requiredString(body, key, max);
  if (CONTROL.test(value)) throw invalid(`${key}: contains a control character`);
  return value;
}

export function percent(value: unknown, key = 'percent'): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < MIN_PERCENT || value > 100) {
    throw invalid(`${key}: a number above 0 and at most 100 (${MIN_PERCENT} at least)`);
  }
  return value;
}

export function optionalInteger(body: Record<string, unknown>, key: string, min: number, max: number): number | undefined {
  const value = body[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) throw invalid(`${key}: an integer from ${min} to ${max}`);
  return value;
}

export function optionalPercent(body: Record<string, unknown>, key: string): number | undefined {
  return body[key] === undefined ? undefined : percent(body[key], key);
}

function invalid(message: string): CoordinatorError {
  return new CoordinatorError('invalid-request', message);
}
