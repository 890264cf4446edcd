import { statfsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkFreeSpace } from './free-space.js';

describe('free-space estimate', () => {
  const dbPath = join(tmpdir(), 'x.db');
  it('passes a change that fits', () => {
    expect(() => checkFreeSpace({ dbPath, rebuiltBytes: 1024, databaseBytes: 4096, backupDir: join(tmpdir(), 'not-made-yet', 'backups') })).not.toThrow();
  });

  it('refuses with disk-space (exit 6) when the rebuilt tables, journal and backup do not fit', () => {
    const fs = statfsSync(tmpdir());
    const free = fs.bavail * fs.bsize;
    expect(() => checkFreeSpace({ dbPath, rebuiltBytes: free / 2, databaseBytes: free / 2, backupDir: tmpdir() })).toThrow(
      expect.objectContaining({ code: 'disk-space', message: expect.stringMatching(/not enough free space/) }),
    );
  });
});
