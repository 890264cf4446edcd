/**
 * The coordinator's MQTT side, for `coordinator serve` to call: an embedded aedes broker, or a
 * client of an external broker when `url` is given, feeding ingest and delivering bundles.
 *
 * @example
 * const mqtt = await startMqtt({ store, metrics, port: 0 });
 * console.log(mqtt.url);            // mqtt://127.0.0.1:41234
 * await mqtt.deliver({ tenantId, deviceIds: ['dev-1'], bytes });
 * await mqtt.close();
 */
import { randomBytes } from 'node:crypto';
import { isIPv6 } from 'node:net';
import { createIngest } from '../ingest/ingest.js';
import { startEmbeddedBroker } from './embedded-broker.js';
import { connectExternalBroker, type DynsecMode } from './external-broker.js';
import { deviceTopic, decodePresence, encodeCommand, ProtocolError, type Command } from '@godwit/fleet-protocol';
import type { DeviceAccess } from './device-access.js';
import type { IngestMetrics, IngestStore, PresenceStore } from '../ingest/store-port.js';
import { PresenceRecorder } from './presence-recorder.js';

export interface StartMqttOptions {
  store: IngestStore & PresenceStore;
  metrics: IngestMetrics;
  /** An external broker (`mqtt://user:password@host:port`); without it, an embedded broker starts. */
  url?: string;
  /** Embedded broker port; 0 picks a free one. Default 1884. */
  port?: number;
  host?: string;
  /** Embedded broker: listen with TLS (PEM certificate chain and key); devices connect with mqtts://. */
  tls?: { cert: Buffer; key: Buffer };
  /** External Mosquitto: manage device access through dynamic security. Default 'auto'; true is 'required', false 'off'. */
  dynsec?: boolean | DynsecMode;
  /** Internal errors (a failed store write, a failed acknowledgement) and warnings; the service keeps running. */
  onError?: (error: unknown) => void;
  maxBatch?: number;
  maxDelayMs?: number;
}

/** A signed bundle for the devices a rollout targets; each gets it retained on its own topic. */
export interface BundleDelivery {
  tenantId: string;
  deviceIds: string[];
  bytes: Uint8Array;
}

export interface MqttService {
  /** Where devices connect. */
  url: string;
  /** The embedded broker's port, or null with an external broker. */
  port: number | null;
  /** Embedded broker only: a credential that may publish and subscribe anywhere (tools, benches). */
  coordinatorCredential: { username: string; password: string } | null;
  /** Keeps the broker in step with the device table; a no-op where the broker asks the store (embedded) or is configured by hand. */
  access: DeviceAccess;
  deliver(delivery: BundleDelivery): Promise<void>;
  /** A command on each device's `cmd` topic (QoS 1, not retained: a persistent session keeps it for a device offline). */
  command(command: { tenantId: string; deviceIds: string[]; message: Command }): Promise<void>;
  /** Clears the retained bundle of devices that have not fetched it yet (a paused rollout). */
  withdraw(withdrawal: { tenantId: string; deviceIds: string[] }): Promise<void>;
  /** Writes and confirms every report received so far. */
  drain(): Promise<void>;
  close(): Promise<void>;
}

