import type { DeviceIdentity } from '../ingest/store-port.js';

/**
 * Who is on the other end of an MQTT connection, as established by `authenticate`; a device's
 * `generation` is its username's credential generation then (credential-cache.ts).
 */
export type Principal = { kind: 'coordinator' } | ({ kind: 'device'; username: string; generation: number } & DeviceIdentity);
