import type { DeviceQuery } from '../api.ts';

export const FIRST_PAGE: DeviceQuery = { search: '', channel: '', revision: '', drift: '', online: '', rollout: '', sort: 'id', order: 'asc', limit: 50, offset: 0 };

const TEXT_KEYS = ['search', 'channel', 'revision', 'drift', 'online', 'rollout', 'sort'] as const;
/** The coordinator's own bounds (docs/coordinator.md): a hand-edited URL outside them gets the default. */
const MAX_LIMIT = 500;

/** The device table's query from the page URL's query string: what a reload, Back or a shared link restores. */
export function queryFromSearch(search: string): DeviceQuery {
  const params = new URLSearchParams(search);
  const query = { ...FIRST_PAGE };
  for (const key of TEXT_KEYS) query[key] = params.get(key) ?? FIRST_PAGE[key];
  if (params.get('order') === 'desc') query.order = 'desc';
  query.limit = whole(params.get('limit'), 1, MAX_LIMIT) ?? FIRST_PAGE.limit;
  query.offset = whole(params.get('offset'), 0, Number.MAX_SAFE_INTEGER) ?? FIRST_PAGE.offset;
  return query;
}

/** The query string for the page URL: only what differs from the first page, so the plain page stays `/`. */
export function searchFromQuery(query: DeviceQuery): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query) as [keyof DeviceQuery, string | number][]) {
    if (value !== FIRST_PAGE[key]) params.set(key, String(value));
  }
  const text = params.toString();
  return text === '' ? '' : `?${text}`;
}

function whole(text: string | null, min: number, max: number): number | null {
  if (text === null || !/^\d{1,16}$/.test(text)) return null;
  const n = Number(text);
  return n >= min && n <= max ? n : null;
}
