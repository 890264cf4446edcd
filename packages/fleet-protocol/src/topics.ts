/**
 * The topic layout (docs/mqtt.md). Tenant, device and channel ids become single topic levels, so
 * they must not contain MQTT's separators or wildcards.
 */
export const ROOT = 'godwit';

/** Device → coordinator. */
export type DeviceUpTopic = 'state' | 'presence';
/** Coordinator → device. */
export type DeviceDownTopic = 'ack' | 'cmd' | 'bundle';

/** The shared subscriptions replicas consume device messages through (MQTT 5). */
export const SHARED_STATE_SUBSCRIPTION = `$share/coordinators/${ROOT}/+/devices/+/state`;
export const SHARED_PRESENCE_SUBSCRIPTION = `$share/coordinators/${ROOT}/+/devices/+/presence`;

const LEVEL = /^[A-Za-z0-9._:@-]{1,128}$/;

export function isTopicLevel(id: string): boolean {
  return LEVEL.test(id);
}

export function deviceTopic(tenant: string, device: string, leaf: DeviceUpTopic | DeviceDownTopic): string {
  return `${deviceRoot(tenant, device)}/${leaf}`;
}

/** Everything under one device: the prefix its ACL is written on. */
export function deviceRoot(tenant: string, device: string): string {
  return `${ROOT}/${level(tenant)}/devices/${level(device)}`;
}

export function channelRoot(tenant: string): string {
  return `${ROOT}/${level(tenant)}/channels`;
}

export interface DeviceTopic {
  tenant: string;
  device: string;
  leaf: string;
}

/** Parses `godwit/<tenant>/devices/<device>/<leaf>`; null for anything else. */
export function parseDeviceTopic(topic: string): DeviceTopic | null {
  const parts = topic.split('/');
  if (parts.length !== 5 || parts[0] !== ROOT || parts[2] !== 'devices') return null;
  const [, tenant, , device, leaf] = parts as [string, string, string, string, string];
  if (!isTopicLevel(tenant) || !isTopicLevel(device)) return null;
  return { tenant, device, leaf };
}

function level(id: string): string {
  if (!isTopicLevel(id)) throw new TypeError(`${JSON.stringify(id)} cannot be an MQTT topic level`);
  return id;
}
