import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, spawnServe, type ServeProcess } from './cli/test-cli.js';
import { createTestDatabase, testDrivers, type TestDatabase } from './store/test-store.js';

/** A private CA and a certificate it signed for 127.0.0.1, made by openssl as an operator would. */
function makeCertificates(folder: string): void {
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: folder, stdio: 'pipe' });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl('req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=Godwit test CA');
  openssl('req', ...ec, '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=coordinator');
  writeFileSync(join(folder, 'san.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  openssl('x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.pem', '-days', '2', '-extfile', 'san.ext');
  // Another CA, which signed nothing the server presents.
  openssl('req', '-x509', ...ec, '-keyout', 'other.key', '-out', 'other.pem', '-days', '2', '-subj', '/CN=Someone else');
}

describe('coordinator serve network flags', () => {
  it('refuses a malformed --host or half a TLS pair with a usage error', async () => {
    for (const args of [['--host', 'not a host!'], ['--http-tls-cert', 'server.pem'], ['--http-tls-key', 'server.key']]) {
      const result = await runCli(['serve', ...args], {});
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr).toMatch(/^coordinator: --(host|http-tls)[^\n]+\n$/);
    }
  });
});

describe.each(testDrivers())('coordinator serve over HTTPS on %s', (driver) => {
  let folder: string;
  let database: TestDatabase;
  let serve: ServeProcess;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    folder = mkdtempSync(join(tmpdir(), 'godwit-https-'));
    makeCertificates(folder);
    database = await createTestDatabase(driver);
    env = { PATH: process.env.PATH, HOME: process.env.HOME, ...(database.url && { DATABASE_URL: database.url }) };
  });
  afterAll(async () => {
    await serve?.stop();
    await database?.drop();
    rmSync(folder, { recursive: true, force: true });
  });

  it('listens on --host with the certificate; clients trust it through --ca or GODWIT_CA only', async () => {
    const file = (name: string) => join(folder, name);
    const unusable = await runCli(['serve', '--data-dir', file('unused'), '--http-tls-cert', file('server.key'), '--http-tls-key', file('server.key')], {});
    expect(unusable.code).toBe(2);
    expect(unusable.stderr).toMatch(/^coordinator: --http-tls-cert\/--http-tls-key: not a usable certificate and key/);
    const missing = await runCli(['serve', '--data-dir', file('unused'), '--http-tls-cert', file('missing.pem'), '--http-tls-key', file('server.key')], {});
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^coordinator: --http-tls-cert \S+missing\.pem: cannot read it \(ENOENT\)\n$/);
    expect(existsSync(file('unused'))).toBe(false);

    serve = await spawnServe(['--host', '127.0.0.1', '--http-port', '0', '--mqtt-port', '0', '--http-tls-cert', 'server.pem', '--http-tls-key', 'server.key'], env, folder);
    const match = /^coordinator ready: http (https:\/\/127\.0\.0\.1:\d+) mqtt mqtt:\/\/127\.0\.0\.1:\d+ /.exec(serve.ready);
    expect(match, serve.ready).not.toBeNull();
    const server = match![1]!;
    const adminToken = readFileSync(join(folder, 'godwit-data', 'admin-token'), 'utf8').trim();

    const untrusted = await runCli(['tenant', 'create', 'secure', '--server', server, '--token', adminToken], {}, folder);
    expect(untrusted).toMatchObject({ code: 1, stdout: '' });
    expect(untrusted.stderr).toMatch(/^coordinator: cannot reach https:\/\/127\.0\.0\.1:\d+: [A-Z_]+ .*--ca FILE or GODWIT_CA\n$/);
    expect((await runCli(['tenant', 'create', 'secure', '--server', server, '--token', adminToken, '--ca', 'other.pem'], {}, folder)).code).toBe(1);

    const created = await runCli(['tenant', 'create', 'secure', '--server', server, '--token', adminToken, '--ca', 'ca.pem', '--json'], {}, folder);
    expect(created.code, created.stderr).toBe(0);
    const tenant = JSON.parse(created.stdout);
    const client = { GODWIT_SERVER: server, GODWIT_TOKEN: tenant.token, GODWIT_CA: join(folder, 'ca.pem') };
    const device = await runCli(['device', 'register', 'gate-1', '--json'], client);
    expect(device.code, device.stderr).toBe(0);
    const shown = await runCli(['device', 'show', 'gate-1', '--json'], client);
    expect(JSON.parse(shown.stdout)).toMatchObject({ id: 'gate-1', tenant: tenant.id, events: [] });

    // Plain HTTP to the HTTPS port gets no API answer.
    expect((await runCli(['devices'], { ...client, GODWIT_SERVER: server.replace('https:', 'http:') })).code).toBe(1);
    expect((await runCli(['devices'], { ...client, GODWIT_CA: join(folder, 'server.key') })).code).toBe(2);
    expect((await runCli(['devices'], { ...client, GODWIT_SERVER: 'ftp://127.0.0.1' })).code).toBe(2);
    expect(await serve.stop()).toBe(0);
  });
});
