/**
 * The fleet's end-to-end world, as real processes on loopback: a `coordinator serve` (embedded
 * PGlite and aedes, or a fresh PostgreSQL database and a Mosquitto of the test's own), its CLI,
 * signed bundles, and edge-agent daemons each on its own seeded SQLite file. Shared by
 * test/fleet-*.test.ts and scripts/bench/fleet.ts.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import Database from 'better-sqlite3';
import { main as coordinatorMain } from '@godwit/coordinator';
import {
  AGENT_BIN,
  EXAMPLE_MIGRATIONS,
  bundleFile,
  makeWorkspace,
  migrationsFolder,
  seedShop,
  writeMigrations,
  type Workspace,
} from '../apps/edge-agent/test-support/fixtures.js';
import { freePort, freshDatabase, spawnServe, startMosquitto, waitFor, type Mosquitto, type ServeProcess } from './coordinator-fixtures.js';

export type Setup = 'embedded' | 'external';

/** External (Mosquitto + the PostgreSQL server) when DATABASE_URL is set, as in CI; embedded otherwise. */
export const SETUP: Setup = process.env.DATABASE_URL ? 'external' : 'embedded';

const ADMIN_TOKEN = 'fleet-test-admin-token';
/** The shop tables: customers ← orders ← order_items, each child ON DELETE CASCADE. */
export const SHOP_TABLES = ['customers', 'orders', 'order_items'] as const;
export type RowCounts = Record<(typeof SHOP_TABLES)[number], number>;

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Like waitFor, probing every `everyMs` (each probe here is a CLI call: no need to spin). */
export function poll<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs: number, everyMs = 250): Promise<T> {
  let first = true;
  return waitFor(
    what,
    async () => {
      if (!first) await sleep(everyMs);
      first = false;
      return probe();
    },
    timeoutMs,
  );
}

function sink(): { stream: Writable; text: () => string } {
  const chunks: Buffer[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(Buffer.from(chunk));
      done();
    },
  });
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

export interface FleetDevice {
  id: string;
  revision: string | null;
  fingerprint: string | null;
  drift: boolean;
  online: boolean;
  lastSeen: string | null;
}

export interface DeviceEvent {
  counter: number;
  at: number;
  from: string | null;
  to: string | null;
  revisions: string[];
  outcome: string;
  durationMs: number;
  error?: string;
  forced?: boolean;
}

/**
 * The coordinator as its operators see it: `coordinator serve` as a child process and the
 * `coordinator` CLI (run in this process, over HTTP), plus the broker its devices connect to.
 */
export class FleetService {
  http = '';
  token = '';
  tenantId = '';
  private serve: ServeProcess | null = null;

  private constructor(
    readonly setup: Setup,
    /** The URL agents connect to. */
    readonly deviceUrl: string,
    private readonly serveArgs: string[],
    private readonly mosquitto: Mosquitto | null,
    private readonly cleanup: () => Promise<void>,
  ) {}

  /** Embedded: PGlite in a folder of its own and aedes on a fixed free port (so a restart keeps it). External: a fresh database and a Mosquitto with dynamic security and persistence. */
  static async start(setup: Setup, extraServeArgs: string[] = []): Promise<FleetService> {
    let service: FleetService;
    if (setup === 'embedded') {
      const dataDir = mkdtempSync(join(tmpdir(), 'godwit-fleet-coordinator-'));
      const port = await freePort();
      service = new FleetService(setup, `mqtt://127.0.0.1:${port}`, ['--data-dir', dataDir, '--mqtt-port', String(port), ...extraServeArgs], null, async () =>
        rmSync(dataDir, { recursive: true, force: true }),
      );
    } else {
      const database = await freshDatabase();
      const mosquitto = await startMosquitto(undefined, { persistence: true });
      service = new FleetService(
        setup,
        `mqtt://127.0.0.1:${mosquitto.port}`,
        ['--database-url', database.url, '--mqtt-url', mosquitto.adminUrl, ...extraServeArgs],
        mosquitto,
        async () => {
          await mosquitto.stop();
          await database.drop();
        },
      );
    }
    try {
      await service.startCoordinator();
    } catch (error) {
      await service.cleanup();
      throw error;
    }
    return service;
  }

  /** A user of the broker who may publish on any device's topics (external only: Mosquitto's dynsec admin). */
  get brokerAdminUrl(): string | null {
    return this.mosquitto?.adminUrl ?? null;
  }

  get coordinatorPid(): number | null {
    return this.serve?.child.pid ?? null;
  }

