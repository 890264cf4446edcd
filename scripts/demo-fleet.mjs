#!/usr/bin/env node
// `npm run demo`: the fleet story on embedded defaults, in a temporary folder. A coordinator
// (PGlite + its own MQTT broker), four devices each running the edge-agent daemon on a SQLite
// database with sample data, a signed bundle that rebuilds a table rolled out to half the fleet
// and then to all of it, a hand-edited device showing up as drifted, and the fleet status.
// Needs only a built checkout (npm run build); stops every process it started, by PID.
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const Database = createRequire(join(root, 'package.json'))('better-sqlite3');
const MBUNDLE = join(root, 'packages/migration-bundle/bin/mbundle.js');
const EDGE_AGENT = join(root, 'apps/edge-agent/bin/edge-agent.js');
const COORDINATOR = join(root, 'apps/coordinator/bin/coordinator.js');
const MIGRATIONS = join(root, 'examples/migrations');
const DEVICES = [
  { id: 'pump-1', site: 'north' },
  { id: 'pump-2', site: 'north' },
  { id: 'pump-3', site: 'south' },
  { id: 'pump-4', site: 'south' },
];
const TABLES = ['customers', 'orders', 'order_items'];
const WAIT_MS = 60_000;

const work = mkdtempSync(join(tmpdir(), 'godwit-fleet-demo-'));
const file = (...parts) => join(work, ...parts);
const say = (text = '') => process.stdout.write(`${text}\n`);
const indent = (text) => text.trimEnd().split('\n').map((line) => `     ${line}`).join('\n');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const children = [];
const adminToken = randomBytes(16).toString('hex');
let env = { ...process.env, GODWIT_ADMIN_TOKEN: adminToken };

/** Runs one of our CLIs to its end; throws with its stderr when it fails. */
function run(bin, args) {
  const result = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env });
  if (result.status !== 0) throw new Error(`${bin.split('/').pop()} ${args.slice(0, 2).join(' ')} failed (exit ${result.status}): ${result.stderr.trim()}`);
  return result.stdout;
}
const coordinator = (...args) => run(COORDINATOR, args);
const coordinatorJson = (...args) => JSON.parse(coordinator(...args, '--json'));

