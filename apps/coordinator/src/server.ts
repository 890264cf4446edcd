import { readFileSync } from 'node:fs';
import { isIPv6, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createSecureContext } from 'node:tls';
import { brokerDelivery, DeliveryLink } from './broker-delivery.js';
import type { ServeConfig, TlsFiles } from './config/serve-config.js';
import { CoordinatorError } from './store/errors.js';
import { registerFleetMetrics } from './http/fleet-metrics.js';
import { createHttpServer, type HttpsCredentials } from './http/http-server.js';
import { PrometheusIngestMetrics } from './http/ingest-metrics.js';
import { MetricsRegistry } from './http/metrics-registry.js';
import { startMqtt } from './mqtt/index.js';
import { lockDataDir } from './store/data-dir-lock.js';
import { openStore, type Store } from './store/store.js';
import { resolveAdminToken, type AdminToken } from './tenancy/admin-token.js';

export interface RunningCoordinator {
  httpUrl: string;
  mqttUrl: string;
  adminToken: AdminToken;
  store: Store;
  close(): Promise<void>;
}

/**
 * `coordinator serve`: the store (PGlite in DATA_DIR/pglite, or PostgreSQL), the MQTT side and the
 * HTTP API, wired together.
 *
 * @example
 * const running = await startCoordinator(serveConfig({ 'http-port': '0', 'mqtt-port': '0' }, process.env));
 * console.log(running.httpUrl, running.mqttUrl);
 * await running.close();
 */
export async function startCoordinator(config: ServeConfig, onError: (error: unknown) => void): Promise<RunningCoordinator> {
  // Unusable certificate files stop the start before anything is created or opened.
  const tls = config.httpTls && tlsCredentials(config.httpTls, '--http-tls');
  const mqttTls = config.mqttTls && tlsCredentials(config.mqttTls, '--mqtt-tls');
  // What has started, stopped in reverse order: on close, and when a later step fails to start.
  const started: (() => Promise<void> | void)[] = [];
  const stop = async () => {
    for (const close of started.splice(0).reverse()) await close();
  };
  try {
    // A PostgreSQL server arbitrates its own clients; a PGlite folder has only this lock.
    if (!config.databaseUrl) {
      const lock = lockDataDir(config.dataDir);
      started.push(() => lock.release());
    }
    const adminToken = resolveAdminToken(config.adminToken, config.dataDir);
    const delivery = new DeliveryLink();
    const store = await openStore({
      databaseUrl: config.databaseUrl,
      dataDir: join(config.dataDir, 'pglite'),
      serviceRole: config.serviceRole,
      serviceRoleGiven: config.serviceRole !== undefined,
      delivery,
    });
    started.push(() => store.close());
    const metrics = new MetricsRegistry();
    const mqtt = await startMqtt({
      store,
      metrics: new PrometheusIngestMetrics(metrics),
      ...(config.mqttUrl
        ? { url: config.mqttUrl, dynsec: config.dynsec }
        : { port: config.mqttPort, host: config.host, ...(mqttTls && { tls: mqttTls }) }),
      onError,
    });
    started.push(() => mqtt.close());
    delivery.connect(brokerDelivery(mqtt, store.bundles));
    // A device revoked while the broker could not be told must not keep its broker account.
    await mqtt.access.reconcile(await store.devices.activeUsernames());
    await store.rollouts.redeliverPending();
    registerFleetMetrics(metrics, store.totals);
    const deps = { store, adminToken: adminToken.token, metricsToken: config.metricsToken, access: mqtt.access, metrics };
    const http = createHttpServer(deps, onError, tls);
    await new Promise<void>((resolve, reject) => {
      http.once('error', reject);
      http.listen(config.httpPort, config.host, resolve);
    });
    started.push(async () => {
      const closed = new Promise<void>((resolve) => http.close(() => resolve()));
      http.closeAllConnections();
      await closed;
    });
    const { port } = http.address() as AddressInfo;
    return {
      httpUrl: `${config.httpTls ? 'https' : 'http'}://${isIPv6(config.host) ? `[${config.host}]` : config.host}:${port}`,
      mqttUrl: mqtt.url,
      adminToken,
      store,
      close: stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** The certificate and key of a TLS listener (`flag`: --http-tls or --mqtt-tls), read and checked before anything starts. */
function tlsCredentials(files: TlsFiles, flag: string): HttpsCredentials {
  const read = (flag: string, file: string) => {
    try {
      return readFileSync(file);
    } catch (error) {
      throw new Error(`${flag} ${file}: cannot read it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
    }
  };
  const credentials = { cert: read(`${flag}-cert`, files.certFile), key: read(`${flag}-key`, files.keyFile) };
  try {
    createSecureContext(credentials);
  } catch (error) {
    throw new CoordinatorError('invalid-request', `${flag}-cert/${flag}-key: not a usable certificate and key (${(error as Error).message})`);
  }
  return credentials;
}
