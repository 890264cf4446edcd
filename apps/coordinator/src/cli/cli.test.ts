import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPair, makeTestBundle, schemaWithTables } from '../bundles/test-bundles.js';
import { startTestApi, type TestApi } from '../http/test-server.js';
import { testDrivers } from '../store/test-store.js';
import { runCli } from './test-cli.js';

const COMMANDS = [
  ['serve'],
  ['tenant', 'create'],
  ['keys', 'add'],
  ['device', 'register'],
  ['device', 'show'],
  ['publish'],
  ['bundle', 'upload'],
  ['rollout', 'status'],
  ['rollout', 'pause'],
  ['rollout', 'resume'],
  ['rollout', 'retry'],
  ['rollout', 'widen'],
  ['devices'],
  ['drift'],
];

describe('coordinator CLI without a service', () => {
  it('answers --help on every command', async () => {
    for (const command of COMMANDS) {
      const result = await runCli([...command, '--help'], {});
      expect(result.code, command.join(' ')).toBe(0);
      expect(result.stdout).toMatch(new RegExp(`^usage: coordinator ${command.join(' ')}`));
    }
    expect((await runCli(['--help'], {})).stdout).toMatch(/^  rollout widen +Widen a percentage rollout/m);
  });

  it('exits 2 with one line for usage mistakes', async () => {
    const bare = await runCli([], {});
    expect(bare.code).toBe(2);
    expect(bare.stderr).toMatch(/^usage: coordinator COMMAND/);
    for (const args of [['nope'], ['rollout', 'explode', 'x'], ['devices', 'extra'], ['device', 'register'], ['publish', 'b.bundle'], ['publish', 'b', '--channel', 'c', '--percent', '5', '--select', 'a=b'], ['publish', 'b', '--channel', 'no/slash'], ['rollout', 'widen', 'id'], ['rollout', 'widen', 'id', '--percent', '150'], ['device', 'register', 'd', '--label', 'novalue'], ['devices', '--bogus'], ['serve', '--http-port', 'x']]) {
      const result = await runCli(args, {});
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(/^coordinator: [^\n]+\n$/);
    }
  });

  it('exits 1 naming the server when it cannot reach it', async () => {
    const result = await runCli(['devices'], { GODWIT_SERVER: 'http://127.0.0.1:9', GODWIT_TOKEN: 't' });
    expect(result).toMatchObject({ code: 1, stdout: '' });
    expect(result.stderr).toMatch(/^coordinator: cannot reach http:\/\/127\.0\.0\.1:9/);
  });
});

