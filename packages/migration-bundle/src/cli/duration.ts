import { UsageError } from './command.js';

const UNIT_MS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `--expires`: a duration from now (`90d`, `12h`, `30m`, `45s`) or an ISO date; milliseconds since the epoch. */
export function parseExpiry(value: string, now = Date.now()): number {
  const duration = /^(\d+)([smhd])$/.exec(value);
  if (duration) return now + Number(duration[1]) * UNIT_MS[duration[2]!]!;
  const date = /^\d{4}-\d{2}-\d{2}/.test(value) ? Date.parse(value) : NaN;
  if (Number.isNaN(date)) {
    throw new UsageError(`--expires takes a duration like 90d, 12h, 30m or 45s, or an ISO date, not '${value}'`);
  }
  if (date <= now) throw new UsageError(`--expires ${value} is already in the past`);
  return date;
}