  async startCoordinator(): Promise<void> {
    this.serve = await spawnServe([...this.serveArgs, '--admin-token', ADMIN_TOKEN]);
    this.http = this.serve.http;
  }

  async stopCoordinator(): Promise<void> {
    await this.serve?.kill('SIGTERM');
    this.serve = null;
  }

  /** Embedded: the coordinator process on the same data folder and port; external: the Mosquitto. */
  async restartBroker(): Promise<void> {
    if (this.mosquitto) return this.mosquitto.restart();
    await this.stopCoordinator();
    await this.startCoordinator();
  }

  async close(): Promise<void> {
    await this.stopCoordinator();
    await this.cleanup();
  }

  /** `coordinator ARGS` against this service, with the tenant's token once there is one. */
  async cli(args: string[]): Promise<CliResult> {
    const stdout = sink();
    const stderr = sink();
    const env = { GODWIT_SERVER: this.http, GODWIT_ADMIN_TOKEN: ADMIN_TOKEN, ...(this.token && { GODWIT_TOKEN: this.token }) };
    const code = await coordinatorMain(args, { stdout: stdout.stream, stderr: stderr.stream, env, cwd: process.cwd() });
    return { code, stdout: stdout.text(), stderr: stderr.text() };
  }

  /** `coordinator ARGS --json`, parsed; throws with its stderr when it fails. */
  async json<T>(args: string[]): Promise<T> {
    const run = await this.cli([...args, '--json']);
    if (run.code !== 0) throw new Error(`coordinator ${args.join(' ')} exited ${run.code}: ${run.stderr.trim()}`);
    return JSON.parse(run.stdout) as T;
  }

  async createTenant(name: string, publicKeyFile: string): Promise<void> {
    const tenant = await this.json<{ id: string; token: string }>(['tenant', 'create', name]);
    this.tenantId = tenant.id;
    this.token = tenant.token;
    await this.json(['keys', 'add', publicKeyFile]);
  }

  async register(id: string, labels: Record<string, string> = {}, channel = 'main'): Promise<{ username: string; password: string }> {
    const args = ['device', 'register', id, '--channel', channel, ...Object.entries(labels).flatMap(([k, v]) => ['--label', `${k}=${v}`])];
    return (await this.json<{ mqtt: { username: string; password: string } }>(args)).mqtt;
  }

  /** Stores a bundle without a rollout (what a device shipped with), through the HTTP API. */
  async uploadBundle(file: string): Promise<void> {
    const res = await fetch(`${this.http}/v1/bundles`, {
      method: 'POST',
      headers: { authorization: `Bearer ${this.token}`, 'content-type': 'application/octet-stream' },
      body: readFileSync(file),
    });
    if (!res.ok) throw new Error(`bundle upload: ${res.status} ${await res.text()}`);
  }

  async devices(): Promise<Map<string, FleetDevice>> {
    return new Map((await this.json<FleetDevice[]>(['devices'])).map((d) => [d.id, d]));
  }

  async events(id: string): Promise<DeviceEvent[]> {
    return (await this.json<{ events: DeviceEvent[] }>(['device', 'show', id])).events;
  }

  /** Waits until every named device is reported at `revision`; returns the fleet view. */
  async waitForRevision(ids: string[], revision: string, timeoutMs = 60_000): Promise<Map<string, FleetDevice>> {
    return poll(
      `${ids.join(', ')} at ${revision}`,
      async () => {
        const fleet = await this.devices();
        return ids.every((id) => fleet.get(id)?.revision === revision) && fleet;
      },
      timeoutMs,
    );
  }
}

/** Keys and signed bundles over the example shop migrations (customers ← orders ← order_items). */
export interface FleetBundles {
  ws: Workspace;
  /** shop_0001 only, sequence 1: what devices shipped with. */
  factory: string;
  /** shop_0001..shop_0003, sequence 2: shop_0003 rebuilds orders (NOT NULL + CHECK). */
  head: string;
}

export async function buildFleetBundles(prefix = 'godwit-fleet-'): Promise<FleetBundles> {
  const ws = makeWorkspace(prefix);
  const factory = await bundleFile(ws, 'factory.mbundle', writeMigrations(ws, 'factory-migrations', { '0001_create_shop.mjs': readExample('0001_create_shop.mjs') }), { sequence: 1 });
  const head = await bundleFile(ws, 'head.mbundle', migrationsFolder(ws, 'head-migrations'), { sequence: 2 });
  return { ws, factory, head };
}

