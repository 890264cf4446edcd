import { describe, expect, it } from 'vitest';
import { decodeReport, encodeReport, PROTOCOL_VERSION } from '@godwit/fleet-protocol';
import type { ChangeReport } from '../apply/change-report.js';
import { applyResultOf, resultOfRun } from './migration-results.js';

/** An upgrade's report as `edge-agent upgrade --json` prints it: two revisions, one rebuilding orders. */
const report: ChangeReport = {
  command: 'upgrade',
  from: 'shop_0001',
  to: 'shop_0003',
  revisions: ['shop_0002', 'shop_0003'],
  durationMs: 840,
  outcome: 'applied',
  bundle: { id: 'b', sequence: 2 },
  forced: false,
  rollbackAllowed: true,
  drift: null,
  steps: [
    { revision: 'shop_0002', direction: 'up', durationMs: 20, rebuilt: [], statistics: null },
    { revision: 'shop_0003', direction: 'up', durationMs: 800, rebuilt: [{ table: 'orders', rowsCopied: 5000 }, { table: 'items', rowsCopied: 12 }], statistics: null },
  ],
  copies: { orders: 1, items: 1 },
  sizesBefore: { orders: 409_600, items: 4096 },
  sizesAfter: { orders: 450_560, items: 4096, tags: 8192 },
  backup: null,
  rehearsal: false,
  error: null,
};

describe('an upgrade report as a migration event', () => {
  it('carries the rows its rebuilds copied and each table size before and after, and passes the protocol', () => {
    const event = resultOfRun(applyResultOf(report, null), 'shop_0001');
    expect(event).toMatchObject({
      from: 'shop_0001',
      to: 'shop_0003',
      outcome: 'applied',
      rowsCopied: 5012,
      tableSizes: [
        { table: 'items', before: 4096, after: 4096 },
        { table: 'orders', before: 409_600, after: 450_560 },
        { table: 'tags', before: null, after: 8192 },
      ],
    });
    const sent = { v: PROTOCOL_VERSION, counter: 1, revision: 'shop_0003', fingerprint: 'a'.repeat(64), bundleSequence: 2, lastResults: [event], events: [{ ...event, counter: 1 }] };
    expect(decodeReport(encodeReport(sent)).events[0]).toEqual({ ...event, counter: 1 });
  });

  it('leaves both out when nothing ran (a refusal before any step)', () => {
    const refused = resultOfRun(applyResultOf({ ...report, outcome: 'refused', steps: [], sizesBefore: {}, sizesAfter: {}, revisions: [] }, null), 'shop_0001');
    expect(refused).not.toHaveProperty('rowsCopied');
    expect(refused).not.toHaveProperty('tableSizes');
  });
});
