/**
 * The device ⇄ coordinator wire protocol (docs/mqtt.md): msgpackr-encoded messages on per-device
 * topics. This module is shared by the coordinator, the simulated devices and the edge agent, so
 * that both ends encode and validate the same shapes.
 *
 * A device numbers everything it reports (state snapshots and migration events) with one counter
 * that only grows. A report carries the current state, the device's newest counter, and the
 * unconfirmed events starting from the oldest one. Because every report starts at the oldest
 * unconfirmed event, storing a report with counter N means everything up to N is stored, so the
 * coordinator's confirmation is a single number even when replicas store reports out of order.
 */
import { Packr } from 'msgpackr';
import { REVISION_ID, schemaDescriptionShape, type SchemaDescription } from '@godwit/migration-bundle/device';
import { ProtocolError } from './protocol-error.js';
import { msgpackStringsAreUtf8 } from './msgpack-utf8.js';
import { firstUnstorableString } from './storable-text.js';

export const PROTOCOL_VERSION = 1;
/** Largest encoded report the coordinator accepts; larger ones are dropped unread. */
export const MAX_REPORT_BYTES = 256 * 1024;
export const MAX_EVENTS_PER_REPORT = 500;
export const MAX_LAST_RESULTS = 20;
/** Table sizes one event carries at most (a run touching more keeps the first, by name). */
export const MAX_TABLE_SIZES = 200;
/** The longest table name a migration event's tableSizes may carry. */
export const MAX_TABLE_NAME_CHARS = 256;
/** The longest error text a migration event may carry. */
export const MAX_ERROR_CHARS = 1000;

export const OUTCOMES = ['applied', 'up-to-date', 'rolled-back', 'refused'] as const;
export type Outcome = (typeof OUTCOMES)[number];

/** What one `edge-agent upgrade` run did: the same fields as its `--json` output. */
export interface MigrationResult {
  /** Milliseconds since the epoch. */
  at: number;
  from: string | null;
  to: string | null;
  revisions: string[];
  outcome: Outcome;
  durationMs: number;
  /** One-line reason when the outcome is `rolled-back` or `refused`. */
  error?: string;
  /** True when `--force` overrode a drift refusal. */
  forced?: boolean;
  /** Rows the run's table rebuilds copied, all tables together (absent: an agent that does not say). */
  rowsCopied?: number;
  /** Bytes of each table the run touched, with its indexes, before and after (null: not measured). */
  tableSizes?: TableSize[];
}

export interface TableSize {
  table: string;
  before: number | null;
  after: number | null;
}

export interface MigrationEvent extends MigrationResult {
  counter: number;
}

export interface StateReport {
  v: typeof PROTOCOL_VERSION;
  /** The device's newest counter when it sent this report. */
  counter: number;
  revision: string | null;
  fingerprint: string;
  bundleSequence: number | null;
  lastResults: MigrationResult[];
  /** The live schema, so the coordinator can show a readable drift diff. */
  schema?: SchemaDescription;
  /** Unconfirmed events, oldest first, starting from the oldest unconfirmed one. */
  events: MigrationEvent[];
}

/**
 * Device → coordinator on its `presence` topic: `online: true` after each connect, `online: false`
 * before a clean disconnect and as the connection's last will. Only an external broker needs it:
 * the embedded one sees connections itself.
 */
export interface PresenceMessage {
  v: typeof PROTOCOL_VERSION;
  online: boolean;
}

/** Coordinator → device on its `ack` topic: everything up to `counter` is stored. */
export interface Ack {
  v: typeof PROTOCOL_VERSION;
  counter: number;
}

/**
 * Coordinator → device on its `cmd` topic (QoS 1, not retained). `retry`: an operator retried the
 * device's failed rollout; the device forgets that it handled the bundle with these bytes (SHA-256)
 * and takes its retained bundle topic again, unless it is already at that bundle. `id` names the
 * retry, so a QoS 1 redelivery of the same command is acted on once.
 */
export interface Command {
  v: typeof PROTOCOL_VERSION;
  command: 'retry';
  id: string;
  bundle: string;
}

/** The longest command id. */
export const MAX_COMMAND_ID_CHARS = 128;

// Plain structures only: no record extension, so any msgpack encoder on a device can talk to us.
const packr = new Packr({ useRecords: false, mapsAsObjects: true, int64AsType: 'number' });

export function encodeReport(report: StateReport): Buffer {
  return packr.pack(report);
}

export interface ReportContent {
  /** The device's newest counter. */
  counter: number;
  revision: string | null;
  fingerprint: string;
  bundleSequence: number | null;
  lastResults: MigrationResult[];
  schema?: SchemaDescription;
  /** Every unconfirmed event, oldest first. */
  unconfirmed: MigrationEvent[];
}

/**
 * The report a device sends now, encoded: its state and as many unconfirmed events as fit, always
 * from the oldest. When not all fit, the report claims only up to the last event it holds, so that
 * its confirmation never covers an event it did not carry.
 */