function readExample(name: string): string {
  return readFileSync(join(EXAMPLE_MIGRATIONS, name), 'utf8');
}

/** A bundle of the shop migrations plus one revision `id` on top of shop_0003 (`up`/`down`: JS bodies over `op`). */
export async function bundleOnHead(ws: Workspace, id: string, sequence: number, message: string, up: string, down: string): Promise<string> {
  const revision = `export default {
  id: '${id}',
  parent: 'shop_0003',
  message: ${JSON.stringify(message)},
  up(op) { ${up} },
  down(op) { ${down} },
};
`;
  return bundleFile(ws, `${id}.mbundle`, migrationsFolder(ws, `${id}-migrations`, { [`0004_${id}.mjs`]: revision }), { sequence });
}

/**
 * A revision that rebuilds orders and, before that, spends CPU on every order row: `burnPerRow`
 * steps of a recursive count, correlated with the row so SQLite cannot compute it once. Its
 * duration on a device grows with that device's orders.
 */
export function slowBundle(ws: Workspace, id: string, sequence: number, burnPerRow: number): Promise<string> {
  return bundleOnHead(
    ws,
    id,
    sequence,
    'orders: recompute totals, new default (slow on purpose)',
    // The rebuild first: SQLite computes this UPDATE's new values before it writes a page, so only
    // a write before it keeps the transaction's journal on disk for the whole slow part.
    `op.alterColumn('orders', 'total_cents', { default: '1' }); op.execute(${JSON.stringify(burnStatement(burnPerRow))});`,
    `op.alterColumn('orders', 'total_cents', { default: '0' });`,
  );
}

function burnStatement(perRow: number): string {
  return `UPDATE orders SET total_cents = total_cents + 0 * (WITH RECURSIVE burn(i) AS (SELECT orders.id UNION ALL SELECT i + 1 FROM burn WHERE i < orders.id + ${perRow}) SELECT count(*) FROM burn)`;
}

/** Burn steps per row so that `rows` orders take about `targetMs` on this machine (measured here, once). */
export function calibrateBurn(rows: number, targetMs: number): number {
  const db = new Database(':memory:');
  try {
    db.exec('CREATE TABLE orders (id INTEGER PRIMARY KEY, total_cents INTEGER NOT NULL)');
    db.prepare('WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < 50) INSERT INTO orders SELECT i, i FROM s').run();
    const probe = 20_000;
    const started = performance.now();
    db.exec(burnStatement(probe));
    const perStep = (performance.now() - started) / (50 * probe);
    return Math.max(1, Math.round(targetMs / rows / perStep));
  } finally {
    db.close();
  }
}

export interface AgentOptions {
  orders?: number;
  keepaliveSeconds?: number;
  /** More daemon config keys (docs/edge-agent.md, "Daemon"). */
  config?: Record<string, unknown>;
  mqttUrl?: string;
  /** `mqtt.ca`: a PEM file of the private CA that signed an mqtts:// broker's certificate. */
  ca?: string;
}

/**
 * One device: its folder (database, bundles inbox, config), registered at the coordinator, its
 * database created at shop_0001 from the factory bundle and seeded, and its daemon process.
 */
export class Agent {
  readonly dir: string;
  readonly db: string;
  readonly bundles: string;
  readonly configPath: string;
  /** Every line the daemon printed (stdout and stderr), across its restarts. */
  readonly log: string[] = [];
  child: ChildProcess | null = null;
  private exited: Promise<number | null> = Promise.resolve(null);

  constructor(
    readonly id: string,
    root: string,
    private readonly mqtt: { url: string; username: string; password: string },
    private readonly options: AgentOptions,
    trust: string,
  ) {
    this.dir = join(root, id);
    this.db = join(this.dir, 'app.db');
    this.bundles = join(this.dir, 'bundles');
    this.configPath = join(this.dir, 'agent.json');
    mkdirSync(this.bundles, { recursive: true });
    this.writeConfig(trust);
  }

  private writeConfig(trust: string): void {
    const config = {
      db: this.db,
      trust: [trust],
      bundles: this.bundles,
      mqtt: {
        ...this.mqtt,
        ...(this.options.mqttUrl && { url: this.options.mqttUrl }),
        ...(this.options.ca && { ca: this.options.ca }),
        keepaliveSeconds: this.options.keepaliveSeconds ?? 5,
      },
      // Back within a few seconds of a broker restart: the tests wait for it.
      reconnect: { baseMs: 200, capMs: 2000 },
      ...this.options.config,
    };
    writeFileSync(this.configPath, JSON.stringify(config, null, 2));
  }

