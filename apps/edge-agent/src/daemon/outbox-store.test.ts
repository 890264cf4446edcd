import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { MigrationResult } from '@godwit/fleet-protocol';
import { OutboxStore } from './outbox-store.js';

const dir = mkdtempSync(join(tmpdir(), 'outbox-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const state = (revision: string) => ({ revision, fingerprint: 'f'.repeat(64), bundleSequence: 1 });
const applied = (to: string): MigrationResult => ({ at: 1, from: null, to, revisions: [to], outcome: 'applied', durationMs: 3 });

describe('sidecar outbox', () => {
  it('numbers events and state changes with one counter, keeps them until acked, and survives reopening', () => {
    const path = join(dir, 'a.godwit-agent');
    let outbox = OutboxStore.open(path);
    expect(outbox.record({ results: [], state: state('rev_0001') })).toEqual([]);
    expect(outbox.counter).toBe(1);
    expect(outbox.record({ results: [], state: state('rev_0001') })).toEqual([]);
    expect(outbox.counter).toBe(1);
    expect(outbox.record({ results: [applied('rev_0002'), applied('rev_0003')], importedLogId: 7, state: state('rev_0003') })).toEqual([2, 3]);
    outbox.close();

    outbox = OutboxStore.open(path);
    expect(outbox.importedLogId).toBe(7);
    expect(outbox.unconfirmed().map((e) => [e.counter, e.to])).toEqual([[2, 'rev_0002'], [3, 'rev_0003']]);
    expect(outbox.acknowledge(2)).toBe('advanced');
    expect(outbox.acknowledge(1)).toBe('stale');
    expect(outbox.unconfirmed().map((e) => e.counter)).toEqual([3]);
    expect(outbox.lastResults().map((r) => r.to)).toEqual(['rev_0002', 'rev_0003']);
    expect(outbox.acknowledge(3)).toBe('advanced');
    expect(outbox.pending).toBe(false);
    outbox.close();
  });

  it('renumbers above an ack from an earlier life of the device, so the coordinator takes the events as new', () => {
    const outbox = OutboxStore.open(join(dir, 'b.godwit-agent'));
    outbox.record({ results: [applied('rev_0001')], state: state('rev_0001') });
    expect(outbox.acknowledge(40)).toBe('renumbered');
    expect(outbox.unconfirmed().map((e) => e.counter)).toEqual([41]);
    expect(outbox.counter).toBe(42);
    expect(outbox.pending).toBe(true);
    outbox.close();
  });

  it('remembers the bundles it handled', () => {
    const outbox = OutboxStore.open(join(dir, 'c.godwit-agent'));
    expect(outbox.markBundleSeen('ab')).toBe(true);
    expect(outbox.markBundleSeen('ab')).toBe(false);
    expect(outbox.hasSeenBundle('ab')).toBe(true);
    expect(outbox.hasSeenBundle('cd')).toBe(false);
    outbox.close();
  });
});
