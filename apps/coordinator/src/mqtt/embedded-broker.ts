/**
 * The embedded broker: aedes on a TCP (or TLS) listener, with the store deciding who may connect and the
 * topic ACL deciding what each connection may do. The coordinator talks to it in-process, not as
 * a client; its internal credential is for tools (the storm bench's bare subscriber) that need to
 * see every topic.
 */
import { createServer, type AddressInfo } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { isUtf8 } from 'node:buffer';
import { createHash, timingSafeEqual } from 'node:crypto';
import { Aedes, type AuthenticateError, type Client } from 'aedes';
import { CredentialCache } from './credential-cache.js';
import { isStorableText, mayPublish, maySubscribe, parseDeviceTopic } from '@godwit/fleet-protocol';
import type { Principal } from './principal.js';
import type { DeviceIdentity, IngestStore } from '../ingest/store-port.js';

export interface EmbeddedBrokerOptions {
  store: Pick<IngestStore, 'authenticateDevice'>;
  host: string;
  /** 0 picks a free port. */
  port: number;
  /** Listen with TLS: PEM certificate chain and private key. */
  tls?: { cert: Buffer; key: Buffer };
  coordinatorCredential: { username: string; password: string };
  /** A report published by an authenticated device on its own state topic. */
  onReport: (device: DeviceIdentity, payload: Buffer) => void;
  /** A connection, publish or subscription the ACL refused. */
  onRefused: (what: 'connect' | 'publish' | 'subscribe') => void;
  onDeviceConnected: (device: DeviceIdentity) => void;
  onDeviceDisconnected: (device: DeviceIdentity) => void;
}

export interface EmbeddedBroker {
  port: number;
  publish(topic: string, payload: Buffer, retain: boolean): Promise<void>;
  /** Forgets the device's cached credential and closes its connections. */
  disconnect(username: string): void;
  close(): Promise<void>;
}

// CONNACK return codes (MQTT 3.1.1).
const IDENTIFIER_REJECTED = 2;
const SERVER_UNAVAILABLE = 3;
const BAD_CREDENTIALS = 4;
const REFUSALS: Record<number, string> = {
  [IDENTIFIER_REJECTED]: 'a device connects with its username as client id',
  [SERVER_UNAVAILABLE]: 'store unavailable',
  [BAD_CREDENTIALS]: 'bad username or password',
};

export async function startEmbeddedBroker(options: EmbeddedBrokerOptions): Promise<EmbeddedBroker> {
  const principals = new WeakMap<Client, Principal>();
  const cache = new CredentialCache();
  const coordinatorDigest = digest(options.coordinatorCredential.username, options.coordinatorCredential.password);
  // Revoked since it authenticated: its connection must not live on, nor anything it sends count.
  const outdated = (principal: Principal) => principal.kind === 'device' && principal.generation !== cache.generation(principal.username);

  const broker = await Aedes.createBroker({
    authenticate(client, username, password, done) {
      const refuse = (returnCode: number) => {
        options.onRefused('connect');
        done(Object.assign(new Error(REFUSALS[returnCode]), { returnCode }) as AuthenticateError, false);
      };
      const accept = (principal: Principal) => {
        principals.set(client, principal);
        done(null, true);
      };
      if (username === undefined || password === undefined) return refuse(BAD_CREDENTIALS);
      // No device is named with a NUL or a lone surrogate, and no secret is other than UTF-8: these
      // are wrong credentials (the device must not retry), not a store failure.
      if (!isStorableText(username) || !isUtf8(password)) return refuse(BAD_CREDENTIALS);
      const secret = password.toString('utf8');
      if (!isStorableText(secret)) return refuse(BAD_CREDENTIALS);
      if (timingSafeEqual(digest(username, secret), coordinatorDigest)) return accept({ kind: 'coordinator' });
      // A device's session is its own: with any other client id, a device could take over another
      // tenant's device's session (knocking it offline, receiving its acks and bundle).
      if (client.id !== username) return refuse(IDENTIFIER_REJECTED);
      const generation = cache.generation(username);
      const cached = cache.get(username, secret);
      if (cached) return accept({ kind: 'device', username, generation, ...cached });
      options.store.authenticateDevice(username, secret).then(
        (identity) => {
          if (!identity || !cache.set(username, secret, identity, generation)) return refuse(BAD_CREDENTIALS);
          accept({ kind: 'device', username, generation, ...identity });
        },
        // The device's credentials may be fine: tell it to come back rather than that they are wrong.
        () => refuse(SERVER_UNAVAILABLE),
      );
    },
    authorizePublish(client, packet, done) {
      const principal = client && principals.get(client);
      if (client === null || (principal && !outdated(principal) && mayPublish(principal, packet.topic, packet.retain))) return done(null);
      options.onRefused('publish');
      done(new Error(`not allowed to publish on ${packet.topic}`));
    },
    authorizeSubscribe(client, subscription, done) {
      const principal = principals.get(client);
      if (principal && maySubscribe(principal, subscription.topic)) return done(null, subscription);
      options.onRefused('subscribe');
      done(null, null);
    },
  });

  broker.on('clientReady', (client) => {
    const principal = principals.get(client);
    if (principal?.kind !== 'device') return;
    // Revoked between its authentication and now, too late for `disconnect` to find it.
    if (outdated(principal)) {
      principals.delete(client);
      return client.close();
    }
    options.onDeviceConnected(principal);
  });
  broker.on('clientDisconnect', (client) => {
    const principal = principals.get(client);
    if (principal?.kind === 'device') options.onDeviceDisconnected(principal);
  });

  broker.on('publish', (packet, client) => {
    const principal = client && principals.get(client);
    if (principal?.kind !== 'device' || outdated(principal)) return;
    const topic = parseDeviceTopic(packet.topic);
    // authorizePublish already holds devices to their own topics; this keeps ingest from relying on it alone.
    // Presence messages are not needed here: this broker sees the connections themselves.
    if (topic?.leaf !== 'state' || topic.tenant !== principal.tenantId || topic.device !== principal.deviceId) return;
    options.onReport(principal, packet.payload as Buffer);
  });

  const server = options.tls ? createTlsServer(options.tls, broker.handle) : createServer(broker.handle);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });

  return {
    port: (server.address() as AddressInfo).port,
    publish: (topic, payload, retain) =>
      new Promise((resolve, reject) =>
        broker.publish({ cmd: 'publish', topic, payload, qos: 1, retain, dup: false }, (error) =>
          error ? reject(error) : resolve(),
        ),
      ),
    disconnect(username) {
      cache.forget(username);
      // A device's client id is its username; a connection not registered yet is closed at clientReady.
      (broker as unknown as { clients: Record<string, Client | undefined> }).clients[username]?.close();
    },
    async close() {
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function digest(username: string, secret: string): Buffer {
  return createHash('sha256').update(username).update('\0').update(secret).digest();
}
