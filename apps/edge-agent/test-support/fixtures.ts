/**
 * Builds what the agent's process-level tests need, by code: keys, migrations folders, signed
 * bundles, seeded databases, and a way to run the built CLI as a real process.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash, type KeyObject } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { buildBundle, createBundle, createGraph, generateKeyPair, loadRevisions, planChain } from '@godwit/migration-bundle';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const AGENT_BIN = join(ROOT, 'apps/edge-agent/bin/edge-agent.js');
export const EXAMPLE_MIGRATIONS = join(ROOT, 'examples/migrations');

export interface Workspace {
  dir: string;
  key: KeyObject;
  pub: string;
  otherKey: KeyObject;
  path(name: string): string;
  cleanup(): void;
}

export function makeWorkspace(prefix = 'agent-test-'): Workspace {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const { privateKey, publicKey } = generateKeyPair();
  const pub = join(dir, 'trusted.pub');
  writeFileSync(pub, publicKey.export({ type: 'spki', format: 'pem' }));
  return {
    dir,
    key: privateKey,
    pub,
    otherKey: generateKeyPair().privateKey,
    path: (name) => join(dir, name),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Copies the example shop migrations, optionally adding or replacing revision files (name → source). */
export function migrationsFolder(ws: Workspace, name: string, extra: Record<string, string> = {}): string {
  const dir = ws.path(name);
  mkdirSync(dir, { recursive: true });
  cpSync(EXAMPLE_MIGRATIONS, dir, { recursive: true });
  for (const [file, source] of Object.entries(extra)) writeFileSync(join(dir, file), source);
  return dir;
}

/** A migrations folder holding only the given revision files (name → source). */
export function writeMigrations(ws: Workspace, name: string, files: Record<string, string>): string {
  const dir = ws.path(name);
  mkdirSync(dir, { recursive: true });
  for (const [file, source] of Object.entries(files)) writeFileSync(join(dir, file), source);
  return dir;
}

export async function bundleFile(
  ws: Workspace,
  out: string,
  migrations: string,
  options: { sequence?: number; key?: KeyObject; expiresAt?: number | null } = {},
): Promise<string> {
  const { bytes } = await buildBundle({
    dir: migrations,
    keys: [options.key ?? ws.key],
    ...(options.sequence !== undefined ? { sequence: options.sequence } : {}),
    expiresAt: options.expiresAt ?? null,
  });
  const path = ws.path(out);
  writeFileSync(path, bytes);
  return path;
}

/** A bundle that was valid once and has since expired (created and expired in the past). */
export async function expiredBundleFile(ws: Workspace, out: string, migrations: string, sequence: number): Promise<string> {
  const revisions = await loadRevisions(migrations);
  const graph = createGraph(revisions);
  const ordered = graph.order().map((id) => revisions.find((r) => r.id === id)!);
  const createdAt = Date.now() - 2 * 86_400_000;
  const { bytes } = createBundle({ revisions: planChain(ordered, graph), keys: [ws.key], sequence, createdAt, expiresAt: createdAt + 86_400_000 });
  const path = ws.path(out);
  writeFileSync(path, bytes);
  return path;
}

export interface AgentRun {
  code: number;
  stdout: string;
  stderr: string;
}

export function agent(args: string[], options: { input?: string } = {}): AgentRun {
  const result = spawnSync(process.execPath, [AGENT_BIN, ...args], { encoding: 'utf8', input: options.input ?? '' });
  return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

export function spawnAgent(args: string[]): ChildProcess {
  return spawn(process.execPath, [AGENT_BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
}

/** `--db --bundle --trust` for a workspace. */
export function target(ws: Workspace, db: string, bundle: string): string[] {
  return ['--db', db, '--bundle', bundle, '--trust', ws.pub];
}

export function sha256File(path: string): string {
  return existsSync(path) ? createHash('sha256').update(readFileSync(path)).digest('hex') : 'absent';
}

/** Fills the shop tables of a database at shop_0001 (or later) with deterministic rows. */
export function seedShop(path: string, orders: number, options: { nullStatusEvery?: number } = {}): void {
  const db = new Database(path);
  const customers = Math.max(10, Math.floor(orders / 20));
  const every = options.nullStatusEvery ?? 7;
  db.transaction(() => {
    db.prepare(
      `WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < ?)
       INSERT INTO customers (name, email, created_at) SELECT 'customer ' || i, 'c' || i || '@example.com', 1700000000 + i FROM s`,
    ).run(customers);
    db.prepare(
      `WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < ?)
       INSERT INTO orders (id, customer_id, status, total_cents, updated_at)
       SELECT i, 1 + i % ?, CASE WHEN i % ? = 0 THEN NULL ELSE 'paid' END, i * 7 % 100000, NULL FROM s`,
    ).run(orders, customers, every);
    db.prepare(`INSERT INTO order_items (order_id, sku, quantity) SELECT id, 'sku-' || (id % 97), 1 + id % 5 FROM orders WHERE id % 2 = 0`).run();
  })();
  db.close();
}

export function setJournalMode(path: string, mode: 'wal' | 'delete'): void {
  const db = new Database(path);
  db.pragma(`journal_mode = ${mode}`);
  db.close();
}

/** Row count and a content hash per table, over the given columns, ordered by rowid. */
export function tableDigest(path: string, table: string, columns: string[]): { rows: number; hash: string } {
  const db = new Database(path, { readonly: true });
  try {
    const hash = createHash('sha256');
    let rows = 0;
    for (const row of db.prepare(`SELECT ${columns.join(', ')} FROM ${table} ORDER BY rowid`).raw().iterate()) {
      hash.update(JSON.stringify(row));
      rows++;
    }
    return { rows, hash: hash.digest('hex') };
  } finally {
    db.close();
  }
}

export function query<T>(path: string, sql: string): T[] {
  const db = new Database(path, { readonly: true });
  try {
    return db.prepare(sql).all() as T[];
  } finally {
    db.close();
  }
}

export function exec(path: string, sql: string): void {
  const db = new Database(path);
  try {
    db.exec(sql);
  } finally {
    db.close();
  }
}

/** A tmpfs of `size` (e.g. '16m') on a new temporary folder; `mounted` is false where this user cannot mount one. */
export function smallDisk(size: string): { dir: string; mounted: boolean; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'agent-small-disk-'));
  let mounted = false;
  if (process.getuid?.() === 0) {
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { stdio: 'ignore' });
      mounted = true;
    } catch {
      mounted = false;
    }
  }
  return {
    dir,
    mounted,
    remove: () => {
      if (mounted) execFileSync('umount', [dir]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
