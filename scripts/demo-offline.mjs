#!/usr/bin/env node
// `npm run demo:offline`: the field tech's offline upgrade, end to end, in a temporary folder.
// Needs only a built checkout (npm run build): no network, no configuration.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const Database = createRequire(join(root, 'package.json'))('better-sqlite3');
const MBUNDLE = join(root, 'packages/migration-bundle/bin/mbundle.js');
const EDGE_AGENT = join(root, 'apps/edge-agent/bin/edge-agent.js');
const MIGRATIONS = join(root, 'examples/migrations');
const CUSTOMERS = 5_000;
const ORDERS = 150_000;

const work = mkdtempSync(join(tmpdir(), 'godwit-demo-'));
const file = (name) => join(work, name);
const say = (text = '') => process.stdout.write(`${text}\n`);

/** Runs one of our CLIs; `show` lets its output (and the progress bar) through to the terminal. */
function run(bin, args, { show = false } = {}) {
  const result = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', stdio: show ? 'inherit' : 'pipe' });
  if (result.status !== 0) {
    process.stderr.write(result.stderr ?? '');
    throw new Error(`${bin.split('/').pop()} ${args[0]} failed with exit code ${result.status}`);
  }
  return result.stdout ?? '';
}

function rowCounts(path) {
  const db = new Database(path, { readonly: true });
  try {
    return Object.fromEntries(['customers', 'orders', 'order_items'].map((t) => [t, db.prepare(`SELECT count(*) AS n FROM ${t}`).get().n]));
  } finally {
    db.close();
  }
}

/** What a rebuild must not lose besides rows: the trigger, the view, the index, the CASCADE. */
function survivors(path) {
  const db = new Database(path, { readonly: true });
  try {
    const names = db.prepare("SELECT type || ' ' || name AS o FROM sqlite_master WHERE name IN ('orders_touch', 'customer_totals', 'orders_by_customer')").all().map((r) => r.o);
    const cascade = db.prepare("SELECT on_delete FROM pragma_foreign_key_list('order_items') WHERE \"table\" = 'orders'").get()?.on_delete;
    const unset = db.prepare('SELECT count(*) AS n FROM orders WHERE status IS NULL').get().n;
    return { names, cascade, unset };
  } finally {
    db.close();
  }
}

function seed(path) {
  const db = new Database(path);
  db.transaction(() => {
    db.prepare(`WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < ?)
      INSERT INTO customers (name, email) SELECT 'Customer ' || i, 'customer' || i || '@example.com' FROM s`).run(CUSTOMERS);
    // One order in ten has no status yet: the upgrade's data migration fills it in.
    db.prepare(`WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < ?)
      INSERT INTO orders (customer_id, status, total_cents) SELECT 1 + i % ?, CASE WHEN i % 10 = 0 THEN NULL ELSE 'paid' END, 100 + i % 9000 FROM s`).run(ORDERS, CUSTOMERS);
    db.prepare(`INSERT INTO order_items (order_id, sku, quantity) SELECT id, 'SKU-' || (id % 500), 1 + id % 3 FROM orders`).run();
    db.prepare(`INSERT INTO order_items (order_id, sku, quantity) SELECT id, 'GIFT-WRAP', 1 FROM orders WHERE id % 4 = 0`).run();
  })();
  db.close();
}

try {
  const key = file('release');
  const bundle = file('shop.mbundle');
  const db = file('shop.db');
  const target = ['--db', db, '--bundle', bundle, '--trust', `${key}.pub`];

  say(`Godwit offline upgrade demo (working in ${work})`);
  say();
  say('1. The publisher makes a signing key and builds a signed bundle from examples/migrations:');
  run(MBUNDLE, ['keygen', '--out', key]);
  run(MBUNDLE, ['build', '--dir', MIGRATIONS, '--key', `${key}.key`, '--out', bundle]);
  for (const line of run(EDGE_AGENT, ['history', '--bundle', bundle, '--trust', `${key}.pub`]).trim().split('\n')) say(`     ${line}`);
  say();
  say('2. A device has been running the first version of the app for a while:');
  run(EDGE_AGENT, ['upgrade', 'shop_0001', ...target, '--no-backup']);
  seed(db);
  const before = rowCounts(db);
  const unsetBefore = survivors(db).unset;
  const from = JSON.parse(run(EDGE_AGENT, ['current', '--db', db, '--json'])).revision;
  say(`     its database is at revision ${from}, with ${before.customers} customers, ${before.orders} orders and ${before.order_items} order items.`);
  say();
  say('3. A field tech with no network upgrades it with the bundle (edge-agent upgrade):');
  say(`     it verifies the signature, checks the schema was not changed by hand, backs the database up,`);
  say(`     then applies the missing revisions in one transaction, rebuilding the orders table.`);
  const started = performance.now();
  run(EDGE_AGENT, ['upgrade', ...target], { show: true });
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  const after = rowCounts(db);
  const to = JSON.parse(run(EDGE_AGENT, ['current', '--db', db, '--json'])).revision;
  say();
  say('4. What happened:');
  say(`     revision before: ${from}`);
  say(`     revision after:  ${to}`);
  for (const table of Object.keys(before)) {
    const kept = after[table] === before[table] ? 'all kept' : `CHANGED: ${after[table]} now`;
    say(`     ${table.padEnd(12)} ${String(before[table]).padStart(7)} rows before, ${kept}`);
  }
  const kept = survivors(db);
  say(`     orders without a status: ${unsetBefore} before, ${kept.unset} after (the upgrade's data migration set them to 'pending')`);
  say(`     kept through the rebuild: ${kept.names.sort().join(', ')}; order_items -> orders ON DELETE ${kept.cascade}`);
  say(`     time taken: ${seconds} s, including the backup in ${db}.backups/`);
  const check = spawnSync(process.execPath, [EDGE_AGENT, 'check', ...target], { encoding: 'utf8' });
  say(`     schema check: ${check.status === 0 ? 'the live schema is exactly what the new revision expects' : `FAILED (${check.stderr.trim()})`}`);
  say();
  say('Try it yourself: the same commands are in docs/edge-agent.md. The demo folder is deleted now.');
  if (check.status !== 0 || Object.keys(before).some((t) => after[t] !== before[t])) process.exitCode = 1;
} catch (error) {
  process.stderr.write(`demo failed: ${error.message}\n`);
  process.exitCode = 1;
} finally {
  rmSync(work, { recursive: true, force: true });
}