export function encodeNextReport(content: ReportContent): { payload: Buffer; counter: number } {
  const { unconfirmed, ...state } = content;
  let take = Math.min(unconfirmed.length, MAX_EVENTS_PER_REPORT);
  for (;;) {
    const events = unconfirmed.slice(0, take);
    const counter = take < unconfirmed.length ? events[take - 1]!.counter : state.counter;
    const payload = encodeReport({ v: PROTOCOL_VERSION, ...state, counter, events });
    if (payload.byteLength <= MAX_REPORT_BYTES || take <= 1) return { payload, counter };
    take = Math.floor(take / 2);
  }
}

export function encodeAck(ack: Ack): Buffer {
  return packr.pack(ack);
}

/** Decodes and validates a report; throws ProtocolError naming the first problem. */
export function decodeReport(bytes: Uint8Array): StateReport {
  if (bytes.byteLength > MAX_REPORT_BYTES) {
    throw new ProtocolError('too-large', `report of ${bytes.byteLength} bytes exceeds ${MAX_REPORT_BYTES}`);
  }
  // Before decoding: msgpackr throws on some byte sequences that are not UTF-8 and replaces others.
  if (!msgpackStringsAreUtf8(bytes)) throw new ProtocolError('invalid', 'report: a string that is not UTF-8');
  return validateReport(unpack(bytes));
}

export function encodePresence(presence: PresenceMessage): Buffer {
  return packr.pack(presence);
}

export function decodePresence(bytes: Uint8Array): PresenceMessage {
  if (bytes.byteLength > 64) throw new ProtocolError('too-large', `presence of ${bytes.byteLength} bytes`);
  const o = record(unpack(bytes), 'presence');
  onlyKeys(o, ['v', 'online'], 'presence');
  if (o.v !== PROTOCOL_VERSION) throw new ProtocolError('invalid', `presence: unsupported version ${String(o.v)}`);
  if (typeof o.online !== 'boolean') throw new ProtocolError('invalid', 'presence.online: not a boolean');
  return { v: PROTOCOL_VERSION, online: o.online };
}

export function decodeAck(bytes: Uint8Array): Ack {
  const value = unpack(bytes);
  const o = record(value, 'ack');
  onlyKeys(o, ['v', 'counter'], 'ack');
  if (o.v !== PROTOCOL_VERSION) throw new ProtocolError('invalid', `ack: unsupported version ${String(o.v)}`);
  return { v: PROTOCOL_VERSION, counter: counter(o.counter, 'ack.counter') };
}

export function encodeCommand(command: Command): Buffer {
  return packr.pack(command);
}

/** Validates a command; an unknown `command` is refused like any other field that does not fit. */
export function decodeCommand(bytes: Uint8Array): Command {
  if (bytes.byteLength > 1024) throw new ProtocolError('too-large', `command of ${bytes.byteLength} bytes`);
  if (!msgpackStringsAreUtf8(bytes)) throw new ProtocolError('invalid', 'command: a string that is not UTF-8');
  const o = record(unpack(bytes), 'command');
  onlyKeys(o, ['v', 'command', 'id', 'bundle'], 'command');
  if (o.v !== PROTOCOL_VERSION) throw new ProtocolError('invalid', `command: unsupported version ${String(o.v)}`);
  if (o.command !== 'retry') throw new ProtocolError('invalid', `command: unknown command ${JSON.stringify(String(o.command)).slice(0, 80)}`);
  const id = text(o.id, MAX_COMMAND_ID_CHARS, 'command.id');
  if (id === '' || firstUnstorableString(id, 'command.id')) throw new ProtocolError('invalid', 'command.id: empty, or a NUL character or a lone surrogate');
  return { v: PROTOCOL_VERSION, command: 'retry', id, bundle: fingerprint(o.bundle, 'command.bundle') };
}

function unpack(bytes: Uint8Array): unknown {
  try {
    return packr.unpack(bytes);
  } catch (error) {
    throw new ProtocolError('malformed', `not msgpack: ${(error as Error).message}`);
  }
}

/**
 * Checks a decoded report against the protocol, NUL characters and lone surrogates included
 * (PostgreSQL stores neither); throws ProtocolError naming the first problem.
 */
export function validateReport(value: unknown): StateReport {
  const unstorable = firstUnstorableString(value, 'report');
  if (unstorable) throw new ProtocolError('invalid', `${unstorable}: a NUL character or a lone surrogate`);
  const o = record(value, 'report');
  onlyKeys(o, ['v', 'counter', 'revision', 'fingerprint', 'bundleSequence', 'lastResults', 'schema', 'events'], 'report');
  if (o.v !== PROTOCOL_VERSION) throw new ProtocolError('invalid', `report: unsupported version ${String(o.v)}`);
  const report: StateReport = {
    v: PROTOCOL_VERSION,
    counter: counter(o.counter, 'counter'),
    revision: nullable(o.revision, revisionId, 'revision'),
    fingerprint: fingerprint(o.fingerprint, 'fingerprint'),
    bundleSequence: nullable(o.bundleSequence, counter, 'bundleSequence'),
    lastResults: list(o.lastResults, MAX_LAST_RESULTS, 'lastResults').map((r, i) => result(r, `lastResults[${i}]`)),
    events: list(o.events, MAX_EVENTS_PER_REPORT, 'events').map((e, i) => event(e, `events[${i}]`)),
  };
  if (o.schema !== undefined) report.schema = schemaDescription(o.schema);
  let previous = 0;
  for (const e of report.events) {
    if (e.counter <= previous) throw new ProtocolError('invalid', 'events: counters must increase');
    previous = e.counter;
  }
  if (previous > report.counter) throw new ProtocolError('invalid', 'events: counter above the report counter');
  return report;
}

