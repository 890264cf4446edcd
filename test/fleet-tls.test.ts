/**
 * Devices over TLS: the embedded broker with a certificate signed by a private CA made here with
 * openssl; an agent daemon with that CA in its config reaches it over mqtts:// and reports, one
 * without it is refused by its own TLS check, and a plain MQTT connection to the TLS port fails.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FleetService, buildFleetBundles, createAgents, type Agent, type FleetBundles } from './fleet-fixtures.js';

let dir: string;
let service: FleetService;
let bundles: FleetBundles;
let agents: Agent[] = [];

/** A CA, and a server certificate for 127.0.0.1 signed by it. */
function makeCertificates(): { ca: string; cert: string; key: string } {
  const path = (name: string) => join(dir, name);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  openssl('req', '-x509', ...ec, '-keyout', path('ca.key'), '-out', path('ca.pem'), '-days', '1', '-subj', '/CN=godwit test CA');
  openssl('req', ...ec, '-keyout', path('server.key'), '-out', path('server.csr'), '-subj', '/CN=127.0.0.1');
  writeFileSync(path('server.ext'), 'subjectAltName=IP:127.0.0.1\n');
  openssl('x509', '-req', '-in', path('server.csr'), '-CA', path('ca.pem'), '-CAkey', path('ca.key'), '-CAcreateserial', '-out', path('server.pem'), '-days', '1', '-extfile', path('server.ext'));
  return { ca: path('ca.pem'), cert: path('server.pem'), key: path('server.key') };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'godwit-fleet-tls-'));
  const { ca, cert, key } = makeCertificates();
  bundles = await buildFleetBundles('godwit-fleet-tls-');
  service = await FleetService.start('embedded', ['--mqtt-tls-cert', cert, '--mqtt-tls-key', key]);
  await service.createTenant('fleet-tls', bundles.ws.pub);
  await service.uploadBundle(bundles.factory);
  const tlsUrl = service.deviceUrl.replace(/^mqtt:/, 'mqtts:');
  agents = await createAgents(service, bundles, dir, 2, (i) => ({ mqttUrl: tlsUrl, ...(i === 0 && { ca }) }));
  for (const agent of agents) agent.start();
});

afterAll(async () => {
  await Promise.all(agents.map((a) => a.kill()));
  await service?.close();
  bundles?.ws.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

describe('devices over mqtts:// to the embedded broker', () => {
  it('a daemon that trusts the private CA connects over TLS and reports', async () => {
    const fleet = await service.waitForRevision(['dev-0'], 'shop_0001');
    expect(fleet.get('dev-0')!.online).toBe(true);
    await agents[0]!.waitForLog(/^connected url=mqtts:/);
  });

  it('a daemon without the CA is refused by its own certificate check and never shows as reported', async () => {
    await agents[1]!.waitForLog(/^mqtt-error .*(certificate|self.signed|issuer)/i);
    expect((await service.devices()).get('dev-1')!.revision).toBeNull();
  });

  it('a plain MQTT connection to the TLS port fails', async () => {
    const port = new URL(service.deviceUrl).port;
    const client = connect(`mqtt://127.0.0.1:${port}`, { reconnectPeriod: 0, connectTimeout: 5000, username: 'x', password: 'y' });
    // The TLS listener drops the plain CONNECT; MQTT.js then closes without an error of its own.
    const outcome = await new Promise<string>((resolve) => {
      client.once('connect', () => resolve('connected'));
      client.once('error', () => resolve('error'));
      client.once('close', () => resolve('closed'));
    });
    client.end(true);
    expect(outcome).not.toBe('connected');
  });
});
