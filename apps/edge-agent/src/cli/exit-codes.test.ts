import { describe, expect, it } from 'vitest';
import { AgentError } from '../errors.js';
import { EXIT_CODES, exitCodeOf } from './exit-codes.js';

describe('exit codes', () => {
  it('map each typed error to the contract\'s code', () => {
    expect(EXIT_CODES).toEqual({
      failed: 1,
      irreversible: 1,
      'no-backup': 1,
      usage: 2,
      'bundle-refused': 3,
      'history-rewritten': 3,
      'unknown-revision': 3,
      drift: 4,
      'rolled-back': 5,
      locked: 6,
      'schema-changed': 6,
      'disk-space': 6,
      integrity: 6,
      'read-only': 6,
    });
    expect(exitCodeOf(new AgentError('drift', 'x'))).toBe(4);
  });

  it('treat parseArgs errors as usage and anything else as 1', () => {
    expect(exitCodeOf(Object.assign(new Error('x'), { code: 'ERR_PARSE_ARGS_UNKNOWN_OPTION' }))).toBe(2);
    expect(exitCodeOf(new Error('boom'))).toBe(1);
    expect(exitCodeOf(Object.assign(new Error('x'), { code: 'SQLITE_ERROR' }))).toBe(1);
  });
});