export async function startMqtt(options: StartMqttOptions): Promise<MqttService> {
  const onError = options.onError ?? (() => {});
  // Ingest exists before the broker that feeds it; no report, hence no ack, arrives before this is set.
  let publish: (topic: string, payload: Buffer, retain: boolean) => Promise<void> = async () => {};
  const ingest = createIngest({
    store: options.store,
    metrics: options.metrics,
    onError,
    ...(options.maxBatch !== undefined && { maxBatch: options.maxBatch }),
    ...(options.maxDelayMs !== undefined && { maxDelayMs: options.maxDelayMs }),
    publishAck: (tenantId, deviceId, payload) => {
      publish(deviceTopic(tenantId, deviceId, 'ack'), payload, false).catch(onError);
    },
  });
  const deliverWith = async ({ tenantId, deviceIds, bytes }: BundleDelivery) => {
    const payload = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    await Promise.all(deviceIds.map((deviceId) => publish(deviceTopic(tenantId, deviceId, 'bundle'), payload, true)));
  };
  // An empty retained message deletes the retained one: a device connecting later gets nothing.
  const withdrawWith = async ({ tenantId, deviceIds }: { tenantId: string; deviceIds: string[] }) => {
    await Promise.all(deviceIds.map((deviceId) => publish(deviceTopic(tenantId, deviceId, 'bundle'), Buffer.alloc(0), true)));
  };

  const commandWith = async ({ tenantId, deviceIds, message }: { tenantId: string; deviceIds: string[]; message: Command }) => {
    const payload = encodeCommand(message);
    await Promise.all(deviceIds.map((deviceId) => publish(deviceTopic(tenantId, deviceId, 'cmd'), payload, false)));
  };

  const presence = new PresenceRecorder(options.store, onError);
  const drain = async () => {
    await ingest.drain();
    await presence.flush();
  };
  // What both brokers' services do alike; only how to reach and close the broker differs.
  const shared = (broker: { close(): Promise<void> }) => ({
    deliver: deliverWith,
    command: commandWith,
    withdraw: withdrawWith,
    drain,
    async close() {
      await ingest.drain();
      await broker.close();
      await presence.flush();
    },
  });

  if (options.url) {
    const broker = await connectExternalBroker({
      url: options.url,
      dynsec: options.dynsec === true ? 'required' : options.dynsec === false ? 'off' : (options.dynsec ?? 'auto'),
      onWarning: (message) => onError(new Error(message)),
      // A report proves the device is connected: a presence message sent while a restarted broker
      // had no coordinator subscribed yet is lost, while reports come again until confirmed.
      onReport: (tenantId, deviceId, payload) => {
        presence.reported({ tenantId, deviceId, channel: null }, true);
        ingest.accept(tenantId, deviceId, payload);
      },
      onPresence: (tenantId, deviceId, payload) => {
        try {
          presence.reported({ tenantId, deviceId, channel: null }, decodePresence(payload).online);
        } catch (error) {
          options.metrics.dropped(error instanceof ProtocolError ? error.code : 'malformed');
        }
      },
    });
    publish = broker.publish;
    return {
      url: options.url.replace(/\/\/[^@/]*@/, '//'),
      port: null,
      coordinatorCredential: null,
      access: broker.access ?? unmanagedAccess,
      ...shared(broker),
    };
  }

  const host = options.host ?? '127.0.0.1';
  const coordinatorCredential = { username: 'godwit-coordinator', password: randomBytes(24).toString('base64url') };
  const broker = await startEmbeddedBroker({
    store: options.store,
    host,
    port: options.port ?? 1884,
    ...(options.tls && { tls: options.tls }),
    coordinatorCredential,
    onReport: (device, payload) => ingest.accept(device.tenantId, device.deviceId, payload),
    onRefused: (what) => {
      if (what === 'publish') options.metrics.dropped('unauthorized');
    },
    onDeviceConnected: (device) => presence.connected(device),
    onDeviceDisconnected: (device) => presence.disconnected(device),
  });
  publish = broker.publish;
  return {
    url: `${options.tls ? 'mqtts' : 'mqtt'}://${isIPv6(host) ? `[${host}]` : host}:${broker.port}`,
    port: broker.port,
    coordinatorCredential,
    access: {
      grant: async () => {},
      revoke: async (username) => broker.disconnect(username),
      // The embedded broker asks the store at every CONNECT: it holds nothing to reconcile.
      reconcile: async () => 0,
    },
    ...shared(broker),
  };
}

// An external broker without dynamic security authenticates devices by its own configuration.
const unmanagedAccess: DeviceAccess = { grant: async () => {}, revoke: async () => {}, reconcile: async () => 0 };