/**
 * One migration result as a report must carry it (the same rules as inside validateReport, storable
 * text included): what a device checks before it records an event it will have to report.
 */
export function validateMigrationResult(value: unknown): MigrationResult {
  const checked = result(value, 'result');
  const unstorable = firstUnstorableString(checked, 'result');
  if (unstorable) throw new ProtocolError('invalid', `${unstorable}: a NUL character or a lone surrogate`);
  return checked;
}

function event(value: unknown, where: string): MigrationEvent {
  const o = record(value, where);
  const { counter: c, ...rest } = o;
  return { ...result(rest, where), counter: counter(c, `${where}.counter`) };
}

function result(value: unknown, where: string): MigrationResult {
  const o = record(value, where);
  onlyKeys(o, ['at', 'from', 'to', 'revisions', 'outcome', 'durationMs', 'error', 'forced', 'rowsCopied', 'tableSizes'], where);
  if (!OUTCOMES.includes(o.outcome as Outcome)) throw new ProtocolError('invalid', `${where}.outcome: not one of ${OUTCOMES.join(', ')}`);
  const r: MigrationResult = {
    at: counter(o.at, `${where}.at`),
    from: nullable(o.from, revisionId, `${where}.from`),
    to: nullable(o.to, revisionId, `${where}.to`),
    revisions: list(o.revisions, 10_000, `${where}.revisions`).map((id, i) => revisionId(id, `${where}.revisions[${i}]`)),
    outcome: o.outcome as Outcome,
    durationMs: nonNegative(o.durationMs, `${where}.durationMs`),
  };
  if (o.error !== undefined) r.error = text(o.error, MAX_ERROR_CHARS, `${where}.error`);
  if (o.forced !== undefined) {
    if (typeof o.forced !== 'boolean') throw new ProtocolError('invalid', `${where}.forced: not a boolean`);
    r.forced = o.forced;
  }
  if (o.rowsCopied !== undefined) r.rowsCopied = counter(o.rowsCopied, `${where}.rowsCopied`);
  if (o.tableSizes !== undefined) {
    r.tableSizes = list(o.tableSizes, MAX_TABLE_SIZES, `${where}.tableSizes`).map((size, i) => tableSize(size, `${where}.tableSizes[${i}]`));
  }
  return r;
}

function tableSize(value: unknown, where: string): TableSize {
  const o = record(value, where);
  onlyKeys(o, ['table', 'before', 'after'], where);
  return {
    table: text(o.table, MAX_TABLE_NAME_CHARS, `${where}.table`),
    before: nullable(o.before, counter, `${where}.before`),
    after: nullable(o.after, counter, `${where}.after`),
  };
}

function record(value: unknown, where: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || value instanceof Uint8Array) {
    throw new ProtocolError('invalid', `${where}: not a map`);
  }
  return value as Record<string, unknown>;
}

function onlyKeys(o: Record<string, unknown>, allowed: string[], where: string): void {
  for (const key of Object.keys(o)) {
    if (!allowed.includes(key)) throw new ProtocolError('invalid', `${where}: unknown field ${JSON.stringify(key).slice(0, 80)}`);
  }
}

function list(value: unknown, max: number, where: string): unknown[] {
  if (!Array.isArray(value)) throw new ProtocolError('invalid', `${where}: not a list`);
  if (value.length > max) throw new ProtocolError('invalid', `${where}: more than ${max} entries`);
  return value;
}

function counter(value: unknown, where: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new ProtocolError('invalid', `${where}: not a non-negative integer`);
  }
  return value;
}

function nonNegative(value: unknown, where: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new ProtocolError('invalid', `${where}: not a non-negative number`);
  }
  return value;
}

function text(value: unknown, max: number, where: string): string {
  if (typeof value !== 'string' || value.length > max) throw new ProtocolError('invalid', `${where}: not a string of at most ${max} characters`);
  return value;
}

function revisionId(value: unknown, where: string): string {
  if (typeof value !== 'string' || !REVISION_ID.test(value)) throw new ProtocolError('invalid', `${where}: not a revision id`);
  return value;
}

function schemaDescription(value: unknown): SchemaDescription {
  try {
    return schemaDescriptionShape(value, 'schema');
  } catch (error) {
    throw new ProtocolError('invalid', (error as Error).message);
  }
}

function fingerprint(value: unknown, where: string): string {
  if (typeof value !== 'string' || !/^[0-9a-f]{64}$/.test(value)) throw new ProtocolError('invalid', `${where}: not a hex SHA-256`);
  return value;
}

function nullable<T>(value: unknown, check: (v: unknown, where: string) => T, where: string): T | null {
  return value === null ? null : check(value, where);
}
