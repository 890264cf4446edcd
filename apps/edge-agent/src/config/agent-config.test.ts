import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readAgentConfig } from './agent-config.js';

const dir = mkdtempSync(join(tmpdir(), 'agent-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const valid = { db: 'app.db', trust: ['keys/release.pub'], bundles: 'inbox', mqtt: { url: 'mqtt://b', username: 'u', password: 'p' } };

function write(config: unknown): string {
  const path = join(dir, `config-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(path, typeof config === 'string' ? config : JSON.stringify(config));
  return path;
}

describe('agent config', () => {
  it('resolves paths against the config file\'s folder', () => {
    const config = readAgentConfig(write({ ...valid, keepBackups: 5 }));
    expect(config).toMatchObject({ db: join(dir, 'app.db'), trust: [join(dir, 'keys/release.pub')], bundles: join(dir, 'inbox'), keepBackups: 5 });
  });

  it.each([
    [{ ...valid, extra: 1 }, /unknown key "extra"/],
    [{ ...valid, mqtt: { ...valid.mqtt, qos: 1 } }, /unknown key "mqtt.qos"/],
    [{ trust: valid.trust, bundles: 'b', mqtt: valid.mqtt }, /missing key "db"/],
    [{ ...valid, mqtt: { url: 'mqtt://b', username: 'u' } }, /missing key "mqtt.password"/],
    [{ ...valid, trust: [] }, /"trust" must be a non-empty array/],
    [{ ...valid, keepBackups: -1 }, /"keepBackups" must be a whole number/],
    ['{ not json', /cannot read config/],
  ])('refuses %j as a usage error', (config, message) => {
    expect(() => readAgentConfig(write(config))).toThrow(expect.objectContaining({ code: 'usage', message: expect.stringMatching(message) }));
  });
});
