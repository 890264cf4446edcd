/**
 * DeviceAccess for an external Mosquitto with the dynamic-security plugin: one client and one role
 * per device, the role holding the same ACL as the embedded broker's hooks (@godwit/fleet-protocol's topic-acl.ts). Deleting
 * the client makes Mosquitto disconnect it.
 */
import { channelRoot, deviceRoot, deviceTopic, ROOT } from '@godwit/fleet-protocol';
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
          // The broker refuses this username under any other client id: no session takeover.
          { command: 'createClient', username: device.username, clientid: device.username, password: device.password, roles: [{ rolename }] },
        ];
      });
      for (let i = 0; i < commands.length; i += COMMANDS_PER_MESSAGE) {
        await dynsec.expect(commands.slice(i, i + COMMANDS_PER_MESSAGE), MISSING);
      }
    },
    async revoke(username: string) {
      await dynsec.expect(revokeCommands(username), MISSING);
    },
    async reconcile(active: ReadonlySet<string>) {
      const [listed] = await dynsec.expect([{ command: 'listClients', verbose: true, count: -1, offset: 0 }]);
      const clients = (listed?.data as { clients?: DynsecListedClient[] } | undefined)?.clients ?? [];
      // Only clients this coordinator made (they hold their own device role); the rest is not ours.
      const ours = clients.filter((c) => c.roles?.some((r) => r.rolename === deviceRoleName(c.username)));
      const stale = ours.filter((c) => !active.has(c.username)).map((c) => c.username);
      // Devices granted before client ids were tied to usernames.
      const untied = ours.filter((c) => active.has(c.username) && c.clientid !== c.username);
      const commands = [
        ...stale.flatMap(revokeCommands),
        ...untied.map((c) => ({ command: 'setClientId', username: c.username, clientid: c.username })),
      ];
      for (let i = 0; i < commands.length; i += COMMANDS_PER_MESSAGE) {
        await dynsec.expect(commands.slice(i, i + COMMANDS_PER_MESSAGE), MISSING);
      }
      return stale.length;
    },
  };
}

interface DynsecListedClient {
  username: string;
  clientid?: string;
  roles?: { rolename: string }[];
}

function revokeCommands(username: string) {
  return [
    { command: 'deleteClient', username },
    { command: 'deleteRole', rolename: deviceRoleName(username) },
  ];
}

/**
 * Makes sure the coordinator's role exists (it may publish acknowledgements and bundles) and tells
 * whether the coordinator's own broker user already holds it.
 */
export async function coordinatorRoleHeld(dynsec: DynsecClient, username: string): Promise<boolean> {
  await dynsec.expect(
    [{ command: 'createRole', rolename: COORDINATOR_ROLE, acls: [{ acltype: 'publishClientSend', topic: `${ROOT}/#`, allow: true }] }],
    ALREADY,
  );
  const [found] = await dynsec.expect([{ command: 'getClient', username }]);
  const roles = (found?.data as { client?: { roles?: { rolename: string }[] } } | undefined)?.client?.roles ?? [];
  return roles.some((r) => r.rolename === COORDINATOR_ROLE);
}

/**
 * Gives the coordinator's user its role. Mosquitto disconnects every connection of a client whose
 * roles change, often before it answers: the caller confirms with coordinatorRoleHeld once
 * reconnected, so a lost answer is not an error here.
 */
export async function addCoordinatorRole(dynsec: DynsecClient, username: string): Promise<void> {
  await dynsec.run([{ command: 'addClientRole', username, rolename: COORDINATOR_ROLE }]).catch(() => undefined);
}
