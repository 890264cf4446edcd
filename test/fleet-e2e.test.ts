/**
 * The fleet end to end (issue 8): `coordinator serve`, a broker and six edge-agent daemons, all real
 * processes on loopback, each daemon on its own seeded SQLite file. Embedded (PGlite + aedes) by
 * default; with DATABASE_URL (CI), a fresh database on that PostgreSQL server and a Mosquitto of the
 * test's own with dynamic security. The cases run in order on one fleet:
 *
 *   dev-0 … dev-5, channel main, label slot=N; dev-4 and dev-5 also ring=slow
 *   dev-3 is stopped before the first publish; dev-4 holds 8× the orders (the 30 s rebuild);
 *   dev-5 is killed mid-rebuild; dev-0 is edited by hand; dev-1 gets a tampered bundle;
 *   dev-2 is upgraded at boot while the coordinator is down.
 */
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { connectAsync } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deviceTopic } from '@godwit/fleet-protocol';
import { exec, sha256File } from '../apps/edge-agent/test-support/fixtures.js';
import {
  SETUP,
  FleetService,
  buildFleetBundles,
  bundleOnHead,
  calibrateBurn,
  createAgents,
  poll,
  slowBundle,
  type Agent,
  type FleetBundles,
  type RowCounts,
} from './fleet-fixtures.js';

const KEEPALIVE_SECONDS = 5;
const SLOW_ORDERS = 2400;
const SLOW_REBUILD_MS = 30_000;

let service: FleetService;
let bundles: FleetBundles;
let agents: Agent[];
let root: string;
let slow: string;
let boot: string;
const rowsBefore = new Map<string, RowCounts>();

const ids = (list: Agent[]) => list.map((a) => a.id);
const byId = (id: string) => agents.find((a) => a.id === id)!;

beforeAll(async () => {
  bundles = await buildFleetBundles();
  root = mkdtempSync(join(tmpdir(), 'godwit-fleet-devices-'));
  service = await FleetService.start(SETUP);
  await service.createTenant('fleet-e2e', bundles.ws.pub);
  // What the devices shipped with: known to the coordinator, so their state is not called drift.
  await service.uploadBundle(bundles.factory);
  agents = await createAgents(service, bundles, root, 6, (i) => ({
    orders: i === 4 ? SLOW_ORDERS : i === 5 ? SLOW_ORDERS / 4 : 300,
    keepaliveSeconds: KEEPALIVE_SECONDS,
    labels: i >= 4 ? { ring: 'slow' } : ({} as Record<string, string>),
    config: { checkIntervalSeconds: 1, onceReportTimeoutMs: 2000 },
  }));
  for (const agent of agents) rowsBefore.set(agent.id, agent.rows());
  slow = await slowBundle(bundles.ws, 'shop_0004', 3, calibrateBurn(SLOW_ORDERS, SLOW_REBUILD_MS));
  boot = await bundleOnHead(bundles.ws, 'shop_0005', 4, 'orders: a note', "op.addColumn('orders', 'note', 'TEXT');", "op.dropColumn('orders', 'note');");
  for (const agent of agents) agent.start();
});

afterAll(async () => {
  await Promise.all((agents ?? []).map((a) => a.kill()));
  await service?.close();
  bundles?.ws.cleanup();
  if (root) rmSync(root, { recursive: true, force: true });
});

function expectRowsKept(list: Agent[]): void {
  for (const agent of list) expect(agent.rows(), agent.id).toEqual(rowsBefore.get(agent.id));
}

