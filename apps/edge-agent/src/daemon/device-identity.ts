import { deviceTopic, isTopicLevel } from '@godwit/fleet-protocol';
import { usageError } from '../errors.js';

/** Who the device is on MQTT and the topics it uses, all derived from its username. */
export interface DeviceIdentity {
  username: string;
  tenantId: string;
  deviceId: string;
  topics: { state: string; presence: string; ack: string; bundle: string; cmd: string };
}

/**
 * The coordinator registers a device under the MQTT username `<tenant>:<device>` (the tenant's
 * UUID, then the device id; a device id may itself hold ':'), so the username alone names the
 * device's topics: `godwit/<tenant>/devices/<device>/{state,presence,ack,bundle,cmd}`.
 */
export function deviceIdentity(username: string): DeviceIdentity {
  const colon = username.indexOf(':');
  const tenantId = username.slice(0, colon);
  const deviceId = username.slice(colon + 1);
  if (colon <= 0 || !isTopicLevel(tenantId) || !isTopicLevel(deviceId)) {
    throw usageError(`mqtt.username "${username}" is not a device username of the form <tenant>:<device>; use the username coordinator device register printed`);
  }
  return {
    username,
    tenantId,
    deviceId,
    topics: {
      state: deviceTopic(tenantId, deviceId, 'state'),
      presence: deviceTopic(tenantId, deviceId, 'presence'),
      ack: deviceTopic(tenantId, deviceId, 'ack'),
      bundle: deviceTopic(tenantId, deviceId, 'bundle'),
      cmd: deviceTopic(tenantId, deviceId, 'cmd'),
    },
  };
}
