import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeFileAtomic } from './atomic-write.js';
import { reconnectDelay } from './backoff.js';
import { deviceIdentity } from './device-identity.js';
import { createLogger } from './logger.js';

const dir = mkdtempSync(join(tmpdir(), 'daemon-parts-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('daemon parts', () => {
  it('derives the device topics from the coordinator\'s <tenant>:<device> username', () => {
    const device = deviceIdentity('0b6c8a1e-5f1b-4c59-9d6e-2f8f3f6f1a10:pump-7:a');
    expect(device).toMatchObject({ tenantId: '0b6c8a1e-5f1b-4c59-9d6e-2f8f3f6f1a10', deviceId: 'pump-7:a' });
    expect(device.topics.bundle).toBe('godwit/0b6c8a1e-5f1b-4c59-9d6e-2f8f3f6f1a10/devices/pump-7:a/bundle');
    for (const bad of ['device-17', ':dev', 'tenant:', 'tenant:dev/x', 'tenant:dev+']) {
      expect(() => deviceIdentity(bad)).toThrow(expect.objectContaining({ code: 'usage' }));
    }
  });

  it('backs off exponentially with full jitter, never above the cap', () => {
    const backoff = { baseMs: 1000, capMs: 30_000 };
    expect([0, 1, 2, 3, 4, 5, 50].map((attempt) => reconnectDelay(backoff, attempt, () => 0.999_999))).toEqual([999, 1999, 3999, 7999, 15_999, 29_999, 29_999]);
    expect(reconnectDelay(backoff, 7, () => 0)).toBe(0);
  });

  it('logs one line per event, as text or JSON', () => {
    const lines: string[] = [];
    const out = { write: (line: string) => lines.push(line) };
    createLogger('text', out)('refused', { error: 'bad\nsignature', to: 'rev_0001', revisions: ['a', 'b'], skipped: undefined });
    createLogger('json', out)('applied', { to: 'rev_0002' });
    expect(lines[0]).toBe('refused error="bad\\nsignature" to=rev_0001 revisions=a,b\n');
    expect(JSON.parse(lines[1]!)).toMatchObject({ event: 'applied', to: 'rev_0002', time: expect.any(String) });
  });

  it('writes a file whole under its final name, leaving no temporary file', () => {
    const path = join(dir, 'b.mbundle');
    writeFileAtomic(path, Buffer.from('first'));
    writeFileAtomic(path, Buffer.from('second'));
    expect(readFileSync(path, 'utf8')).toBe('second');
    expect(readdirSync(dir)).toEqual(['b.mbundle']);
  });
});