describe(`the fleet, end to end (${SETUP})`, () => {
  it('every daemon connects and reports its factory revision; none is drifted', async () => {
    const fleet = await poll(
      'every device online at shop_0001',
      async () => {
        const view = await service.devices();
        return agents.every((a) => view.get(a.id)?.revision === 'shop_0001' && view.get(a.id)?.online) && view;
      },
      60_000,
    );
    for (const agent of agents) expect(fleet.get(agent.id)!.drift, agent.id).toBe(false);
  });

  let rollout = '';
  let firstTargets: string[] = [];
  it('a bundle published to half the fleet takes those devices to head with every row kept; the others stay', async () => {
    // dev-3 is off when the bundle is published.
    expect(await byId('dev-3').stop()).toBe(0);
    const published = await service.json<{ rollout: string; targets: string[] }>(['publish', bundles.head, '--channel', 'main', '--percent', '50']);
    rollout = published.rollout;
    firstTargets = published.targets;
    expect(firstTargets).toHaveLength(3);
    const reached = agents.filter((a) => firstTargets.includes(a.id) && a.id !== 'dev-3');
    const outside = agents.filter((a) => !firstTargets.includes(a.id));
    const fleet = await service.waitForRevision(ids(reached), 'shop_0003');
    for (const agent of reached) expect(agent.inspect()).toEqual({ revision: 'shop_0003', integrity: 'ok' });
    expectRowsKept(reached);
    for (const agent of outside) {
      expect(fleet.get(agent.id)!.revision, agent.id).toBe('shop_0001');
      expect(agent.inspect().revision, agent.id).toBe('shop_0001');
    }
  });

  it('widened to the whole fleet across a broker restart: the daemons reconnect by themselves and every running device reaches head', async () => {
    const running = agents.filter((a) => a.id !== 'dev-3');
    const logMarks = new Map(running.map((a) => [a.id, a.log.length]));
    await service.json(['rollout', 'widen', rollout, '--percent', '100']);
    await service.restartBroker();
    const fleet = await service.waitForRevision(ids(running), 'shop_0003', 90_000);
    // A device already at head before the restart may still be on its way back.
    for (const agent of running) {
      await agent.waitForLog(/^reconnecting/, 60_000, logMarks.get(agent.id));
      await agent.waitForLog(/^connected/, 60_000, logMarks.get(agent.id));
      expect(agent.inspect()).toEqual({ revision: 'shop_0003', integrity: 'ok' });
    }
    expectRowsKept(running);
    await poll('every running device online again', async () => [...(await service.devices()).values()].filter((d) => d.id !== 'dev-3').every((d) => d.online), 30_000);
    expect(fleet.get('dev-3')!.revision).toBe('shop_0001');
  });

  it('a device that was off when the bundle was published gets it when it starts again', async () => {
    const agent = byId('dev-3');
    agent.start();
    await service.waitForRevision(['dev-3'], 'shop_0003');
    expect(agent.inspect()).toEqual({ revision: 'shop_0003', integrity: 'ok' });
    expectRowsKept([agent]);
  });

  it("the coordinator holds each device's migration events exactly once: the same as the device's own apply log", async () => {
    for (const agent of agents) {
      const log = agent.applyLog();
      const events = await poll(
        `${agent.id}'s events`,
        async () => {
          const stored = await service.events(agent.id);
          return stored.length >= log.length && stored;
        },
        20_000,
      );
      const oldestFirst = [...events].reverse();
      expect(oldestFirst.map((e) => ({ to: e.to, outcome: e.outcome, revisions: e.revisions })), agent.id).toEqual(
        log.map((r) => ({ to: r.to, outcome: r.outcome, revisions: r.revisions })),
      );
      expect(new Set(events.map((e) => e.counter)).size).toBe(events.length);
    }
  });

  it('a device killed with SIGKILL mid-rebuild restarts intact and finishes; a 30 s rebuild keeps its broker connection', async () => {
    const victim = byId('dev-5');
    const patient = byId('dev-4');
    const patientMark = patient.log.length;
    const victimMark = victim.log.length;
    const published = await service.json<{ targets: string[] }>(['publish', slow, '--channel', 'main', '--select', 'ring=slow']);
    expect(published.targets.sort()).toEqual(['dev-4', 'dev-5']);

    // Mid-rebuild: the migration's write transaction is open (its rollback journal exists).
    await victim.waitForLog(/^applying/, 60_000, victimMark);
    await poll('dev-5 mid-migration', async () => existsSync(`${victim.db}-journal`), 60_000, 20).catch((error: Error) => {
      throw new Error(`${error.message}; dev-5 logged since the publish:\n${victim.log.slice(victimMark).join('\n')}`);
    });
    await victim.kill();
    const after = victim.inspect();
    expect(after.integrity).toBe('ok');
    expect(['shop_0003', 'shop_0004']).toContain(after.revision);
    expectRowsKept([victim]);
    victim.start();

    // Presence, as the coordinator sees it, all along the slow migration: a connection the broker
    // dropped would show as offline (the embedded broker sees it; Mosquitto publishes the will).
    await patient.waitForLog(/^applying/, 60_000, patientMark);
    const presence: boolean[] = [];
    const watching = (async () => {
      while (!patient.log.slice(patientMark).some((l) => /^(applied|rolled-back|refused)/.test(l))) {
        presence.push((await service.devices()).get('dev-4')!.online);
        await new Promise((r) => setTimeout(r, 500));
      }
    })();
    await service.waitForRevision(['dev-4', 'dev-5'], 'shop_0004', 240_000);
    await watching;
    const during = patient.log.slice(patientMark);
    expect(during.filter((l) => /^(disconnected|reconnecting|connected)/.test(l))).toEqual([]);
    expect(new Set(presence)).toEqual(new Set([presence[0]]));
    // The precondition that makes this meaningful: the migration outlasted the keepalive many times over.
    const [event] = await service.events('dev-4');
    expect(event).toMatchObject({ to: 'shop_0004', outcome: 'applied' });
    expect(event!.durationMs).toBeGreaterThan(3 * KEEPALIVE_SECONDS * 1000);

    for (const agent of [victim, patient]) expect(agent.inspect()).toEqual({ revision: 'shop_0004', integrity: 'ok' });
    expectRowsKept([victim, patient]);
    const victimEvents = (await service.events('dev-5')).filter((e) => e.to === 'shop_0004' && e.outcome === 'applied');
    expect(victimEvents).toHaveLength(1);
  });

  it('a device whose schema was edited by hand shows as drifted, with a diff that names the change', async () => {
    exec(byId('dev-0').db, 'ALTER TABLE customers ADD COLUMN nickname TEXT');
    const drifted = await poll(
      'dev-0 drifted',
      async () => (await service.json<{ id: string; diff: string }[]>(['drift'])).find((d) => d.id === 'dev-0'),
      30_000,
    );
    expect(drifted.diff).toMatch(/nickname/);
    expect((await service.json<{ id: string }[]>(['drift'])).map((d) => d.id)).toEqual(['dev-0']);
  });

  // Only the coordinator itself may publish on a device's bundle topic of the embedded broker;
  // Mosquitto's admin user is such a client from outside.
  it.runIf(SETUP === 'external')('a tampered bundle pushed on the device topic is refused, reported, and the database file stays byte-identical', async () => {
    const agent = byId('dev-1');
    const before = sha256File(agent.db);
    const mark = agent.log.length;
    const bytes = readFileSync(boot);
    bytes[bytes.length >> 1]! ^= 0xff;
    const rogue = await connectAsync(service.brokerAdminUrl!, { clientId: `rogue-${randomBytes(4).toString('hex')}`, protocolVersion: 5, reconnectPeriod: 0 });
    try {
      await rogue.publishAsync(deviceTopic(service.tenantId, 'dev-1', 'bundle'), bytes, { qos: 1 });
    } finally {
      await rogue.endAsync();
    }
    await agent.waitForLog(/^refused/, 30_000, mark);
    const refused = await poll('the refusal at the coordinator', async () => (await service.events('dev-1')).find((e) => e.outcome === 'refused'), 20_000);
    expect(refused.error).toBeTruthy();
    expect(sha256File(agent.db)).toBe(before);
    expect(agent.inspect().revision).toBe('shop_0003');
  });

  it('a newer bundle dropped into the bundles folder upgrades the database at boot with the coordinator down; the daemon later reports it once', async () => {
    const agent = byId('dev-2');
    expect(await agent.stop()).toBe(0);
    await service.stopCoordinator();
    copyFileSync(boot, join(agent.bundles, 'shop_0005.mbundle'));
    const once = agent.once();
    expect(once.code, once.stderr).toBe(0);
    expect(agent.inspect()).toEqual({ revision: 'shop_0005', integrity: 'ok' });
    expectRowsKept([agent]);

    await service.startCoordinator();
    await service.uploadBundle(boot);
    agent.start();
    const fleet = await service.waitForRevision(['dev-2'], 'shop_0005', 60_000);
    expect(fleet.get('dev-2')!.drift).toBe(false);
    const events = await poll('the boot upgrade event', async () => {
      const stored = await service.events('dev-2');
      return stored.some((e) => e.to === 'shop_0005') && stored;
    }, 20_000);
    expect(events.filter((e) => e.to === 'shop_0005')).toEqual([expect.objectContaining({ from: 'shop_0003', outcome: 'applied', revisions: ['shop_0005'] })]);
    // The retained head bundle (sequence 2) still on its topic never takes it back down.
    expect(agent.inspect().revision).toBe('shop_0005');
  });

  it('every daemon stops on SIGTERM with exit 0 and the coordinator shows it offline', async () => {
    const codes = await Promise.all(agents.map((a) => a.stop()));
    expect(codes).toEqual(agents.map(() => 0));
    await poll('every device offline', async () => [...(await service.devices()).values()].every((d) => !d.online), 20_000);
  });
});
