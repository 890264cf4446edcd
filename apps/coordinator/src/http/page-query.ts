import { CoordinatorError } from '../store/errors.js';

export interface PageQuery {
  limit: number;
  /** Only items older than this key: the `next` of the previous page. */
  before?: number | undefined;
}

/** `?limit=N&before=KEY`, the paging of the newest-first lists (a device's events, the audit log). */
export function pageQuery(url: string | undefined, sizes: { default: number; max: number }): PageQuery {
  const params = new URL(url ?? '/', 'http://localhost').searchParams;
  for (const key of params.keys()) {
    if (key !== 'limit' && key !== 'before') throw new CoordinatorError('invalid-request', `${key}: unknown query parameter (expected limit, before)`);
  }
  const limit = params.get('limit');
  const before = params.get('before');
  return {
    limit: limit === null ? sizes.default : positiveInteger(limit, 'limit', sizes.max),
    before: before === null ? undefined : positiveInteger(before, 'before', Number.MAX_SAFE_INTEGER),
  };
}

function positiveInteger(text: string, key: string, max: number): number {
  const value = Number(text);
  if (!/^[1-9]\d*$/.test(text) || value > max) throw new CoordinatorError('invalid-request', `${key}: an integer from 1 to ${max}`);
  return value;
}
