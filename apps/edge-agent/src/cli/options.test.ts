import { describe, expect, it } from 'vitest';
import { optionalString, requireString, requireTrust } from './options.js';

// An operating system cannot pass these in argv: this proves the check for callers of main() and
// the config path, which reach the same functions.
describe('path options', () => {
  it.each([
    ['a NUL byte', 'app\0.db'],
    ['a lone surrogate', 'app\ud800.db'],
    ['bytes that are not valid UTF-8', 'app\ufffd.db'],
  ])('refuse %s as a usage error that does not echo the path', (problem, path) => {
    const refusal = expect.objectContaining({ code: 'usage', message: expect.stringMatching(new RegExp(`^--db holds ${problem}.*; pass the path as UTF-8 text$`)) });
    expect(() => requireString({ db: path }, 'db', 'upgrade')).toThrow(refusal);
    expect(() => optionalString({ 'backup-dir': path }, 'backup-dir')).toThrow(expect.objectContaining({ code: 'usage' }));
    expect(() => requireTrust({ trust: ['ok.pub', path] }, 'upgrade')).toThrow(expect.objectContaining({ code: 'usage' }));
  });

  it('accept any other Unicode path', () => {
    expect(requireString({ db: 'données/😀.db' }, 'db', 'upgrade')).toBe('données/😀.db');
  });
});
