import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeReport, encodeNextReport, MAX_ERROR_CHARS, type MigrationResult } from '@godwit/fleet-protocol';
import { deviceIdentity } from './device-identity.js';
import { MqttSession } from './mqtt-session.js';
import { OutboxStore } from './outbox-store.js';
import { oneLine } from './reportable-result.js';
import { upgradeWork } from './upgrade-work.js';

const dir = mkdtempSync(join(tmpdir(), 'reportable-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const applied: MigrationResult = { at: 1_700_000_000_000, from: 'shop_0001', to: 'shop_0002', revisions: ['shop_0002'], outcome: 'applied', durationMs: 40 };

describe('what the daemon records is what the coordinator takes', () => {
  it('events that the protocol would refuse are mended before they are recorded, so no report is ever refused for them', () => {
    const longName = 't'.repeat(300);
    const outbox = OutboxStore.open(join(dir, 'a.godwit-agent'));
    outbox.record({
      results: [
        // A table name SQLite takes and the protocol does not: its size is left out, the rest kept.
        { ...applied, ...upgradeWork(12, { [longName]: 4096, orders: 8192 }, { [longName]: 4096, orders: 8192 }) },
        // An error text with a NUL, a lone surrogate, a second line and more than the protocol takes.
        { ...applied, outcome: 'rolled-back', error: `CHECK failed: \u0000 \ud800 ${'é'.repeat(2000)}\nsecond line` },
        // Something no mending of the error can fix: the event still goes out, saying so.
        { ...applied, to: 'not a revision id!' },
      ],
      state: { revision: 'shop_0002', fingerprint: 'f'.repeat(64), bundleSequence: 3 },
    });
    const { payload } = encodeNextReport({ counter: outbox.counter, revision: 'shop_0002', fingerprint: 'f'.repeat(64), bundleSequence: 3, lastResults: outbox.lastResults(), unconfirmed: outbox.unconfirmed() });
    const [sized, failed, bare] = decodeReport(payload).events;
    outbox.close();

    expect(sized).toMatchObject({ to: 'shop_0002', rowsCopied: 12, tableSizes: [{ table: 'orders', before: 8192, after: 8192 }] });
    expect(failed!.error).toHaveLength(MAX_ERROR_CHARS);
    expect(failed!.error).toMatch(/^CHECK failed: \ufffd \ufffd é+\.\.\.$/);
    expect(bare).toMatchObject({ outcome: 'applied', from: null, to: null, error: expect.stringMatching(/^event not reportable as recorded: result\.to: not a revision id/) });
  });

  it('never cuts an error between the two halves of a surrogate pair', () => {
    const cut = oneLine(`${'a'.repeat(MAX_ERROR_CHARS - 4)}😀😀😀`);
    expect(cut.isWellFormed()).toBe(true);
    expect(cut.endsWith('a...')).toBe(true);
  });

  it('refuses MQTT credentials the protocol cannot carry as a usage error at start, not a crash on connect', () => {
    const device = deviceIdentity('0b6c8a1e-5f1b-4c59-9d6e-2f8f3f6f1a10:pump-7');
    const options = { url: 'mqtt://127.0.0.1:1', device, password: 'p'.repeat(70_000), ca: null, keepaliveSeconds: 30, reconnect: { baseMs: 1000, capMs: 30_000 }, subscriptions: [], maxMessageBytes: 1024 };
    expect(() => new MqttSession(options, { connected: () => {}, message: () => {} }, () => {})).toThrow(expect.objectContaining({ code: 'usage', message: expect.stringMatching(/longer than 65535 \(check mqtt\.username and mqtt\.password\)/) }));
    expect(() => new MqttSession({ ...options, password: 'p', url: 'ws://broker' }, { connected: () => {}, message: () => {} }, () => {})).toThrow(/scheme "ws" is not supported/);
  });
});
