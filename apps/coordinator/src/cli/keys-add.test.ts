import { generateKeyPairSync } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../http/test-server.js';
import { testDrivers } from '../store/test-store.js';
import { runCli } from './test-cli.js';

const { publicKey, privateKey } = generateKeyPairSync('ed25519');
const PUBLIC = publicKey.export({ type: 'spki', format: 'pem' }).toString();
const PRIVATE = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const ENCRYPTED = privateKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'secret' }).toString();
/** Files that must never be trusted, and never leave the machine. */
const NOT_PUBLIC: Record<string, string> = {
  'release.key': PRIVATE,
  'encrypted.key': ENCRYPTED,
  'both.pub': `${PUBLIC}${PRIVATE}`,
  'rsa.pub': generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ type: 'spki', format: 'pem' }).toString(),
};

describe('coordinator keys add with something that is not a public key', () => {
  let folder: string;
  let server: Server;
  const requests: string[] = [];

  beforeAll(async () => {
    folder = mkdtempSync(join(tmpdir(), 'godwit-keys-'));
    for (const [name, text] of Object.entries(NOT_PUBLIC)) writeFileSync(join(folder, name), text);
    // Any service at all: whatever reaches it was sent over the wire.
    server = createServer((req, res) => {
      requests.push(`${req.method} ${req.url}`);
      res.writeHead(201, { 'content-type': 'application/json' }).end('{"keyId":"x","createdAt":"","added":true}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    rmSync(folder, { recursive: true, force: true });
  });

  it('refuses before sending: exit 2, one line saying what it is', async () => {
    const env = { GODWIT_SERVER: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, GODWIT_TOKEN: 'gwo_x' };
    for (const name of Object.keys(NOT_PUBLIC)) {
      const result = await runCli(['keys', 'add', name], env, folder);
      expect(result.code, name).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(/^coordinator: keys add: [^\n]+\n$/);
      expect(result.stderr).toContain(join(folder, name));
      expect(result.stderr).not.toContain('PRIVATE KEY');
    }
    expect((await runCli(['keys', 'add', 'release.key'], env, folder)).stderr).toMatch(/is a private key, not a public key: pass the \.pub file/);
    expect((await runCli(['keys', 'add', 'rsa.pub'], env, folder)).stderr).toMatch(/is not an Ed25519 key/);
    expect(requests).toEqual([]);
  });
});

describe.each(testDrivers())('POST /v1/keys with something that is not a public key on %s', (driver) => {
  let api: TestApi;
  let token: string;
  beforeAll(async () => {
    api = await startTestApi(driver);
    token = (await api.call('POST', '/v1/tenants', api.adminToken, { name: `keys-${driver}` })).json.token;
  });
  afterAll(() => api.close());

  it('answers 400 and trusts nothing', async () => {
    for (const [name, text] of Object.entries(NOT_PUBLIC)) {
      const res = await api.call('POST', '/v1/keys', token, { publicKey: text });
      expect(res.status, name).toBe(400);
      expect(res.json.error.message).toMatch(/^publicKey: (a private key|not an Ed25519 key)/);
    }
    expect((await api.call('GET', '/v1/keys', token)).json).toEqual([]);
    expect((await api.call('POST', '/v1/keys', token, { publicKey: PUBLIC })).status).toBe(201);
  });
});
