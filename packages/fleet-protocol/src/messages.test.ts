import { describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { pack } from 'msgpackr';
import { readSchema } from '@godwit/migration-bundle';
import { decodeAck, decodeCommand, decodePresence, decodeReport, encodeAck, encodeCommand, encodeNextReport, encodePresence, encodeReport, MAX_REPORT_BYTES, PROTOCOL_VERSION, validateReport, type StateReport } from './messages.js';
import { ProtocolError } from './protocol-error.js';

const report: StateReport = {
  v: PROTOCOL_VERSION,
  counter: 7,
  revision: 'a1b2c3d4e5f6',
  fingerprint: 'ab'.repeat(32),
  bundleSequence: 3,
  lastResults: [{ at: 1_700_000_000_000, from: null, to: 'a1b2c3d4e5f6', revisions: ['a1b2c3d4e5f6'], outcome: 'applied', durationMs: 12.5 }],
  events: [
    { at: 1_700_000_000_000, from: null, to: 'a1b2c3d4e5f6', revisions: ['a1b2c3d4e5f6'], outcome: 'applied', durationMs: 12.5, counter: 6 },
    { at: 1_700_000_000_500, from: 'a1b2c3d4e5f6', to: 'a1b2c3d4e5f6', revisions: [], outcome: 'refused', durationMs: 0, error: 'drift', counter: 7 },
  ],
};

function code(bytes: Uint8Array): string | undefined {
  try {
    decodeReport(bytes);
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(ProtocolError);
    return (error as ProtocolError).code;
  }
}

describe('report protocol', () => {
  it('round-trips reports and acks', () => {
    expect(decodeReport(encodeReport(report))).toEqual(report);
    expect(decodeAck(encodeAck({ v: PROTOCOL_VERSION, counter: 42 }))).toEqual({ v: PROTOCOL_VERSION, counter: 42 });
    expect(decodePresence(encodePresence({ v: PROTOCOL_VERSION, online: false }))).toEqual({ v: PROTOCOL_VERSION, online: false });
    expect(() => decodePresence(pack({ v: PROTOCOL_VERSION, online: 'yes' }))).toThrow(ProtocolError);
  });

  it('carries a live schema as the engine describes it', () => {
    const db = new Database(':memory:');
    db.exec(`create table events (id integer primary key autoincrement, kind text not null default 'x' collate nocase check (kind <> ''),
               parent integer references events(id) on delete cascade deferrable initially deferred, unique (kind, parent) on conflict replace);
             create index events_kind on events (lower(kind)) where parent is not null;
             create view kinds as select distinct kind from events;
             create trigger events_ai after insert on events begin select 1; end;`);
    const withSchema = { ...report, schema: readSchema(db) };
    expect(decodeReport(encodeReport(withSchema))).toEqual(withSchema);
  });

  it('a report too big for every unconfirmed event holds the oldest and claims only up to them', () => {
    const unconfirmed = Array.from({ length: 1200 }, (_, i) => ({ ...report.events[1]!, error: 'x'.repeat(400), counter: 100 + i }));
    const { payload, counter } = encodeNextReport({ ...report, counter: 2000, unconfirmed });
    expect(payload.byteLength).toBeLessThanOrEqual(MAX_REPORT_BYTES);
    const sent = decodeReport(payload);
    expect(sent.events[0]!.counter).toBe(100);
    expect(sent.counter).toBe(sent.events.at(-1)!.counter);
    expect(counter).toBe(sent.counter);
    expect(sent.counter).toBeLessThan(2000);
    const whole = encodeNextReport({ ...report, counter: 2000, unconfirmed: unconfirmed.slice(0, 3) });
    expect(decodeReport(whole.payload)).toMatchObject({ counter: 2000, events: unconfirmed.slice(0, 3) });
  });

  it("carries an upgrade's rows copied and table sizes when the agent sends them, and reports without them as before", () => {
    const sized = { ...report.events[0]!, rowsCopied: 12_500, tableSizes: [{ table: 'orders', before: 40_960, after: 45_056 }, { table: 'new_table', before: null, after: 4096 }] };
    const withSizes = { ...report, events: [sized, report.events[1]!] };
    expect(decodeReport(encodeReport(withSizes))).toEqual(withSizes);
    expect(decodeReport(encodeReport(report)).events[0]).not.toHaveProperty('rowsCopied');
    const bad = (event: object) => code(pack({ ...report, events: [{ ...report.events[0], ...event }, report.events[1]] }));
    expect(bad({ rowsCopied: -1 })).toBe('invalid');
    expect(bad({ rowsCopied: 1.5 })).toBe('invalid');
    expect(bad({ tableSizes: {} })).toBe('invalid');
    expect(bad({ tableSizes: [{ table: 'a', before: 1 }] })).toBe('invalid');
    expect(bad({ tableSizes: [{ table: 'a', before: 1, after: 2, rows: 3 }] })).toBe('invalid');
    expect(bad({ tableSizes: [{ table: 7, before: 1, after: 2 }] })).toBe('invalid');
    expect(bad({ tableSizes: [{ table: 'a\u0000', before: 1, after: 2 }] })).toBe('invalid');
    expect(bad({ tableSizes: Array.from({ length: 201 }, (_, i) => ({ table: `t${i}`, before: 1, after: 1 })) })).toBe('invalid');
  });

  it('drops what is not a report, naming the reason', () => {
    expect(code(Buffer.from([0x92, 0x01]))).toBe('malformed'); // a two-element array cut short
    expect(code(Buffer.alloc(MAX_REPORT_BYTES + 1))).toBe('too-large');
    expect(code(pack('hello'))).toBe('invalid');
    expect(code(pack({ ...report, v: 2 }))).toBe('invalid');
    expect(code(pack({ ...report, extra: 1 }))).toBe('invalid');
    expect(code(pack({ ...report, fingerprint: 'xyz' }))).toBe('invalid');
    expect(code(pack({ ...report, revision: 'Bad Id' }))).toBe('invalid');
    expect(code(pack({ ...report, counter: -1 }))).toBe('invalid');
    expect(code(pack({ ...report, counter: 1.5 }))).toBe('invalid');
    expect(code(pack({ ...report, counter: 6 }))).toBe('invalid'); // an event above the report counter
    expect(code(pack({ ...report, events: [...report.events].reverse() }))).toBe('invalid');
    expect(code(pack({ ...report, lastResults: [{ ...report.lastResults[0], outcome: 'great' }] }))).toBe('invalid');
    expect(code(pack({ ...report, schema: { tables: 'none' } }))).toBe('invalid');
  });

  it('refuses strings PostgreSQL cannot store and strings that are not UTF-8, anywhere in a report', () => {
    const withError = (error: string) => ({ ...report, events: [report.events[0]!, { ...report.events[1]!, error }] });
    expect(code(pack(withError('disk\u0000full')))).toBe('invalid');
    expect(code(pack({ ...report, lastResults: [{ ...report.lastResults[0]!, error: 'a\u0000' }] }))).toBe('invalid');
    expect(code(pack({ ...report, schema: { tables: { ['t\u0000']: {} } } }))).toBe('invalid');
    expect(() => validateReport(withError('x\ud800y'))).toThrow(/lone surrogate/);
    expect(() => validateReport({ ...report, schema: { tables: [{ name: 'a\udc00' }] } })).toThrow(/lone surrogate/);
    expect(validateReport(withError('paired \ud83d\ude00 and \ufffd are fine'))).toEqual(withError('paired \ud83d\ude00 and \ufffd are fine'));
    const bytes = Buffer.from(pack(withError('XYZW')));
    const at = bytes.indexOf('XYZW');
    bytes.set([0x41, 0xed, 0xa0, 0x80], at); // a UTF-8-encoded surrogate: not UTF-8
    expect(code(bytes)).toBe('invalid');
    bytes.set([0x41, 0xc3, 0xa9, 0x42], at); // é
    expect(code(bytes)).toBeUndefined();
  });
});

describe('command protocol', () => {
  const retry = { v: PROTOCOL_VERSION, command: 'retry', id: 'r1:1733200000000', bundle: 'ab'.repeat(32) } as const;
  const codeOf = (bytes: Uint8Array) => {
    try {
      decodeCommand(bytes);
      return undefined;
    } catch (error) {
      return (error as ProtocolError).code;
    }
  };

  it('round-trips a retry', () => {
    expect(decodeCommand(encodeCommand(retry))).toEqual(retry);
  });

  it('refuses a command that does not fit: unknown kinds and fields, a bad bundle hash, a NUL or oversized id, not UTF-8 (a lone surrogate cannot be encoded: it is not UTF-8)', () => {
    expect(codeOf(pack({ ...retry, command: 'wipe' }))).toBe('invalid');
    expect(codeOf(pack({ ...retry, extra: true }))).toBe('invalid');
    expect(codeOf(pack({ ...retry, v: 2 }))).toBe('invalid');
    expect(codeOf(pack({ ...retry, bundle: 'AB'.repeat(32) }))).toBe('invalid');
    expect(codeOf(pack({ ...retry, id: '' }))).toBe('invalid');
    expect(codeOf(pack({ ...retry, id: 'a\u0000b' }))).toBe('invalid');
    expect(codeOf(pack({ ...retry, id: 'x'.repeat(129) }))).toBe('invalid');
    expect(codeOf(Buffer.alloc(2000, 0x90))).toBe('too-large');
    expect(codeOf(pack('retry'))).toBe('invalid');
    const bytes = Buffer.from(pack({ ...retry, id: 'XYZW' }));
    bytes.set([0x41, 0xed, 0xa0, 0x80], bytes.indexOf('XYZW'));
    expect(codeOf(bytes)).toBe('invalid');
  });
});
