/**
 * `edge-agent run --config FILE`, the device daemon, as a real process against a real coordinator
 * (embedded broker; PostgreSQL when DATABASE_URL is set): it applies the newest bundle of its folder
 * at start and reports it, applies a bundle published over MQTT with the rows kept, treats the same
 * delivery again as nothing, and on SIGTERM exits 0 with the device shown offline.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { connectAsync } from 'mqtt';
import { deviceTopic } from '@godwit/fleet-protocol';
import { freePort, startMosquitto, waitFor } from './coordinator-fixtures.js';
import { agent, bundleFile, makeWorkspace, migrationsFolder, seedShop, sha256File, tableDigest, target, writeMigrations, EXAMPLE_MIGRATIONS, type Workspace } from '../apps/edge-agent/test-support/fixtures.js';
import { spawnDaemon, startTestCoordinator, writeDaemonConfig, type LogLine, type TestCoordinator } from './agent-daemon-harness.js';

let ws: Workspace;
let coordinator: TestCoordinator;

/** A migrations folder with the example shop revisions up to the given number (1–3). */
function shopUpTo(ws: Workspace, last: number): string {
  const files = readdirSync(EXAMPLE_MIGRATIONS).filter((f) => Number(f.slice(0, 4)) <= last);
  return writeMigrations(ws, `shop-${last}`, Object.fromEntries(files.map((f) => [f, readFileSync(`${EXAMPLE_MIGRATIONS}/${f}`, 'utf8')])));
}

beforeAll(async () => {
  ws = makeWorkspace('agent-daemon-');
  coordinator = await startTestCoordinator(ws);
});
afterAll(async () => {
  await coordinator?.close();
  ws?.cleanup();
});