/** A long-running child of ours, remembered so that `stopAll` ends it by its PID. */
function start(bin, args, { onLine } = {}) {
  const child = spawn(process.execPath, [bin, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  if (onLine) createInterface({ input: child.stdout }).on('line', onLine);
  else child.stdout.resume();
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const entry = { child, exited, stderr: () => stderr };
  children.push(entry);
  return entry;
}

async function stopAll() {
  // The agents first, the coordinator (started first) last.
  for (const { child, exited } of [...children].reverse()) {
    if (child.exitCode === null && child.signalCode === null) process.kill(child.pid, 'SIGTERM');
    const code = await Promise.race([exited, sleep(12_000).then(() => 'timeout')]);
    if (code === 'timeout') process.kill(child.pid, 'SIGKILL');
  }
}

async function until(what, probe) {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await sleep(300);
  }
}

const fleet = () => new Map(coordinatorJson('devices').map((d) => [d.id, d]));
const atRevision = (ids, revision) => until(`${ids.join(', ')} at ${revision}`, () => {
  const view = fleet();
  return ids.every((id) => view.get(id)?.revision === revision && view.get(id)?.online) && view;
});

function rowCounts(path) {
  const db = new Database(path, { readonly: true });
  try {
    return Object.fromEntries(TABLES.map((t) => [t, db.prepare(`SELECT count(*) AS n FROM ${t}`).get().n]));
  } finally {
    db.close();
  }
}

/** Sample data: customers, their orders (one in ten without a status yet) and the orders' items. */
function seed(path, n) {
  const db = new Database(path);
  db.transaction(() => {
    db.prepare(`WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < ?)
      INSERT INTO customers (name, email) SELECT 'Customer ' || i, 'customer' || i || '@example.com' FROM s`).run(n);
    db.prepare(`WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < ?)
      INSERT INTO orders (customer_id, status, total_cents) SELECT 1 + i % ?, CASE WHEN i % 10 = 0 THEN NULL ELSE 'paid' END, 100 + i % 9000 FROM s`).run(n * 10, n);
    db.prepare(`INSERT INTO order_items (order_id, sku, quantity) SELECT id, 'SKU-' || (id % 500), 1 + id % 3 FROM orders`).run();
  })();
  db.close();
}

async function main() {
  say(`Godwit fleet demo (working in ${work})`);
  say();

  say('1. Start the coordinator: embedded PGlite and MQTT broker, free ports.');
  let ready;
  const service = start(COORDINATOR, ['serve', '--data-dir', file('coordinator'), '--http-port', '0', '--mqtt-port', '0', '--json'], {
    onLine: (line) => (ready ??= JSON.parse(line)),
  });
  const { http, mqtt } = await until('the coordinator to start', () => ready ?? (service.child.exitCode !== null && fail(`coordinator exited: ${service.stderr()}`)));
  env = { ...env, GODWIT_SERVER: http };
  say(`     API ${http}, MQTT ${mqtt}`);

  say('2. Create a tenant, make a signing key and trust it.');
  const tenant = coordinatorJson('tenant', 'create', 'demo');
  env = { ...env, GODWIT_TOKEN: tenant.token };
  run(MBUNDLE, ['keygen', '--out', file('release')]);
  coordinator('keys', 'add', file('release.pub'));
  say(`     tenant ${tenant.id}`);

  say('3. Build two signed bundles from examples/migrations: the factory one (shop_0001) and the release (shop_0003, rebuilds orders).');
  const factoryDir = file('factory-migrations');
  mkdirSync(factoryDir);
  copyFileSync(join(MIGRATIONS, '0001_create_shop.mjs'), join(factoryDir, '0001_create_shop.mjs'));
  run(MBUNDLE, ['build', '--dir', factoryDir, '--key', file('release.key'), '--out', file('factory.mbundle'), '--sequence', '1']);
  run(MBUNDLE, ['build', '--dir', MIGRATIONS, '--key', file('release.key'), '--out', file('release.mbundle'), '--sequence', '2']);
  coordinator('bundle', 'upload', file('factory.mbundle'));
  say('     the factory bundle is uploaded (no rollout): the coordinator knows what devices shipped with.');

  say(`4. Register ${DEVICES.length} devices, give each a database at shop_0001 with sample data, start their agent daemons.`);
  const before = new Map();
  for (const [i, device] of DEVICES.entries()) {
    const registered = coordinatorJson('device', 'register', device.id, '--channel', 'main', '--label', `site=${device.site}`);
    const dir = file('devices', device.id);
    mkdirSync(join(dir, 'bundles'), { recursive: true });
    const db = join(dir, 'app.db');
    run(EDGE_AGENT, ['upgrade', '--db', db, '--bundle', file('factory.mbundle'), '--trust', file('release.pub'), '--no-backup']);
    seed(db, 200 * (i + 1));
    before.set(device.id, rowCounts(db));
    writeFileSync(
      join(dir, 'agent.json'),
      JSON.stringify({ db, trust: [file('release.pub')], bundles: join(dir, 'bundles'), mqtt: { url: mqtt, ...registered.mqtt }, checkIntervalSeconds: 1 }, null, 2),
    );
    start(EDGE_AGENT, ['run', '--config', join(dir, 'agent.json')]);
    const rows = before.get(device.id);
    say(`     ${device.id} (site=${device.site}): ${rows.customers} customers, ${rows.orders} orders, ${rows.order_items} order items`);
  }
  const ids = DEVICES.map((d) => d.id);
  await atRevision(ids, 'shop_0001');
  say('     every daemon connected and reported shop_0001.');

  say('5. Publish the release to 50% of the channel.');
  const published = coordinatorJson('publish', file('release.mbundle'), '--channel', 'main', '--percent', '50');
  say(`     rollout ${published.rollout} targets ${published.targets.join(', ')}`);
  const first = await atRevision(published.targets, 'shop_0003');
  for (const id of ids) say(`     ${id}: ${first.get(id).revision}${published.targets.includes(id) ? '' : '  (outside the rollout: unchanged)'}`);

  say('6. Widen the rollout to 100%.');
  coordinator('rollout', 'widen', published.rollout, '--percent', '100');
  await atRevision(ids, 'shop_0003');
  let lost = false;
  for (const id of ids) {
    const rowsBefore = before.get(id);
    const rowsAfter = rowCounts(file('devices', id, 'app.db'));
    const kept = TABLES.every((t) => rowsAfter[t] === rowsBefore[t]);
    lost ||= !kept;
    say(`     ${id}: shop_0003, ${TABLES.map((t) => `${t} ${rowsBefore[t]} -> ${rowsAfter[t]}`).join(', ')}${kept ? '  (every row kept)' : '  ROWS LOST'}`);
  }

  say('7. Someone edits pump-1\'s schema by hand (ALTER TABLE customers ADD COLUMN nickname TEXT).');
  const edited = new Database(file('devices', 'pump-1', 'app.db'));
  edited.exec('ALTER TABLE customers ADD COLUMN nickname TEXT');
  edited.close();
  const drifted = await until('pump-1 to show as drifted', () => coordinatorJson('drift').find((d) => d.id === 'pump-1'));
  say('     coordinator drift:');
  say(indent(`${drifted.id}: ${drifted.diff}`));

  say('8. The fleet as the coordinator sees it (coordinator devices):');
  say(indent(coordinator('devices')));

  say('9. Stop every daemon (SIGTERM) and the coordinator.');
  await stopAll();
  say();
  say(lost ? 'Rows were lost: this is a bug.' : 'Done: the release reached every device with every row kept, and the hand edit shows as drift.');
  if (lost) process.exitCode = 1;
}

function fail(message) {
  throw new Error(message);
}

try {
  await main();
} catch (error) {
  process.stderr.write(`demo failed: ${error.message}\n`);
  process.exitCode = 1;
} finally {
  await stopAll();
  rmSync(work, { recursive: true, force: true });
}
