import { describe, expect, it } from 'vitest';
import { normalizeSql } from '../sqlite/tokenize.js';
import { readableSql } from './readable-sql.js';

describe('readableSql', () => {
  it.each([
    ['( unixepoch ( ) )', '(unixepoch())'],
    ["kind in ( 'a ( b' , 'c' )", "kind in ('a ( b', 'c')"],
    ['TEXT ( 256 )', 'TEXT(256)'],
    ['lower ( "odd ( name" )', 'lower("odd ( name")'],
    ['quantity between 1 and 1000', 'quantity between 1 and 1000'],
    ['not exists ( select 1 )', 'not exists (select 1)'],
  ])('writes %s as %s, the same tokens', (normalized, readable) => {
    expect(readableSql(normalized)).toBe(readable);
    expect(normalizeSql(readable)).toBe(normalizeSql(normalized));
  });
});
