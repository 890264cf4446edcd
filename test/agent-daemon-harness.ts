/**
 * What the daemon's process-level tests drive: a real coordinator (the library's startCoordinator,
 * on PGlite, or on a fresh PostgreSQL database when DATABASE_URL is set), its HTTP API, and
 * `edge-agent run --config FILE --log json` as a child process whose log lines can be awaited.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { serveConfig, startCoordinator, type RunningCoordinator } from '@godwit/coordinator';
import { AGENT_BIN, type Workspace } from '../apps/edge-agent/test-support/fixtures.js';
import { freshDatabase } from './coordinator-fixtures.js';

export interface TestCoordinator {
  running: RunningCoordinator;
  tenantId: string;
  /** GET/POST on the HTTP API as the tenant's operator; throws on a non-2xx answer. */
  api<T = unknown>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T>;
  register(deviceId: string): Promise<{ username: string; password: string }>;
  /** Stores a bundle without a rollout (one a runtime update ships): the coordinator then knows its fingerprints. */
  upload(bytes: Uint8Array): Promise<string>;
  /** Uploads the bundle and starts a rollout to every device of channel "main". */
  publish(bytes: Uint8Array): Promise<void>;
  device(deviceId: string): Promise<{ revision: string | null; fingerprint: string | null; drift: boolean; online: boolean; bundleSequence?: number | null }>;
  events(deviceId: string): Promise<{ counter: number; outcome: string; to: string | null; error?: string }[]>;
  close(): Promise<void>;
}

/** A coordinator with one tenant whose operator trusts `ws.pub`. `mqttUrl`: an external broker. */
export async function startTestCoordinator(ws: Workspace, options: { mqttUrl?: string } = {}): Promise<TestCoordinator> {
  // PGlite in the data folder; with DATABASE_URL (CI), a fresh database on the PostgreSQL server.
  const database = process.env.DATABASE_URL ? await freshDatabase() : null;
  const flags = {
    'data-dir': ws.path(`coordinator-${randomBytes(3).toString('hex')}`),
    'http-port': '0',
    'mqtt-port': '0',
    ...(database && { 'database-url': database.url }),
    ...(options.mqttUrl && { 'mqtt-url': options.mqttUrl }),
  };
  const running = await startCoordinator(serveConfig(flags, {}), (error) => process.stderr.write(`coordinator: ${String(error)}\n`));
  const call = async <T>(token: string, method: string, path: string, body?: unknown): Promise<T> => {
    const response = await fetch(`${running.httpUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body instanceof Uint8Array ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: body instanceof Uint8Array ? body : JSON.stringify(body) }),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
    return JSON.parse(text) as T;
  };
  const tenant = await call<{ id: string; token: string }>(running.adminToken.token, 'POST', '/v1/tenants', { name: 'daemon-tests' });
  const api = <T>(method: 'GET' | 'POST', path: string, body?: unknown) => call<T>(tenant.token, method, path, body);
  await api('POST', '/v1/keys', { publicKey: readFileSync(ws.pub, 'utf8') });
  return {
    running,
    tenantId: tenant.id,
    api,
    async register(deviceId) {
      const device = await api<{ mqtt: { username: string; password: string } }>('POST', '/v1/devices', { id: deviceId, channel: 'main' });
      return device.mqtt;
    },
    upload: async (bytes) => (await api<{ id: string }>('POST', '/v1/bundles', bytes)).id,
    async publish(bytes) {
      const bundle = (await api<{ id: string }>('POST', '/v1/bundles', bytes)).id;
      await api('POST', '/v1/rollouts', { bundle, channel: 'main' });
    },
    device: (deviceId) => api('GET', `/v1/devices/${deviceId}`),
    async events(deviceId) {
      return (await api<{ events: { counter: number; outcome: string; to: string | null }[] }>('GET', `/v1/devices/${deviceId}/events`)).events;
    },
    async close() {
      await running.close();
      await database?.drop();
    },
  };
}

/** A daemon config in the workspace: the database and bundles folder named, the folder created. */
export function writeDaemonConfig(ws: Workspace, name: string, mqtt: { url: string; username: string; password: string }, extra: Record<string, unknown> = {}): string {
  mkdirSync(ws.path(`${name}-bundles`), { recursive: true });
  const path = ws.path(`${name}.json`);
  writeFileSync(path, JSON.stringify({ db: `${name}.db`, trust: [ws.pub], bundles: `${name}-bundles`, mqtt, reconnect: { baseMs: 200, capMs: 2000 }, ...extra }));
  return path;
}

export interface LogLine {
  event: string;
  [field: string]: unknown;
}

export interface DaemonProcess {
  child: ChildProcess;
  lines: LogLine[];
  /** The first line (from `from` on) with this event that `match` accepts. */
  waitFor(event: string, match?: (line: LogLine) => boolean, timeoutMs?: number, from?: number): Promise<LogLine>;
  /** Sends the signal and resolves with how the process ended. */
  stop(signal: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function spawnDaemon(config: string): DaemonProcess {
  const child = spawn(process.execPath, [AGENT_BIN, 'run', '--config', config, '--log', 'json'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: LogLine[] = [];
  const listeners = new Set<() => void>();
  createInterface({ input: child.stdout! }).on('line', (text) => {
    lines.push(JSON.parse(text) as LogLine);
    for (const listener of listeners) listener();
  });
  child.stderr!.on('data', (chunk) => process.stderr.write(`daemon stderr: ${chunk}`));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return {
    child,
    lines,
    waitFor(event, match = () => true, timeoutMs = 30_000, from = 0) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const line = lines.slice(from).find((l) => l.event === event && match(l));
          if (!line) return;
          cleanup();
          resolve(line);
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`no "${event}" log line within ${timeoutMs} ms; got: ${lines.map((l) => l.event).join(', ')}`));
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          listeners.delete(check);
        };
        listeners.add(check);
        check();
      });
    },
    async stop(signal) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}
