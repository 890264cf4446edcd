/**
 * The coordinator as a client of an external MQTT 5 broker. Replicas share the ingest through one
 * shared subscription, so each report reaches one of them; the broker's own ACLs (kept in step by
 * dynsec-access.ts on Mosquitto) guarantee a state topic is only written by its device.
 */
import { connectAsync, type MqttClient } from 'mqtt';
import { randomBytes } from 'node:crypto';
import { DynsecClient } from './dynsec-client.js';
import { addCoordinatorRole, coordinatorRoleHeld, createDynsecAccess } from './dynsec-access.js';
import { parseDeviceTopic, SHARED_PRESENCE_SUBSCRIPTION, SHARED_STATE_SUBSCRIPTION } from '@godwit/fleet-protocol';
import type { DeviceAccess } from './device-access.js';

export interface ExternalBrokerOptions {
  url: string;
  onReport: (tenantId: string, deviceId: string, payload: Buffer) => void;
  onPresence: (tenantId: string, deviceId: string, payload: Buffer) => void;
  /** Manage per-device access through Mosquitto's dynamic-security plugin (see DynsecMode). */
  dynsec: DynsecMode;
  /** Said once, when 'auto' finds no usable plugin. */
  onWarning: (message: string) => void;
}

/**
 * `required`: refuse to start without a usable plugin; `auto`: use it if the broker answers, and
 * warn when it does not (device access is then the broker's own configuration); `off`: never ask.
 */
export type DynsecMode = 'required' | 'auto' | 'off';

export interface ExternalBroker {
  access: DeviceAccess | null;
  publish(topic: string, payload: Buffer, retain: boolean): Promise<void>;
  close(): Promise<void>;
}

export async function connectExternalBroker(options: ExternalBrokerOptions): Promise<ExternalBroker> {
  const connect = (role: string) =>
    connectAsync(options.url, { protocolVersion: 5, clean: true, clientId: `godwit-${role}-${randomBytes(6).toString('hex')}`, reconnectPeriod: 1000 });
  // Dynamic-security commands go over a connection of their own: a broker without the plugin
  // refuses them, and Mosquitto was seen closing the connection that had been refused.
  const control = options.dynsec === 'off' ? null : await connect('control');
  const access =
    control &&
    (await manageAccess(control, options).catch(async (error: unknown) => {
      await control.endAsync(true);
      throw error;
    }));
  if (control && !access) await control.endAsync(true);
  const client = await connect('ingest');
  client.on('message', (topic, payload) => {
    const parsed = parseDeviceTopic(topic);
    if (parsed?.leaf === 'state') options.onReport(parsed.tenant, parsed.device, payload);
    else if (parsed?.leaf === 'presence') options.onPresence(parsed.tenant, parsed.device, payload);
  });
  await client.subscribeAsync([SHARED_STATE_SUBSCRIPTION, SHARED_PRESENCE_SUBSCRIPTION], { qos: 1 });
  return {
    access,
    publish: async (topic, payload, retain) => {
      await client.publishAsync(topic, payload, { qos: 1, retain });
    },
    async close() {
      if (access) await control?.endAsync();
      await client.endAsync();
    },
  };
}

async function manageAccess(client: MqttClient, options: ExternalBrokerOptions): Promise<DeviceAccess | null> {
  try {
    const dynsec = await DynsecClient.attach(client);
    const username = client.options.username;
    if (!username) throw new Error('the broker URL names no user');
    if (!(await coordinatorRoleHeld(dynsec, username))) {
      const back = reconnected(client, 5000);
      void addCoordinatorRole(dynsec, username);
      await back;
      if (!(await coordinatorRoleHeld(dynsec, username))) {
        throw new Error(`broker user ${username} could not be given the coordinator's role`);
      }
    }
    return createDynsecAccess(dynsec);
  } catch (error) {
    const broker = `${client.options.hostname ?? '?'}:${client.options.port ?? '?'}`;
    const reason = (error as Error).message;
    if (options.dynsec === 'required') throw new Error(`--dynsec required: the broker at ${broker} offers no usable dynamic security (${reason})`);
    options.onWarning(
      `WARNING: the broker at ${broker} offers no usable dynamic security (${reason}): devices are NOT managed by the coordinator ` +
        `(registering and revoking do not reach the broker; its own configuration decides who connects). Use --dynsec required to refuse to start, --dynsec off to silence this.`,
    );
    return null;
  }
}

/** Resolves at the next CONNACK, or after `timeoutMs` if the broker did not drop the connection. */
function reconnected(client: MqttClient, timeoutMs: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, timeoutMs);
    client.once('connect', done);
    function done() {
      clearTimeout(timer);
      client.off('connect', done);
      resolve();
    }
  });
}
