/**
 * Reconnect-storm benchmark (issue 4): N simulated devices (default 5,000), at most 100 connecting
 * at once, each connect, subscribe to its ack topic, report one state and disconnect. Per run:
 * the time until all N distinct device rows carry the run's counter in the store, against the time
 * until the same N messages reached a bare subscriber on the same broker, in the same run.
 * Setups: embedded (aedes + PGlite, in a coordinator process) and external (Mosquitto + the
 * PostgreSQL server, one coordinator replica).
 *
 *   npx tsx --conditions=source scripts/bench/storm.ts [--devices 5000] [--runs 5] [--setup embedded|external|both]
 *
 * Devices are inserted in bulk with one shared secret: registering 5,000 one by one costs 5,000
 * scrypt hashes (~100 ms each here). Mosquitto authenticates them by a password file and ACL file
 * (dynamic security takes minutes to take in 5,000 clients; docs/mqtt.md). The first run of each setup is a warm-up whose devices meet a
 * cold credential cache (one scrypt verification each); it is printed apart, not in the medians.
 */
import { parseArgs } from 'node:util';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectAsync, type MqttClient } from 'mqtt';
import { coordinator as t } from '@godwit/schema';
import { openStore, type Store, hashSecret } from '@godwit/coordinator';
import { SimulatedDevice } from '@godwit/fleet-protocol/simulated-device';
import { ROOT } from '@godwit/fleet-protocol';
import { freshDatabase, spawnCoordinator, startMosquitto, type CoordinatorProcess } from '../../test/coordinator-fixtures.js';

const { values } = parseArgs({
  options: {
    devices: { type: 'string', default: '5000' },
    runs: { type: 'string', default: '5' },
    concurrency: { type: 'string', default: '100' },
    setup: { type: 'string', default: 'both' },
  },
});
const DEVICES = Number(values.devices);
const RUNS = Number(values.runs);
const CONCURRENCY = Number(values.concurrency);
const RUN_TIMEOUT_MS = 300_000;
const SECRET = 'storm-bench-shared-secret';

interface RunResult {
  storedMs: number;
  bareMs: number;
  tailMs: number;
  ratio: number;
}

interface Setup {
  name: string;
  coordinator: CoordinatorProcess;
  brokerUrl: string;
  /** A user the broker lets subscribe to every device's state topic. */
  bareUrl: string;
  tenantId: string;
  brokerPid: number | null;
  close(): Promise<void>;
}

// Bench devices are inserted directly, so any unique username will do. Not the store's
// `<tenant>:<device>`: a Mosquitto password file cannot hold a username with a colon.
const usernameOf = (tenantId: string, deviceId: string) => `${tenantId}.${deviceId}`;

async function insertDevices(store: Store, tenantId: string): Promise<string[]> {
  const secretHash = await hashSecret(SECRET);
  const ids = Array.from({ length: DEVICES }, (_, i) => `storm-${String(i).padStart(5, '0')}`);
  for (let i = 0; i < ids.length; i += 1000) {
    const chunk = ids.slice(i, i + 1000);
    await store.db.insert(t.devices).values(
      chunk.map((id) => ({ tenantId, id, channel: 'main', labels: {}, mqttUsername: usernameOf(tenantId, id), secretHash })),
    );
    await store.db.insert(t.deviceState).values(chunk.map((id) => ({ tenantId, deviceId: id })));
  }
  return ids;
}

