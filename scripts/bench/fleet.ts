/**
 * Fleet benchmark (issue 8): a bundle published to N edge-agent daemons (default 100), each a real
 * process on its own seeded SQLite file, against one `coordinator serve` on embedded defaults
 * (PGlite + aedes). Measures, in the same run:
 *
 * - fleet: from `POST /v1/rollouts` until the coordinator shows all N devices at the bundle's head
 *   (each daemon receives the retained bundle, verifies it, backs up, rebuilds orders, reports;
 *   the coordinator stores the reports);
 * - baseline: the same bundle published the same way to N other registered devices whose "agent"
 *   is a bare MQTT subscriber on its own bundle topic: from the publish until all N have it;
 * - idle agents: resident memory (VmRSS) of each daemon, and its CPU time over an idle window.
 *
 *   npx tsx --conditions=source scripts/bench/fleet.ts [--agents 100] [--idle-seconds 10] [--orders 2000]
 *
 * Needs a built edge-agent (npm run build). Bounded: every wait has a deadline; it stops every
 * process it started (by PID) and deletes its folders, also on failure.
 */
import { parseArgs } from 'node:util';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectAsync, type MqttClient } from 'mqtt';
import { deviceTopic } from '@godwit/fleet-protocol';
import { Agent, FleetService, buildFleetBundles, poll, sleep } from '../../test/fleet-fixtures.js';

const { values } = parseArgs({
  options: {
    agents: { type: 'string', default: '100' },
    'idle-seconds': { type: 'string', default: '10' },
    orders: { type: 'string', default: '2000' },
    stagger: { type: 'string', default: '10' },
  },
});
const AGENTS = Number(values.agents);
const IDLE_SECONDS = Number(values['idle-seconds']);
const ORDERS = Number(values.orders);
const STAGGER = Number(values.stagger);
const DEADLINE_MS = 600_000;
const CLOCK_TICKS = 100; // USER_HZ: /proc/PID/stat counts CPU time in ticks of 1/100 s

const pad = (i: number) => String(i).padStart(3, '0');

/** VmRSS in MB, and CPU time (user + system) in seconds, of one process. */
function processUsage(pid: number): { rssMb: number; cpuSeconds: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const rssKb = Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? NaN);
  // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { rssMb: rssKb / 1024, cpuSeconds: (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS };
}

function summary(values: number[]): string {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return `median ${at(0.5).toFixed(1)}, p90 ${at(0.9).toFixed(1)}, max ${sorted.at(-1)!.toFixed(1)}`;
}

