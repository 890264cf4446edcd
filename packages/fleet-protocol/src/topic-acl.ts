/**
 * Guarantee 6 on MQTT, as pure rules: a device publishes only its own reports and presence, and subscribes only
 * to its own topics and its tenant's channels. Shared by the embedded broker's hooks and the
 * dynamic-security roles written to an external Mosquitto.
 */
import { channelRoot, deviceRoot, deviceTopic } from './topics.js';

/** Who is on the other end of an MQTT connection, as its credentials established. */
export type AclPrincipal = { kind: 'coordinator' } | { kind: 'device'; tenantId: string; deviceId: string };

export function mayPublish(principal: AclPrincipal, topic: string, retain: boolean): boolean {
  if (principal.kind === 'coordinator') return true;
  // A retained report would be replayed to every later subscriber as if it were new.
  if (retain) return false;
  return topic === deviceTopic(principal.tenantId, principal.deviceId, 'state') || topic === deviceTopic(principal.tenantId, principal.deviceId, 'presence');
}

export function maySubscribe(principal: AclPrincipal, filter: string): boolean {
  if (principal.kind === 'coordinator') return true;
  // A filter below these prefixes can only match topics below them, wildcards included.
  return (
    filter.startsWith(`${deviceRoot(principal.tenantId, principal.deviceId)}/`) ||
    filter.startsWith(`${channelRoot(principal.tenantId)}/`)
  );
}
