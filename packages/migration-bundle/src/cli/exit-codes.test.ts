import { parseArgs } from 'node:util';
import { describe, expect, it } from 'vitest';
import { BUNDLE_ERROR_CODES, BundleError } from '../bundle/errors.js';
import { MigrationError } from '../execute/migration-error.js';
import { UsageError } from './command.js';
import { ExitCode, exitCodeFor } from './exit-codes.js';

function parseError(args: string[]): unknown {
  try {
    parseArgs({ args, options: { out: { type: 'string' } }, strict: true });
  } catch (error) {
    return error;
  }
  throw new Error('expected parseArgs to throw');
}

describe('exitCodeFor', () => {
  it('gives 2 for usage mistakes, including the ones parseArgs reports', () => {
    expect(exitCodeFor(new UsageError('x'))).toBe(ExitCode.usage);
    expect(exitCodeFor(parseError(['--nope']))).toBe(2);
    expect(exitCodeFor(parseError(['--out']))).toBe(2);
    expect(exitCodeFor(parseError(['positional']))).toBe(2);
  });

  it('gives 3 for every way a bundle is refused', () => {
    for (const code of BUNDLE_ERROR_CODES) expect(exitCodeFor(new BundleError(code, 'x'))).toBe(3);
  });

  it('gives 5 for a migration that was rolled back', () => {
    expect(exitCodeFor(new MigrationError('statement-failed', 'x'))).toBe(5);
    expect(exitCodeFor(new MigrationError('foreign-key-violation', 'x'))).toBe(5);
    expect(exitCodeFor(new MigrationError('validation-failed', 'x'))).toBe(5);
  });

  it('gives 1 for anything else', () => {
    expect(exitCodeFor(new Error('x'))).toBe(1);
    expect(exitCodeFor(Object.assign(new Error('x'), { code: 'ENOENT' }))).toBe(1);
    expect(exitCodeFor('a string')).toBe(1);
    expect(exitCodeFor(null)).toBe(1);
    expect(exitCodeFor({ code: 'toString' })).toBe(1);
  });
});