describe('edge-agent run (daemon)', () => {
  it('applies at start and reports, applies a published bundle with its rows kept, ignores a second delivery, and exits 0 on SIGTERM shown offline', async () => {
    const mqtt = { url: coordinator.running.mqttUrl, ...(await coordinator.register('dev-1')) };
    const config = writeDaemonConfig(ws, 'dev-1', mqtt);
    // A runtime update shipped this bundle; the operator uploaded it too, so the coordinator knows what it expects.
    const runtime = await bundleFile(ws, 'dev-1-bundles/runtime.mbundle', shopUpTo(ws, 2), { sequence: 1 });
    await coordinator.upload(readFileSync(runtime));
    const db = ws.path('dev-1.db');

    const daemon = spawnDaemon(config);
    await daemon.waitFor('applied', (l) => l.to === 'shop_0002');
    await daemon.waitFor('ready');
    await waitFor('the coordinator to show dev-1 at shop_0002', async () => {
      const device = await coordinator.device('dev-1');
      return device.revision === 'shop_0002' && !device.drift && device.online;
    }, 20_000);

    seedShop(db, 500);
    const before = tableDigest(db, 'orders', ['id', 'customer_id', 'total_cents']);
    const head = await bundleFile(ws, 'shop-3.mbundle', shopUpTo(ws, 3), { sequence: 2 });
    await coordinator.publish(readFileSync(head));
    await daemon.waitFor('applied', (l) => l.to === 'shop_0003');
    expect(tableDigest(db, 'orders', ['id', 'customer_id', 'total_cents'])).toEqual(before);
    const received = readdirSync(ws.path('dev-1-bundles'));
    expect(received.filter((name) => name.startsWith('mqtt-2-'))).toHaveLength(1);
    expect(received.filter((name) => name.startsWith('.'))).toEqual([]);
    await waitFor('the coordinator to show dev-1 at shop_0003', async () => (await coordinator.device('dev-1')).revision === 'shop_0003', 20_000);

    const stopping = Date.now();
    expect(await daemon.stop('SIGTERM')).toEqual({ code: 0, signal: null });
    expect(Date.now() - stopping).toBeLessThan(10_000);
    await waitFor('the coordinator to show dev-1 offline', async () => !(await coordinator.device('dev-1')).online, 10_000);

    // Started again: the bundle in its folder is the one applied, and the retained delivery is the same bytes.
    const digest = sha256File(db);
    const again = spawnDaemon(config);
    await again.waitFor('up-to-date');
    await again.waitFor('bundle-duplicate');
    await again.waitFor('reported');
    expect(again.lines.filter((l) => l.event === 'applied' || l.event === 'applying')).toEqual([]);
    expect(sha256File(db)).toBe(digest);
    const events = await coordinator.events('dev-1');
    expect(events.map((e) => [e.outcome, e.to])).toEqual([['applied', 'shop_0003'], ['applied', 'shop_0002']]);
    // The upgrade's work travels with its event: orders rebuilt with its 500 rows, and its size before and after.
    expect(events[0]).toMatchObject({ rowsCopied: 500, tableSizes: expect.arrayContaining([{ table: 'orders', before: expect.any(Number), after: expect.any(Number) }]) });
    expect((await again.stop('SIGTERM')).code).toBe(0);
    expect(existsSync(ws.path('dev-1.db.godwit-agent'))).toBe(true);
  });

  it('reports once what happened while the broker was away: run --once, an offline upgrade, and an apply killed right after it committed', async () => {
    const credentials = await coordinator.register('dev-2');
    const unreachable = { url: `mqtt://127.0.0.1:${await freePort()}`, ...credentials };
    const offline = writeDaemonConfig(ws, 'dev-2', unreachable, { onceReportTimeoutMs: 1000 });
    const db = ws.path('dev-2.db');
    const first = await bundleFile(ws, 'dev-2-bundles/runtime.mbundle', shopUpTo(ws, 2), { sequence: 1 });
    const fourth = migrationsFolder(ws, 'shop-4', {
      '0004_customer_note.mjs': "export default { id: 'shop_0004', parent: 'shop_0003', message: 'note', up(op) { op.addColumn('customers', 'note', 'TEXT'); } };",
    });
    for (const bytes of [first, await bundleFile(ws, 'shop-3b.mbundle', shopUpTo(ws, 3), { sequence: 2 }), await bundleFile(ws, 'shop-4.mbundle', fourth, { sequence: 3 })]) {
      await coordinator.upload(readFileSync(bytes));
    }

    // The start script's --once, broker unreachable: applied, exit 0, recorded in the outbox.
    const once = agent(['run', '--config', offline, '--once', '--json']);
    expect(once.code, once.stderr).toBe(0);
    expect(JSON.parse(once.stdout)).toMatchObject({ outcome: 'applied', to: 'shop_0002' });
    expect(once.stderr).toMatch(/report-timeout/);
    // A field tech's upgrade: a committed migration the outbox has not imported yet (as after a crash right after COMMIT).
    expect(agent(['upgrade', ...target(ws, db, ws.path('shop-3b.mbundle'))]).code).toBe(0);
    // The daemon applies the runtime's next bundle and is killed before it can report.
    writeFileSync(ws.path('dev-2-bundles/runtime-2.mbundle'), readFileSync(ws.path('shop-4.mbundle')));
    const killed = spawnDaemon(offline);
    await killed.waitFor('applied', (l) => l.to === 'shop_0004');
    expect((await killed.stop('SIGKILL')).signal).toBe('SIGKILL');

    const online = writeDaemonConfig(ws, 'dev-2', { ...unreachable, url: coordinator.running.mqttUrl });
    const daemon = spawnDaemon(online);
    await waitFor('the coordinator to show dev-2 at shop_0004', async () => (await coordinator.device('dev-2')).revision === 'shop_0004', 20_000);
    await daemon.waitFor('acked', () => !existsPending(daemon.lines));
    const expected = [['applied', 'shop_0004'], ['applied', 'shop_0003'], ['applied', 'shop_0002']];
    expect((await coordinator.events('dev-2')).map((e) => [e.outcome, e.to])).toEqual(expected);
    expect((await daemon.stop('SIGTERM')).code).toBe(0);

    // Once more, reachable: nothing new to say, nothing stored twice.
    const again = spawnDaemon(online);
    await again.waitFor('reported');
    expect((await again.stop('SIGTERM')).code).toBe(0);
    expect((await coordinator.events('dev-2')).map((e) => [e.outcome, e.to])).toEqual(expected);
  });

  it('on an external broker: refuses a tampered bundle on its topic (reported, database byte-identical, nothing written) and never downgrades to an older one', async () => {
    const mosquitto = await startMosquitto();
    const external = await startTestCoordinator(ws, { mqttUrl: mosquitto.adminUrl });
    const publisher = await connectAsync(mosquitto.adminUrl, { clientId: 'tamper-test', reconnectPeriod: 0 });
    try {
      const mqtt = { url: `mqtt://127.0.0.1:${mosquitto.port}`, ...(await external.register('dev-3')) };
      const config = writeDaemonConfig(ws, 'dev-3', mqtt);
      const current = await bundleFile(ws, 'dev-3-bundles/runtime.mbundle', shopUpTo(ws, 3), { sequence: 5 });
      await external.upload(readFileSync(current));
      const daemon = spawnDaemon(config);
      await daemon.waitFor('ready');
      await waitFor('the coordinator to show dev-3 at shop_0003', async () => (await external.device('dev-3')).revision === 'shop_0003', 20_000);
      const db = ws.path('dev-3.db');
      const digest = sha256File(db);
      const folder = readdirSync(ws.path('dev-3-bundles'));
      const topic = deviceTopic(external.tenantId, 'dev-3', 'bundle');

      const tampered = Buffer.from(readFileSync(await bundleFile(ws, 'dev-3-next.mbundle', shopUpTo(ws, 3), { sequence: 6 })));
      tampered[tampered.length - 10]! ^= 0xff;
      await publisher.publishAsync(topic, tampered, { qos: 1, retain: true });
      const refused = await daemon.waitFor('refused');
      expect(refused.error).toMatch(/refused/);
      await waitFor('the refusal at the coordinator', async () => (await external.events('dev-3')).some((e) => e.outcome === 'refused'), 20_000);

      const older = readFileSync(await bundleFile(ws, 'dev-3-old.mbundle', shopUpTo(ws, 2), { sequence: 4 }));
      await publisher.publishAsync(topic, older, { qos: 1, retain: true });
      await daemon.waitFor('bundle-stale', (l) => l.sequence === 4);
      await publisher.publishAsync(topic, Buffer.alloc(0), { qos: 1, retain: true });
      await daemon.waitFor('bundle-empty');

      expect(sha256File(db)).toBe(digest);
      expect(readdirSync(ws.path('dev-3-bundles'))).toEqual(folder);
      expect(daemon.lines.filter((l) => l.event === 'applying')).toHaveLength(1);
      expect((await daemon.stop('SIGTERM')).code).toBe(0);
      await waitFor('the coordinator to show dev-3 offline', async () => !(await external.device('dev-3')).online, 10_000);
    } finally {
      await publisher.endAsync();
      await external.close();
      await mosquitto.stop();
    }
  });
});

