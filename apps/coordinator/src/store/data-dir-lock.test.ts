import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LOCK_FILE, lockDataDir } from './data-dir-lock.js';

describe('the data folder lock', () => {
  let folder: string;
  beforeEach(() => {
    folder = mkdtempSync(join(tmpdir(), 'godwit-dirlock-'));
  });
  afterEach(() => rmSync(folder, { recursive: true, force: true }));

  it('holds the PID while held, refuses a second claim in the same process, and is gone once released', () => {
    const lock = lockDataDir(folder);
    expect(readFileSync(join(folder, LOCK_FILE), 'utf8')).toBe(`${process.pid}\n`);
    expect(() => lockDataDir(folder)).toThrow(`data folder ${folder} is in use by another coordinator (pid ${process.pid})`);
    lock.release();
    expect(existsSync(join(folder, LOCK_FILE))).toBe(false);
    lockDataDir(folder).release();
  });

  it('refuses while the owning process lives, and takes over once it is gone', async () => {
    const owner = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)'], { stdio: 'ignore' });
    try {
      writeFileSync(join(folder, LOCK_FILE), `${owner.pid}\n`);
      expect(() => lockDataDir(folder)).toThrow(new RegExp(`in use by another coordinator \\(pid ${owner.pid}\\)`));
    } finally {
      const exited = new Promise((resolve) => owner.once('exit', resolve));
      owner.kill('SIGKILL');
      await exited;
    }
    const lock = lockDataDir(folder);
    expect(readFileSync(join(folder, LOCK_FILE), 'utf8')).toBe(`${process.pid}\n`);
    lock.release();
  });

  it('takes over a lock file that holds no PID, or the PID of a finished process', () => {
    const dead = spawnSync(process.execPath, ['-e', '']).pid!;
    for (const text of ['', 'garbage\n', `${dead}\n`]) {
      writeFileSync(join(folder, LOCK_FILE), text);
      lockDataDir(folder).release();
    }
  });
});
