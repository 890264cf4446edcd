/**
 * What ingest and MQTT need from the store. The store (src/store) satisfies it; nothing here knows
 * about SQL.
 */
import type { MigrationEvent, MigrationResult } from '@godwit/fleet-protocol';
import type { SchemaDescription } from '../bundles/engine.js';

export interface DeviceIdentity {
  tenantId: string;
  deviceId: string;
  channel: string | null;
}

export interface DeviceStateWrite {
  tenantId: string;
  deviceId: string;
  counter: number;
  revision: string | null;
  fingerprint: string;
  bundleSequence: number | null;
  lastResults: MigrationResult[];
  schema: SchemaDescription | null;
  receivedAt: Date;
}

export interface EventWrite extends MigrationEvent {
  tenantId: string;
  deviceId: string;
}

export interface StoredCounter {
  tenantId: string;
  deviceId: string;
  /** The highest counter stored for the device after the write. */
  counter: number;
}

export interface IngestStore {
  /** The device whose MQTT username this is, if the secret matches and it is not revoked; else null. */
  authenticateDevice(username: string, secret: string): Promise<DeviceIdentity | null>;
  /**
   * One transaction, idempotent: an event is inserted once per (tenant, device, counter); a state
   * replaces the stored one only when its counter is higher (several per device may be given; the
   * newest wins). Answers the stored counter of each device written; a revoked device is absent.
   */
  writeReports(states: DeviceStateWrite[], events: EventWrite[]): Promise<StoredCounter[]>;
}

export interface PresenceUpdate {
  tenantId: string;
  deviceId: string;
  online: boolean;
  at: Date;
}

export interface PresenceStore {
  /** Records connects and disconnects; an update older than the stored `last_seen` is ignored. */
  setPresence(updates: PresenceUpdate[]): Promise<void>;
}

/**
 * `quarantined`: reports the database refused even when written apart from every other device's;
 * `revoked`: reports of a device revoked before they could be stored.
 */
export type DropReason = 'too-large' | 'malformed' | 'invalid' | 'unauthorized' | 'overloaded' | 'store-failed' | 'quarantined' | 'revoked';

export interface IngestMetrics {
  dropped(reason: DropReason, count?: number): void;
  stored(reports: number, events: number, batchMs: number): void;
}
