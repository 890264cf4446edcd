import { describe, expect, it } from 'vitest';
import { FIRST_PAGE, queryFromSearch, searchFromQuery } from './device-query-url.ts';

describe("the device table's query in the URL", () => {
  it('round-trips every field, and the first page is the plain URL', () => {
    const query = { search: 'north pump', channel: 'beta', revision: 'none', drift: 'true', online: 'false', rollout: 'failed', sort: 'lastSeen', order: 'desc' as const, limit: 100, offset: 200 };
    expect(queryFromSearch(searchFromQuery(query))).toEqual(query);
    expect(searchFromQuery(FIRST_PAGE)).toBe('');
    expect(searchFromQuery({ ...FIRST_PAGE, channel: 'a&b=c' })).toBe('?channel=a%26b%3Dc');
    expect(queryFromSearch('')).toEqual(FIRST_PAGE);
  });

  it('takes the default for what a hand-edited URL gets wrong', () => {
    expect(queryFromSearch('?limit=0&offset=-5&order=sideways')).toEqual(FIRST_PAGE);
    expect(queryFromSearch('?limit=501&offset=1e3')).toEqual(FIRST_PAGE);
    expect(queryFromSearch('?limit=99999999999999999999')).toEqual(FIRST_PAGE);
    expect(queryFromSearch('?limit=20&offset=40')).toMatchObject({ limit: 20, offset: 40 });
  });
});
