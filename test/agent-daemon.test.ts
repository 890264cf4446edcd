/**
 * `edge-agent run --config FILE`, the device daemon, as a real process against a real coordinator
 * (embedded broker; PostgreSQL when DATABASE_URL is set): it applies the newest bundle of its folder
 * at start and reports it, applies a bundle published over MQTT with the rows kept, treats the same
 * delivery again as nothing, and on SIGTERM exits 0 with the device shown offline.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from './coordinator-fixtures.js';
import { bundleFile, makeWorkspace, seedShop, sha256File, tableDigest, writeMigrations, EXAMPLE_MIGRATIONS, type Workspace } from '../apps/edge-agent/test-support/fixtures.js';
import { spawnDaemon, startTestCoordinator, writeDaemonConfig, type TestCoordinator } from './agent-daemon-harness.js';

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
    expect((await again.stop('SIGTERM')).code).toBe(0);
    expect(existsSync(ws.path('dev-1.db.godwit-agent'))).toBe(true);
  });
});
