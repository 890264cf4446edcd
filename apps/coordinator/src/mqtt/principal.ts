import type { DeviceIdentity } from '../ingest/store-port.js';

/** Who is on the other end of an MQTT connection, as established by `authenticate`. */
export type Principal = { kind: 'coordinator' } | ({ kind: 'device'; username: string } & DeviceIdentity);
