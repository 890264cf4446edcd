import { CoordinatorError } from '../store/errors.js';

/** Request-body field checks: each names the field and what it must be. */
export function only(body: Record<string, unknown>, allowed: readonly string[]): void {
  for (const key of Object.keys(body)) {
    if (!allowed.includes(key)) throw invalid(`${key}: unknown field (expected ${allowed.join(', ')})`);
  }
}

export function requiredString(body: Record<string, unknown>, key: string, max = 200): string {
  const value = body[key];
  if (typeof value !== 'string' || value.length === 0 || value.length > max) throw invalid(`${key}: a string of 1 to ${max} characters is required`);
  return value;
}

export function percent(value: unknown, key = 'percent'): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || value > 100) throw invalid(`${key}: a number above 0 and at most 100`);
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
