import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { backupDatabase, defaultBackupDir, listBackups } from './backup.js';

const dir = mkdtempSync(join(tmpdir(), 'agent-backup-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('backups', () => {
  it('are consistent copies, listed newest first, pruned to the newest N, and keep WAL mode', async () => {
    const path = join(dir, 'app.db');
    const db = new Database(path);
    db.pragma('journal_mode = WAL');
    db.exec('CREATE TABLE t (n INTEGER)');
    const made: string[] = [];
    for (let n = 1; n <= 4; n++) {
      db.prepare('INSERT INTO t VALUES (?)').run(n);
      made.push(await backupDatabase(db, path, defaultBackupDir(path), 2));
    }
    db.close();
    const kept = listBackups(path, defaultBackupDir(path));
    expect(kept).toEqual([made[3], made[2]]);
    const newest = new Database(kept[0]!, { readonly: true });
    expect(newest.prepare('SELECT count(*) AS n FROM t').get()).toEqual({ n: 4 });
    expect(newest.pragma('journal_mode', { simple: true })).toBe('wal');
    newest.close();
  });

  it('lists nothing for a folder that does not exist', () => {
    expect(listBackups(join(dir, 'x.db'), join(dir, 'nowhere'))).toEqual([]);
  });
});