describe('edge-agent run (daemon) killed outright mid-migration', () => {
  it('its orphaned apply process stops before COMMIT: the database stays at the old revision, intact, and the next start applies it', async () => {
    const credentials = await coordinator.register('dev-4');
    const config = writeDaemonConfig(ws, 'dev-4', { url: `mqtt://127.0.0.1:${await freePort()}`, ...credentials }, { onceReportTimeoutMs: 500 });
    const db = ws.path('dev-4.db');
    expect(agent(['upgrade', ...target(ws, db, await bundleFile(ws, 'dev-4-start.mbundle', shopUpTo(ws, 2), { sequence: 1 }))]).code).toBe(0);
    // Twenty copy chunks: the kill lands while most of the rebuild is still ahead.
    seedShop(db, 1_000_000);
    const before = tableDigest(db, 'orders', ['id', 'customer_id', 'total_cents']);
    await bundleFile(ws, 'dev-4-bundles/runtime.mbundle', shopUpTo(ws, 3), { sequence: 2 });

    const daemon = spawnDaemon(config);
    await daemon.waitFor('progress', (l) => l.table === 'orders', 60_000);
    expect((await daemon.stop('SIGKILL')).signal).toBe('SIGKILL');
    await waitFor('the orphaned apply process to let go of the database', async () => writable(db), 30_000);

    expect(JSON.parse(agent(['current', '--db', db, '--json']).stdout).revision).toBe('shop_0002');
    expect(integrity(db)).toBe('ok');
    const again = spawnDaemon(config);
    await again.waitFor('applied', (l) => l.to === 'shop_0003', 120_000);
    expect(tableDigest(db, 'orders', ['id', 'customer_id', 'total_cents'])).toEqual(before);
    expect((await again.stop('SIGTERM')).code).toBe(0);
  });
});

function writable(path: string): boolean {
  const db = new Database(path, { timeout: 0 });
  try {
    db.exec('BEGIN IMMEDIATE; ROLLBACK');
    return true;
  } catch {
    return false;
  } finally {
    db.close();
  }
}

function integrity(path: string): string {
  const db = new Database(path, { readonly: true });
  try {
    return db.pragma('integrity_check', { simple: true }) as string;
  } finally {
    db.close();
  }
}

/** True until an ack has covered the counter of the last report sent. */
function existsPending(lines: LogLine[]): boolean {
  const reported = lines.filter((l) => l.event === 'reported').at(-1)?.counter as number | undefined;
  const acked = lines.filter((l) => l.event === 'acked').at(-1)?.counter as number | undefined;
  return reported === undefined || acked === undefined || acked < reported;
}
