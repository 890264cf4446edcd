/**
 * What the coordinator tests and the storm bench share: real stores (PGlite, or a fresh database on
 * the PostgreSQL server), coordinator child processes, a Mosquitto of their own, simulated devices.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { pbkdf2Sync, randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import { execFileSync } from 'node:child_process';
import pg from 'pg';
import { sql, type SQL } from 'drizzle-orm';
import { openStore, type Store } from '@godwit/coordinator';
import { SimulatedDevice } from '@godwit/fleet-protocol/simulated-device';
import type { MigrationResult } from '@godwit/fleet-protocol';

export const ROOT = new URL('..', import.meta.url).pathname;
export const SERVER_URL = process.env.GODWIT_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface Registered {
  tenantId: string;
  deviceId: string;
  username: string;
  password: string;
}

/** PGlite in memory, or a fresh database when DATABASE_URL is set (CI). */
export async function openTestStore(dataDir = 'memory://'): Promise<Store> {
  return openStore({ dataDir, databaseUrl: process.env.DATABASE_URL });
}

/** A database of its own on the PostgreSQL server, dropped by `drop`. */
export async function freshDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `godwit_mqtt_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: SERVER_URL });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(SERVER_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: SERVER_URL });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}

/** Raw SQL as the connecting (admin) role: what is really in the tables, past row-level security. */
export async function queryRows<T>(store: Store, query: SQL): Promise<T[]> {
  return ((await store.db.execute(query)) as unknown as { rows: T[] }).rows;
}

/** Per device: its stored state counter and fingerprint, and its stored event counters in order. */
export async function storedView(store: Store, tenantId: string) {
  type StateRow = { device_id: string; counter: string | number | null; fingerprint: string | null; revision: string | null };
  const states = await queryRows<StateRow>(store, sql`select device_id, counter, fingerprint, revision from device_state where tenant_id = ${tenantId}`);
  const events = await queryRows<{ device_id: string; counter: string | number }>(
    store,
    sql`select device_id, counter from migration_events where tenant_id = ${tenantId} order by device_id, counter`,
  );
  const view = new Map<string, { counter: number | null; fingerprint: string | null; revision: string | null; events: number[] }>();
  for (const row of states) {
    view.set(row.device_id, { counter: row.counter === null ? null : Number(row.counter), fingerprint: row.fingerprint, revision: row.revision, events: [] });
  }
  for (const row of events) view.get(row.device_id)!.events.push(Number(row.counter));
  return view;
}

export async function registerDevices(store: Store, tenantId: string, count: number, prefix = 'dev'): Promise<Registered[]> {
  const out: Registered[] = [];
  // scrypt runs in the thread pool: a few at a time keeps all cores busy.
  for (let i = 0; i < count; i += 8) {
    const chunk = Array.from({ length: Math.min(8, count - i) }, (_, k) => `${prefix}-${String(i + k).padStart(5, '0')}`);
    const devices = await Promise.all(chunk.map((id) => store.devices.register(tenantId, { id, channel: 'main', labels: {} })));
    out.push(...devices.map((d) => ({ tenantId, deviceId: d.id, username: d.mqtt.username, password: d.mqtt.password })));
  }
  return out;
}

export function simulate(url: string, device: Registered, resendAfterMs = 2000): SimulatedDevice {
  return new SimulatedDevice({ url, resendAfterMs, ...device });
}

export function result(to: string, outcome: MigrationResult['outcome'] = 'applied'): MigrationResult {
  return { at: Date.now(), from: null, to, revisions: [to], outcome, durationMs: 5 };
}

export function fingerprint(n: number): string {
  return n.toString(16).padStart(64, '0');
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export async function waitFor<T>(what: string, probe: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export interface CoordinatorProcess {
  child: ChildProcess;
  info: { mqtt: string; port: number | null; credential: { username: string; password: string } | null; pid: number };
  stats(): Promise<{ dropped: Record<string, number>; reportsStored: number; batches: number; largestBatch: number }>;
  /** Devices of the tenant whose stored state has reached `counter`. */
  count(tenantId: string, counter: number): Promise<number>;
  kill(signal: NodeJS.Signals): Promise<void>;
}

/** scripts/bench/storm-coordinator.ts (the storm bench's coordinator) as a child process, started and read back. */
export async function spawnCoordinator(args: string[]): Promise<CoordinatorProcess> {
  const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', join(ROOT, 'scripts/bench/storm-coordinator.ts'), ...args], {
    cwd: ROOT,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout! });
  const queue: string[] = [];
  const waiting: { resolve: (line: string) => void; reject: (error: Error) => void }[] = [];
  lines.on('line', (line) => (waiting.length ? waiting.shift()!.resolve(line) : queue.push(line)));
  child.once('exit', (code, signal) => {
    for (const w of waiting.splice(0)) w.reject(new Error(`coordinator process exited (${code ?? signal})`));
  });
  // One answer line per request, in order.
  const next = (timeoutMs: number) =>
    new Promise<string>((resolve, reject) => {
      if (queue.length) return resolve(queue.shift()!);
      if (child.exitCode !== null || child.signalCode !== null) return reject(new Error('coordinator process has exited'));
      const timer = setTimeout(() => reject(new Error('coordinator process did not answer')), timeoutMs);
      waiting.push({
        resolve: (line) => (clearTimeout(timer), resolve(line)),
        reject: (error) => (clearTimeout(timer), reject(error)),
      });
    });
  const info = JSON.parse(await next(60_000));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    child,
    info,
    async stats() {
      child.stdin!.write('stats\n');
      return JSON.parse(await next(10_000));
    },
    async count(tenantId, counter) {
      child.stdin!.write(`count ${tenantId} ${counter}\n`);
      return (JSON.parse(await next(10_000)) as { count: number }).count;
    },
    async kill(signal) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}

export interface ServeProcess {
  child: ChildProcess;
  http: string;
  mqtt: string;
  /** `godwit_ingest_reports_total` from its /metrics. */
  reportsStored(): Promise<number>;
  kill(signal: NodeJS.Signals): Promise<void>;
}

/** What the spawned coordinators accept on /metrics. */
const METRICS_TOKEN = 'fixture-metrics-token';

/** The real `coordinator serve`, from source, as a child process; resolves once it printed its addresses. */
export async function spawnServe(args: string[]): Promise<ServeProcess> {
  const child = spawn(
    process.execPath,
    ['--conditions=source', '--import', 'tsx', '--input-type=module', '-e', `import { main } from '@godwit/coordinator'; process.exitCode = await main(process.argv.slice(1));`, 'serve', '--json', '--http-port', '0', ...args],
    { cwd: ROOT, env: { ...process.env, GODWIT_METRICS_TOKEN: METRICS_TOKEN }, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const first = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`coordinator serve exited with ${code}`)));
  });
  const { http, mqtt } = JSON.parse(first) as { http: string; mqtt: string };
  return {
    child,
    http,
    mqtt,
    async reportsStored() {
      const text = await (await fetch(`${http}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).text();
      return Number(/^godwit_ingest_reports_total(?:\{\})? (\d+)/m.exec(text)?.[1] ?? 0);
    },
    async kill(signal) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}

