import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { newToken } from './tokens.js';

export const ADMIN_TOKEN_FILE = 'admin-token';

export interface AdminToken {
  token: string;
  /** Set when the token lives in (or was just written to) the data folder. */
  file: string | null;
  generated: boolean;
}

/** The given token, else the one saved in the data folder, else a new one saved there (mode 0600). */
export function resolveAdminToken(given: string | undefined, dataDir: string): AdminToken {
  if (given) return { token: given, file: null, generated: false };
  const file = join(dataDir, ADMIN_TOKEN_FILE);
  try {
    const saved = readFileSync(file, 'utf8').trim();
    if (saved) return { token: saved, file, generated: false };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  mkdirSync(dataDir, { recursive: true });
  const token = newToken('gwa');
  writeFileSync(file, `${token}\n`, { mode: 0o600, flag: 'wx' });
  return { token, file, generated: true };
}
