import { statfsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { spaceShortfall } from './free-space.js';

describe('free-space estimate', () => {
  const dbPath = join(tmpdir(), 'x.db');
  it('passes a change that fits', () => {
    expect(spaceShortfall({ dbPath, rebuiltBytes: 1024, databaseBytes: 4096, backupDir: join(tmpdir(), 'not-made-yet', 'backups') })).toBeNull();
  });

  it('refuses with disk-space (exit 6) when the rebuilt tables, journal and backup do not fit', () => {
    const fs = statfsSync(tmpdir());
    const free = fs.bavail * fs.bsize;
    expect(spaceShortfall({ dbPath, rebuiltBytes: free / 2, databaseBytes: free / 2, backupDir: tmpdir() })).toEqual(
      expect.objectContaining({ code: 'disk-space', message: expect.stringMatching(/not enough free space/) }),
    );
  });
});