async function rolloutTo(service: FleetService, bundleId: string, channel: string): Promise<number> {
  const started = performance.now();
  const res = await fetch(`${service.http}/v1/rollouts`, {
    method: 'POST',
    headers: { authorization: `Bearer ${service.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ bundle: bundleId, channel }),
  });
  if (!res.ok) throw new Error(`rollout on ${channel}: ${res.status} ${await res.text()}`);
  return started;
}

async function uploaded(service: FleetService, file: string): Promise<string> {
  const res = await fetch(`${service.http}/v1/bundles`, {
    method: 'POST',
    headers: { authorization: `Bearer ${service.token}`, 'content-type': 'application/octet-stream' },
    body: readFileSync(file),
  });
  if (!res.ok) throw new Error(`bundle upload: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { id: string }).id;
}

async function devicesAt(service: FleetService, revision: string): Promise<number> {
  const res = await fetch(`${service.http}/v1/devices`, { headers: { authorization: `Bearer ${service.token}` } });
  const devices = (await res.json()) as { id: string; revision: string | null }[];
  return devices.filter((d) => d.id.startsWith('agent-') && d.revision === revision).length;
}

const bundles = await buildFleetBundles('godwit-bench-fleet-');
const root = mkdtempSync(join(tmpdir(), 'godwit-bench-fleet-devices-'));
const service = await FleetService.start('embedded');
const agents: Agent[] = [];
const bare: MqttClient[] = [];
try {
  await service.createTenant('bench', bundles.ws.pub);
  await service.uploadBundle(bundles.factory);

  // One seeded database, copied: every device starts with the same rows.
  const template = new Agent('template', root, { url: service.deviceUrl, username: 'x:template', password: 'x' }, { orders: ORDERS }, bundles.ws.pub);
  template.seed(bundles);
  for (let i = 0; i < AGENTS; i++) {
    const id = `agent-${pad(i)}`;
    const mqtt = await service.register(id, {}, 'fleet');
    // Production defaults for keepalive, reconnect and the schema check: what idles on a device.
    const agent = new Agent(id, root, { url: service.deviceUrl, ...mqtt }, { keepaliveSeconds: 30, config: { reconnect: { baseMs: 1000, capMs: 30_000 } } }, bundles.ws.pub);
    copyFileSync(template.db, agent.db);
    agents.push(agent);
  }
  const rows = template.rows();
  process.stdout.write(`${AGENTS} devices, each ${rows.customers} customers, ${rows.orders} orders, ${rows.order_items} order items\n`);

  const startedAt = performance.now();
  for (let i = 0; i < agents.length; i += STAGGER) {
    const batch = agents.slice(i, i + STAGGER);
    for (const agent of batch) agent.start();
    await Promise.all(batch.map((a) => a.waitForLog(/^connected/, 120_000)));
  }
  await poll('every agent reported shop_0001', async () => (await devicesAt(service, 'shop_0001')) === AGENTS, DEADLINE_MS, 500);
  process.stdout.write(`agents started and reported in ${((performance.now() - startedAt) / 1000).toFixed(1)} s (${STAGGER} at a time)\n`);

  // Idle: after the start-up has settled.
  await sleep(5000);
  const pids = agents.map((a) => a.child!.pid!);
  const before = pids.map(processUsage);
  await sleep(IDLE_SECONDS * 1000);
  const after = pids.map(processUsage);
  const rss = after.map((u) => u.rssMb);
  const cpuPercent = after.map((u, i) => ((u.cpuSeconds - before[i]!.cpuSeconds) / IDLE_SECONDS) * 100);
  const cpuTotal = after.reduce((sum, u, i) => sum + u.cpuSeconds - before[i]!.cpuSeconds, 0);

  // Baseline: the same bundle, the same publish path, to bare subscribers on their own bundle topics.
  const bareArrived: number[] = [];
  for (let i = 0; i < AGENTS; i++) {
    const id = `bare-${pad(i)}`;
    const mqtt = await service.register(id, {}, 'bare');
    const client = await connectAsync(service.deviceUrl, { clientId: mqtt.username, username: mqtt.username, password: mqtt.password, reconnectPeriod: 0 });
    client.on('message', (_topic, payload) => payload.length > 0 && bareArrived.push(performance.now()));
    await client.subscribeAsync(deviceTopic(service.tenantId, id, 'bundle'), { qos: 1 });
    bare.push(client);
  }
  const bundleId = await uploaded(service, bundles.head);
  const bareStarted = await rolloutTo(service, bundleId, 'bare');
  await poll('every bare subscriber got the bundle', async () => bareArrived.length >= AGENTS, DEADLINE_MS, 10);
  const baselineMs = Math.max(...bareArrived) - bareStarted;

  const fleetStarted = await rolloutTo(service, bundleId, 'fleet');
  await poll('every agent at shop_0003', async () => (await devicesAt(service, 'shop_0003')) === AGENTS, DEADLINE_MS, 100);
  const fleetMs = performance.now() - fleetStarted;

  process.stdout.write(
    [
      `publish -> all ${AGENTS} agents at head at the coordinator: ${(fleetMs / 1000).toFixed(2)} s`,
      `publish -> all ${AGENTS} bare subscribers have the bundle (baseline): ${(baselineMs / 1000).toFixed(2)} s`,
      `ratio: ${(fleetMs / baselineMs).toFixed(1)}x`,
      `idle agent RSS (MB): ${summary(rss)}`,
      `idle agent CPU over ${IDLE_SECONDS} s (% of one core): ${summary(cpuPercent)}; all ${AGENTS} together ${cpuTotal.toFixed(2)} CPU-s`,
      '',
    ].join('\n'),
  );
} finally {
  await Promise.all(bare.map((c) => c.endAsync(true)));
  // SIGTERM (a daemon exits within 10 s), then SIGKILL for any that did not.
  await Promise.all(agents.map((a) => Promise.race([a.stop(), sleep(15_000).then(() => a.kill())])));
  await service.close();
  bundles.ws.cleanup();
  rmSync(root, { recursive: true, force: true });
}