  /** The database at shop_0001 (the factory bundle, applied by the offline CLI) with `orders` orders. */
  seed(bundles: FleetBundles): void {
    const run = spawnSync(process.execPath, [AGENT_BIN, 'upgrade', '--db', this.db, '--bundle', bundles.factory, '--trust', bundles.ws.pub, '--no-backup', '--json'], { encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`seeding ${this.id}: ${run.stderr}`);
    seedShop(this.db, this.options.orders ?? 300);
  }

  get running(): boolean {
    return this.child !== null && this.child.exitCode === null && this.child.signalCode === null;
  }

  start(): void {
    // A process group of its own, so that `kill` takes the daemon and its apply process together.
    const child = spawn(process.execPath, [AGENT_BIN, 'run', '--config', this.configPath], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    for (const stream of [child.stdout!, child.stderr!]) createInterface({ input: stream }).on('line', (line) => this.log.push(line));
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    this.child = child;
  }

  /** SIGTERM; resolves with the exit code. */
  async stop(): Promise<number | null> {
    if (!this.running) return this.child?.exitCode ?? null;
    this.child!.kill('SIGTERM');
    return this.exited;
  }

  /** SIGKILL to the daemon and its apply process at once: the device losing power. */
  async kill(): Promise<void> {
    if (this.running) process.kill(-this.child!.pid!, 'SIGKILL');
    await this.exited;
  }

  /** `edge-agent run --config FILE --once`, to its exit. */
  once(): CliResult {
    const run = spawnSync(process.execPath, [AGENT_BIN, 'run', '--config', this.configPath, '--once'], { encoding: 'utf8', timeout: 120_000 });
    return { code: run.status ?? -1, stdout: run.stdout, stderr: run.stderr };
  }

  /** Waits for a daemon log line matching `pattern`, at or after line `from`. */
  waitForLog(pattern: RegExp, timeoutMs = 60_000, from = 0): Promise<string> {
    return poll(`${this.id} to log ${pattern}`, async () => this.log.slice(from).find((l) => pattern.test(l)), timeoutMs, 100);
  }

  rows(): RowCounts {
    return withDatabase(this.db, (db) => Object.fromEntries(SHOP_TABLES.map((t) => [t, (db.prepare(`SELECT count(*) AS n FROM ${t}`).get() as { n: number }).n])) as RowCounts);
  }

  /** The recorded revision (the agent's godwit_heads) and `PRAGMA integrity_check`. */
  inspect(): { revision: string | null; integrity: string } {
    return withDatabase(this.db, (db) => ({
      revision: (db.prepare('SELECT revision FROM godwit_heads').pluck().all() as string[]).join(',') || null,
      integrity: (db.prepare('PRAGMA integrity_check').pluck().all() as string[]).join('; '),
    }));
  }

  /** The agent's own apply log: what it did, one row per run. */
  applyLog(): { from: string | null; to: string | null; outcome: string; revisions: string[] }[] {
    return withDatabase(this.db, (db) =>
      (db.prepare('SELECT from_revision AS "from", to_revision AS "to", outcome, revisions FROM godwit_apply_log ORDER BY id').all() as { from: string | null; to: string | null; outcome: string; revisions: string }[]).map(
        (r) => ({ ...r, revisions: JSON.parse(r.revisions) as string[] }),
      ),
    );
  }
}

/**
 * Opened read-write on purpose: a database left with a hot journal (a process killed mid-write) is
 * rolled back by the next connection that may write, as the agent's next start would.
 */
function withDatabase<T>(path: string, read: (db: Database.Database) => T): T {
  const db = new Database(path, { fileMustExist: true });
  try {
    return read(db);
  } finally {
    db.close();
  }
}

/** Registers and seeds `count` devices (`${prefix}-0`, …); `options(i)` tailors each. */
export async function createAgents(
  service: FleetService,
  bundles: FleetBundles,
  root: string,
  count: number,
  options: (i: number) => AgentOptions & { labels?: Record<string, string> } = () => ({}),
  prefix = 'dev',
): Promise<Agent[]> {
  const agents: Agent[] = [];
  for (let i = 0; i < count; i++) {
    const { labels = {}, ...agentOptions } = options(i);
    const id = `${prefix}-${i}`;
    const mqtt = await service.register(id, { slot: String(i), ...labels });
    const agent = new Agent(id, root, { url: service.deviceUrl, ...mqtt }, agentOptions, bundles.ws.pub);
    agent.seed(bundles);
    agents.push(agent);
  }
  return agents;
}
