/**
 * `coordinator serve`'s MQTT flags, on the real process. `--mqtt-tls-cert/--mqtt-tls-key`: the
 * embedded broker speaks TLS only (a device with the private CA, made here by openssl, reports and
 * is confirmed over mqtts://; a plain MQTT connection to that port fails). `--dynsec`: against a
 * Mosquitto without the dynamic-security plugin, `required` exits non-zero with one line, `auto`
 * starts with a loud warning, and a value outside required|auto|off is a usage error.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { connect, type IClientOptions } from 'mqtt';
import { SimulatedDevice } from '@godwit/fleet-protocol/simulated-device';
import { fingerprint, result, ROOT, spawnServe, startMosquitto, type Mosquitto, type ServeProcess } from './coordinator-fixtures.js';
import { rawConnect } from './mqtt-raw-connect.js';

const ADMIN = 'serve-mqtt-test-admin-token';
let dir: string;
const cleanups: (() => Promise<unknown> | unknown)[] = [];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'godwit-serve-mqtt-'));
});

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  rmSync(dir, { recursive: true, force: true });
});

/** A private CA and a server certificate it signed for 127.0.0.1 and localhost. */
function makeCertificates(): { ca: string; cert: string; key: string } {
  const path = (name: string) => join(dir, name);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  openssl('req', '-x509', ...ec, '-keyout', path('ca.key'), '-out', path('ca.pem'), '-days', '1', '-subj', '/CN=godwit mqtt test CA');
  openssl('req', ...ec, '-keyout', path('broker.key'), '-out', path('broker.csr'), '-subj', '/CN=127.0.0.1');
  writeFileSync(path('broker.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  openssl('x509', '-req', '-in', path('broker.csr'), '-CA', path('ca.pem'), '-CAkey', path('ca.key'), '-CAcreateserial', '-out', path('broker.pem'), '-days', '1', '-extfile', path('broker.ext'));
  return { ca: path('ca.pem'), cert: path('broker.pem'), key: path('broker.key') };
}

/** 'connected', or the error or close that ended the attempt (MQTT.js's connectAsync does not settle on a bare close). */
function outcome(url: string, options: IClientOptions): Promise<string> {
  return new Promise((resolve) => {
    const client = connect(url, { ...options, reconnectPeriod: 0 });
    const end = (what: string) => {
      client.end(true);
      resolve(what);
    };
    client.once('connect', () => end('connected'));
    client.once('error', (error) => end(error.message));
    client.once('close', () => end('closed'));
  });
}

async function post(serve: ServeProcess, token: string, path: string, body: unknown) {
  const res = await fetch(`${serve.http}${path}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  expect(res.status).toBeLessThan(300);
  return res.json();
}

/** `coordinator serve` run to its exit or its ready line: exit code (null while running), stderr lines, and the process. */
async function serveUntilReady(args: string[]) {
  const child = spawn(
    process.execPath,
    ['--conditions=source', '--import', 'tsx', '--input-type=module', '-e', `import { main } from '@godwit/coordinator'; process.exitCode = await main(process.argv.slice(1));`, 'serve', '--json', '--http-port', '0', ...args],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, DATABASE_URL: '' } },
  );
  const stderr: string[] = [];
  createInterface({ input: child.stderr! }).on('line', (line) => stderr.push(line));
  const exited = new Promise<number>((resolve) => child.once('exit', (code) => resolve(code ?? -1)));
  const ready = new Promise<void>((resolve) => createInterface({ input: child.stdout! }).once('line', () => resolve()));
  const code = await Promise.race([exited, ready.then(() => null)]);
  cleanups.push(async () => {
    if (child.exitCode === null) child.kill('SIGKILL');
    await exited;
  });
  // Let the stderr stream deliver what was written before the exit or the ready line.
  await new Promise((r) => setTimeout(r, 100));
  return { code, stderr };
}

describe('coordinator serve --mqtt-tls-cert/--mqtt-tls-key', () => {
  it('devices reach the embedded broker over mqtts:// with the private CA; plain MQTT to that port fails', async () => {
    const { ca, cert, key } = makeCertificates();
    const serve = await spawnServe(['--data-dir', join(dir, 'tls-data'), '--admin-token', ADMIN, '--mqtt-port', '0', '--mqtt-tls-cert', cert, '--mqtt-tls-key', key]);
    cleanups.push(() => serve.kill('SIGTERM'));
    expect(serve.mqtt).toMatch(/^mqtts:\/\/127\.0\.0\.1:\d+$/);

    const tenant = await post(serve, ADMIN, '/v1/tenants', { name: 'tls' });
    const device = await post(serve, tenant.token, '/v1/devices', { id: 'tls-dev' });
    const sim = new SimulatedDevice({ url: serve.mqtt, tenantId: tenant.id, deviceId: 'tls-dev', ...device.mqtt, ca: readFileSync(ca), reconnectPeriod: 0 });
    cleanups.push(() => sim.close(true));
    await sim.connect();
    sim.record(result('rev_0001'), { revision: 'rev_0001', fingerprint: fingerprint(1), bundleSequence: 1 });
    await sim.waitConfirmed(20_000);

    const port = Number(new URL(serve.mqtt).port);
    // A plain CONNECT gets no CONNACK: the TLS listener closes the connection.
    expect(await rawConnect(port, { clientId: device.mqtt.username, username: device.mqtt.username, password: device.mqtt.password })).toBeNull();
    // Without the CA, the device's own TLS check refuses the broker.
    expect(await outcome(`mqtts://127.0.0.1:${port}`, { ...device.mqtt, clientId: device.mqtt.username })).toMatch(/certificate/i);
  });
});

describe('coordinator serve --dynsec', () => {
  let mosquitto: Mosquitto;
  beforeAll(async () => {
    // A password-file Mosquitto: no dynamic-security plugin to answer.
    mosquitto = await startMosquitto([]);
    cleanups.push(() => mosquitto.stop());
  });

  it('required: exits non-zero with one line naming the flag when the broker has no plugin', async () => {
    const { code, stderr } = await serveUntilReady(['--data-dir', join(dir, 'req-data'), '--admin-token', ADMIN, '--mqtt-url', mosquitto.adminUrl, '--dynsec', 'required']);
    expect(code).toBe(1);
    expect(stderr).toEqual([expect.stringMatching(/^coordinator: --dynsec required: the broker at 127\.0\.0\.1:\d+ offers no usable dynamic security/)]);
  });

  it('auto: starts, and says loudly that devices are not managed', async () => {
    const { code, stderr } = await serveUntilReady(['--data-dir', join(dir, 'auto-data'), '--admin-token', ADMIN, '--mqtt-url', mosquitto.adminUrl, '--dynsec', 'auto']);
    expect(code).toBeNull();
    expect(stderr.filter((line) => /WARNING: .* devices are NOT managed by the coordinator/.test(line))).toHaveLength(1);
  });

  it('a value other than required, auto or off is a usage error', async () => {
    const { code, stderr } = await serveUntilReady(['--data-dir', join(dir, 'bad-data'), '--mqtt-url', mosquitto.adminUrl, '--dynsec', 'maybe']);
    expect(code).toBe(2);
    expect(stderr.join('\n')).toMatch(/--dynsec maybe: one of required, auto, off/);
  });
});