async function embedded(): Promise<Setup> {
  const dataDir = mkdtempSync(join(tmpdir(), 'godwit-storm-'));
  const store = await openStore({ dataDir });
  const tenantId = (await store.tenants.create('storm')).id;
  await insertDevices(store, tenantId);
  await store.close();
  const coordinator = await spawnCoordinator(['--data-dir', dataDir, '--mqtt-port', '0']);
  const { username, password } = coordinator.info.credential!;
  const url = new URL(coordinator.info.mqtt);
  url.username = username;
  url.password = password;
  return {
    name: 'embedded (aedes + PGlite)',
    coordinator,
    brokerUrl: coordinator.info.mqtt,
    bareUrl: url.toString(),
    tenantId,
    brokerPid: null,
    async close() {
      await coordinator.kill('SIGTERM');
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function external(): Promise<Setup> {
  const database = await freshDatabase();
  const store = await openStore({ databaseUrl: database.url, dataDir: 'memory://' });
  const tenantId = (await store.tenants.create('storm')).id;
  const ids = await insertDevices(store, tenantId);
  await store.close();
  const mosquitto = await startMosquitto(ids.map((deviceId) => ({ tenantId, deviceId, username: usernameOf(tenantId, deviceId), password: SECRET })));
  const coordinator = await spawnCoordinator(['--database-url', database.url, '--mqtt-url', mosquitto.adminUrl]);
  return {
    name: 'external (Mosquitto + PostgreSQL)',
    coordinator,
    brokerUrl: `mqtt://127.0.0.1:${mosquitto.port}`,
    bareUrl: mosquitto.adminUrl,
    tenantId,
    brokerPid: mosquitto.pid,
    async close() {
      await coordinator.kill('SIGTERM');
      await mosquitto.stop();
      await database.drop();
    },
  };
}

/** One device's life in a run: connect, report counter `run`, disconnect once the broker has it. */
async function reportOnce(setup: Setup, deviceId: string, run: number): Promise<void> {
  const device = new SimulatedDevice({
    url: setup.brokerUrl,
    tenantId: setup.tenantId,
    deviceId,
    username: usernameOf(setup.tenantId, deviceId),
    password: SECRET,
    reconnectPeriod: 0,
    confirmedCounter: run - 1,
  });
  device.setState({ revision: 'storm_rev', fingerprint: 'f'.repeat(64), bundleSequence: run });
  await device.connect();
  await device.close();
}

async function pool(items: string[], limit: number, work: (item: string) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
}

async function run(setup: Setup, bare: MqttClient, run: number): Promise<RunResult> {
  const ids = Array.from({ length: DEVICES }, (_, i) => `storm-${String(i).padStart(5, '0')}`);
  const arrived = new Set<string>();
  let bareAt = 0;
  const onMessage = (topic: string) => {
    if (arrived.has(topic)) return;
    arrived.add(topic);
    if (arrived.size === DEVICES) bareAt = performance.now();
  };
  bare.on('message', onMessage);
  const started = performance.now();
  const deadline = started + RUN_TIMEOUT_MS;
  let failure: unknown = null;
  const devices = pool(ids, CONCURRENCY, (id) => reportOnce(setup, id, run)).catch((error: unknown) => {
    failure = error;
  });
  let storedAt = 0;
  while (storedAt === 0) {
    if (failure) throw failure;
    if (performance.now() > deadline) throw new Error(`run ${run}: not all ${DEVICES} rows stored within ${RUN_TIMEOUT_MS} ms`);
    const count = await setup.coordinator.count(setup.tenantId, run);
    if (count === DEVICES) storedAt = performance.now();
    else await new Promise((r) => setTimeout(r, 20));
  }
  await devices;
  if (failure) throw failure;
  while (bareAt === 0) {
    if (performance.now() > deadline) throw new Error(`run ${run}: the bare subscriber got ${arrived.size} of ${DEVICES}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  bare.off('message', onMessage);
  const storedMs = storedAt - started;
  const bareMs = bareAt - started;
  return { storedMs, bareMs, tailMs: storedAt - bareAt, ratio: storedMs / bareMs };
}

function peakRssMb(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmHWM:'))!;
  return Math.round(Number(line.split(/\s+/)[1]) / 1024);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

async function bench(open: () => Promise<Setup>): Promise<void> {
  const setup = await open();
  try {
    const bare = await connectAsync(setup.bareUrl, { reconnectPeriod: 0 });
    await bare.subscribeAsync(`${ROOT}/${setup.tenantId}/devices/+/state`, { qos: 1 });
    const results: RunResult[] = [];
    for (let r = 1; r <= RUNS + 1; r++) {
      const result = await run(setup, bare, r);
      const label = r === 1 ? 'warm-up (cold credential cache)' : `run ${r - 1}`;
      console.log(
        `${setup.name} ${label}: stored ${result.storedMs.toFixed(0)} ms, bare ${result.bareMs.toFixed(0)} ms, tail ${result.tailMs.toFixed(0)} ms, ratio ${result.ratio.toFixed(2)}`,
      );
      if (r > 1) results.push(result);
      await new Promise((res) => setTimeout(res, 1000));
    }
    await bare.endAsync();
    const stats = await setup.coordinator.stats();
    console.log(
      JSON.stringify({
        setup: setup.name,
        devices: DEVICES,
        runs: RUNS,
        medianStoredMs: Math.round(median(results.map((x) => x.storedMs))),
        medianBareMs: Math.round(median(results.map((x) => x.bareMs))),
        medianTailMs: Math.round(median(results.map((x) => x.tailMs))),
        medianRatio: Number(median(results.map((x) => x.ratio)).toFixed(2)),
        worstRatio: Number(Math.max(...results.map((x) => x.ratio)).toFixed(2)),
        coordinatorPeakRssMb: peakRssMb(setup.coordinator.info.pid),
        ...(setup.brokerPid !== null && { brokerPeakRssMb: peakRssMb(setup.brokerPid) }),
        batches: stats.batches,
        largestBatch: stats.largestBatch,
        dropped: stats.dropped,
      }),
    );
  } finally {
    await setup.close();
  }
}

if (values.setup === 'embedded' || values.setup === 'both') await bench(embedded);
if (values.setup === 'external' || values.setup === 'both') await bench(external);
process.exit(0);
