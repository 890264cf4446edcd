/**
 * DeviceAccess for an external Mosquitto with the dynamic-security plugin: one client and one role
 * per device, the role holding the same ACL as the embedded broker's hooks (topic-acl.ts). Deleting
 * the client makes Mosquitto disconnect it.
 */
import { channelRoot, deviceRoot, deviceTopic, ROOT } from './topics.js';
import type { DeviceAccess, DeviceGrant } from './device-access.js';
import type { DynsecClient } from './dynsec-client.js';

const ALREADY = /already exists/i;
const MISSING = /not found/i;
// Mosquitto rewrites its whole dynsec file after every message: fewer, larger messages keep bulk registration fast.
const COMMANDS_PER_MESSAGE = 2000;
export const COORDINATOR_ROLE = 'godwit-coordinator';

export function deviceRoleName(username: string): string {
  return `godwit-device-${username}`;
}

function deviceAcls(device: DeviceGrant) {
  return [
    { acltype: 'publishClientSend', topic: deviceTopic(device.tenantId, device.deviceId, 'state'), allow: true },
    { acltype: 'publishClientSend', topic: deviceTopic(device.tenantId, device.deviceId, 'presence'), allow: true },
    { acltype: 'subscribePattern', topic: `${deviceRoot(device.tenantId, device.deviceId)}/#`, allow: true },
    { acltype: 'subscribePattern', topic: `${channelRoot(device.tenantId)}/#`, allow: true },
  ];
}

export function createDynsecAccess(dynsec: DynsecClient): DeviceAccess {
  return {
    async grant(devices: DeviceGrant[]) {
      // Re-registering a username replaces its client and role; dynsec runs one message's commands in order.
      const commands = devices.flatMap((device) => {
        const rolename = deviceRoleName(device.username);
        return [
          { command: 'deleteClient', username: device.username },
          { command: 'deleteRole', rolename },
          { command: 'createRole', rolename, acls: deviceAcls(device) },
          { command: 'createClient', username: device.username, password: device.password, roles: [{ rolename }] },
        ];
      });
      for (let i = 0; i < commands.length; i += COMMANDS_PER_MESSAGE) {
        await dynsec.expect(commands.slice(i, i + COMMANDS_PER_MESSAGE), MISSING);
      }
    },
    async revoke(username: string) {
      await dynsec.expect(
        [
          { command: 'deleteClient', username },
          { command: 'deleteRole', rolename: deviceRoleName(username) },
        ],
        MISSING,
      );
    },
  };
}

/**
 * Gives the coordinator's own broker user the right to publish acknowledgements and bundles.
 * Mosquitto disconnects every connection of a client whose roles change, so the role is added only
 * when missing (the first start against a broker), and the caller then waits for its reconnect.
 * @returns whether the role was added
 */
export async function grantCoordinator(dynsec: DynsecClient, username: string): Promise<boolean> {
  await dynsec.expect(
    [{ command: 'createRole', rolename: COORDINATOR_ROLE, acls: [{ acltype: 'publishClientSend', topic: `${ROOT}/#`, allow: true }] }],
    ALREADY,
  );
  const [found] = await dynsec.expect([{ command: 'getClient', username }]);
  const roles = (found?.data as { client?: { roles?: { rolename: string }[] } } | undefined)?.client?.roles ?? [];
  if (roles.some((r) => r.rolename === COORDINATOR_ROLE)) return false;
  await dynsec.expect([{ command: 'addClientRole', username, rolename: COORDINATOR_ROLE }], ALREADY);
  return true;
}