export interface Mosquitto {
  port: number;
  pid: number;
  /** The coordinator's broker URL: the dynsec admin user, or with `devices`, a user that may do anything. */
  adminUrl: string;
  /** Stops the broker and starts it again on the same port, folder and config. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** A device for a password-file Mosquitto: its credentials and its own topic root. */
export interface FileUser {
  username: string;
  password: string;
  tenantId: string;
  deviceId: string;
}

/**
 * A Mosquitto of the test's own: its own config, folder and port. Per-device auth by dynamic
 * security; or, given `devices`, by a password file and ACL file written here (what the storm
 * bench uses: dynsec takes minutes to take in thousands of clients, see docs/mqtt.md).
 */
export async function startMosquitto(devices?: FileUser[], options: { persistence?: boolean } = {}): Promise<Mosquitto> {
  const dir = mkdtempSync(join(tmpdir(), 'godwit-mosquitto-'));
  const port = await freePort();
  const password = randomBytes(12).toString('hex');
  const auth: string[] = [];
  if (devices) {
    const users = [{ username: 'coordinator', password }, ...devices];
    writeFileSync(join(dir, 'passwords'), users.map((u) => `${u.username}:${mosquittoHash(u.password)}\n`).join(''));
    const acl = ['user coordinator', 'topic readwrite #', 'topic read $share/#', ''];
    for (const d of devices) {
      const own = `godwit/${d.tenantId}/devices/${d.deviceId}`;
      acl.push(`user ${d.username}`, `topic write ${own}/state`, `topic write ${own}/presence`, `topic read ${own}/#`, `topic read godwit/${d.tenantId}/channels/#`, '');
    }
    writeFileSync(join(dir, 'acl'), acl.join('\n'));
    auth.push(`password_file ${join(dir, 'passwords')}`, `acl_file ${join(dir, 'acl')}`);
  } else {
    execFileSync('mosquitto_ctrl', ['dynsec', 'init', join(dir, 'dynsec.json'), 'coordinator', password], { stdio: 'ignore' });
    auth.push(`plugin ${dynsecPlugin()}`, `plugin_opt_config_file ${join(dir, 'dynsec.json')}`);
  }
  writeFileSync(
    join(dir, 'mosquitto.conf'),
    [
      `listener ${port} 127.0.0.1`,
      'allow_anonymous false',
      // With persistence, retained bundles and sessions survive a restart (written on exit).
      ...(options.persistence ? ['persistence true', `persistence_location ${dir}/`] : ['persistence false']),
      'max_queued_messages 0',
      'max_inflight_messages 0',
      ...auth,
      // Started as root, Mosquitto would switch to the `mosquitto` user and could not use this folder.
      `user ${userInfo().username}`,
      'log_dest none',
      '',
    ].join('\n'),
  );
  const launch = async () => {
    const started = spawn('mosquitto', ['-c', join(dir, 'mosquitto.conf')], { stdio: 'ignore' });
    await waitFor('mosquitto to listen', () => canConnect(port), 10_000);
    return started;
  };
  const halt = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
  };
  let child = await launch();
  return {
    port,
    get pid() {
      return child.pid!;
    },
    adminUrl: `mqtt://coordinator:${password}@127.0.0.1:${port}`,
    async restart() {
      await halt();
      child = await launch();
    },
    async stop() {
      await halt();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Mosquitto 2's password-file hash: PBKDF2-SHA512, `$7$iterations$salt$hash` in base64. */
function mosquittoHash(password: string): string {
  const salt = randomBytes(12);
  const hash = pbkdf2Sync(password, salt, 101, 64, 'sha512');
  return `$7$101$${salt.toString('base64')}$${hash.toString('base64')}`;
}

function dynsecPlugin(): string {
  const files = execFileSync('dpkg', ['-L', 'mosquitto'], { encoding: 'utf8' }).split('\n');
  const plugin = files.find((f) => f.endsWith('/mosquitto_dynamic_security.so'));
  if (!plugin) throw new Error('mosquitto_dynamic_security.so not found in the mosquitto package');
  return plugin;
}

async function canConnect(port: number): Promise<boolean> {
  const { connect } = await import('node:net');
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}