describe.each(testDrivers())('coordinator CLI against the API on %s', (driver) => {
  let api: TestApi;
  let folder: string;
  let env: Record<string, string>;
  let tenant: { id: string; name: string; token: string };
  const signer = generateKeyPair();
  const json = async (args: string[], extra: Record<string, string> = {}) => {
    const result = await runCli([...args, '--json'], { ...env, ...extra }, folder);
    expect(result.code, result.stderr).toBe(0);
    return JSON.parse(result.stdout);
  };

  beforeAll(async () => {
    api = await startTestApi(driver);
    folder = mkdtempSync(join(tmpdir(), 'godwit-cli-'));
    writeFileSync(join(folder, 'release.pub'), signer.publicKey.export({ type: 'spki', format: 'pem' }));
    env = { GODWIT_SERVER: api.url };
  });
  afterAll(async () => {
    await api.close();
    rmSync(folder, { recursive: true, force: true });
  });

  it('tenant create prints { id, name, token } with the admin token only', async () => {
    tenant = await json(['tenant', 'create', 'acme'], { GODWIT_TOKEN: api.adminToken });
    expect(Object.keys(tenant).sort()).toEqual(['id', 'name', 'token']);
    expect(tenant.name).toBe('acme');
    env.GODWIT_TOKEN = tenant.token;
    expect((await runCli(['tenant', 'create', 'x'], env)).code).toBe(7);
    expect((await runCli(['tenant', 'create', 'x', '--token', 'wrong'], env)).code).toBe(7);
    const viaFlag = await runCli(['tenant', 'create', 'second', '--token', api.adminToken], env);
    expect(viaFlag.code).toBe(0);
    expect(viaFlag.stdout).toMatch(/^tenant [0-9a-f-]{36} \(second\)\noperator token \(shown once\): gwo_/);
  });

  it('keys add trusts a public key file', async () => {
    expect((await runCli(['keys', 'add', 'release.pub'], env, folder)).stdout).toMatch(/^trusted: key [0-9a-f]+/);
    expect((await runCli(['keys', 'add', 'missing.pub'], env, folder)).code).toBe(1);
  });

  it('device register prints { id, tenant, channel, mqtt: { username, password } }', async () => {
    const device = await json(['device', 'register', 'pump-1', '--channel', 'stable', '--label', 'site=north', '--label', 'hw=v2']);
    expect(device).toEqual({ id: 'pump-1', tenant: tenant.id, channel: 'stable', mqtt: { username: expect.any(String), password: expect.any(String) } });
    expect(await api.store.authenticateDevice(device.mqtt.username, device.mqtt.password)).toMatchObject({ deviceId: 'pump-1' });
    expect((await api.store.devices.get(tenant.id, 'pump-1')).labels).toEqual({ site: 'north', hw: 'v2' });
    expect((await runCli(['device', 'register', 'pump-1'], env)).code).toBe(1);
    expect((await runCli(['device', 'register', 'bad/id'], env)).code).toBe(2);
  });

  it('publish stores a bundle and starts a rollout; refused bundles exit 3', async () => {
    for (let i = 2; i <= 10; i++) await json(['device', 'register', `pump-${i}`, '--channel', 'stable']);
    const good = makeTestBundle(signer.privateKey, ['rev_0001']);
    writeFileSync(join(folder, 'good.bundle'), good.bytes);
    writeFileSync(join(folder, 'stranger.bundle'), makeTestBundle(generateKeyPair().privateKey, ['rev_0001']).bytes);
    writeFileSync(join(folder, 'garbage.bundle'), 'not a bundle');

    const published = await json(['publish', 'good.bundle', '--channel', 'stable', '--percent', '40']);
    expect(published).toEqual({ rollout: expect.any(String), bundle: good.bundleId, targets: expect.any(Array) });
    expect(published.targets).toHaveLength(4);
    const stranger = await runCli(['publish', 'stranger.bundle', '--channel', 'stable'], env, folder);
    expect(stranger.code).toBe(3);
    expect(stranger.stderr).toMatch(/^coordinator: untrusted-key: /);
    expect((await runCli(['publish', 'garbage.bundle', '--channel', 'stable'], env, folder)).code).toBe(3);
    expect((await runCli(['publish', 'missing.bundle', '--channel', 'stable'], env, folder)).code).toBe(1);

    const selected = await json(['publish', 'good.bundle', '--channel', 'stable', '--select', 'site=north']);
    expect(selected.targets).toEqual(['pump-1']);
  });

  it('rollout status, pause, widen and resume', async () => {
    const rollouts: { id: string; percent: number | null }[] = await (await fetch(`${api.url}/v1/rollouts`, { headers: { authorization: `Bearer ${tenant.token}` } })).json();
    const id = rollouts.find((r) => r.percent === 40)!.id;
    const first: string[] = (await json(['rollout', 'status', id])).targets;
    expect(first).toHaveLength(4);
    expect(await json(['rollout', 'pause', id])).toMatchObject({ state: 'paused' });
    expect(await json(['rollout', 'widen', id, '--percent', '70'])).toMatchObject({ targets: first, percent: 70 });
    const resumed = await json(['rollout', 'resume', id]);
    expect(resumed.state).toBe('active');
    expect(resumed.targets).toHaveLength(7);
    expect(resumed.targets.slice(0, 4)).toEqual(first);
    // Nothing failed: a retry answers the rollout unchanged.
    expect(await json(['rollout', 'retry', id])).toMatchObject({ state: 'active', failed: 0, pending: 7 });
    expect((await runCli(['rollout', 'status', id], env)).stdout).toMatch(/^rollout .*: active\nbundle .* on channel stable, 70%\ntargets 7: 0 succeeded, 0 failed, 0 applying, 7 pending\nDEVICE\s+STATUS\s+SINCE\s+ERROR\n(pump-\d+\s+pending\s+\S+\n){7}$/);
    expect((await runCli(['rollout', 'status', '00000000-0000-4000-8000-000000000000'], env)).code).toBe(7);

    const other = await json(['tenant', 'create', 'other'], { GODWIT_TOKEN: api.adminToken });
    expect((await runCli(['rollout', 'pause', id], { ...env, GODWIT_TOKEN: other.token })).code).toBe(7);
    expect((await json(['rollout', 'status', id])).state).toBe('active');
  });

  it('devices and drift print the contract fields', async () => {
    const expected = makeTestBundle(signer.privateKey, ['rev_0001']).revisions.get('rev_0001')!;
    const state = (deviceId: string, fingerprint: string, schema: ReturnType<typeof schemaWithTables> | null) => ({
      tenantId: tenant.id, deviceId, counter: 1, revision: 'rev_0001', fingerprint, bundleSequence: 1, lastResults: [], schema, receivedAt: new Date(),
    });
    await api.store.writeReports([state('pump-1', expected.fingerprint, null), state('pump-2', 'e'.repeat(64), schemaWithTables('t_0', 'rogue'))], []);

    const devices = await json(['devices']);
    expect(devices).toHaveLength(10);
    for (const d of devices) {
      for (const key of ['id', 'tenant', 'channel', 'revision', 'fingerprint', 'drift', 'online', 'lastSeen']) expect(d).toHaveProperty(key);
      expect(typeof d.drift).toBe('boolean');
      expect(typeof d.online).toBe('boolean');
    }
    expect(devices.find((d: { id: string }) => d.id === 'pump-1')).toMatchObject({ revision: 'rev_0001', drift: false, online: true });

    const drift = await json(['drift']);
    expect(drift).toEqual([expect.objectContaining({ id: 'pump-2', drift: true, revision: 'rev_0001', diff: expect.stringMatching(/rogue/) })]);
    const text = await runCli(['drift'], env);
    expect(text.stdout).toMatch(/^pump-2 at rev_0001:\n {2}/);
    expect((await runCli(['devices'], env)).stdout).toMatch(/^ID\s+CHANNEL\s+REVISION\s+FINGERPRINT\s+DRIFT\s+ONLINE\s+LAST SEEN\n/);
  });
});
