import { readFileSync } from 'node:fs';
import { isIPv6, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createSecureContext } from 'node:tls';
import type { ServeConfig, TlsFiles } from './config/serve-config.js';
import { CoordinatorError } from './store/errors.js';
import { registerFleetMetrics } from './http/fleet-metrics.js';
import { createHttpServer, type HttpsCredentials } from './http/http-server.js';
import { PrometheusIngestMetrics } from './http/ingest-metrics.js';
import { MetricsRegistry } from './http/metrics-registry.js';
import { startMqtt, type MqttService } from './mqtt/index.js';
import type { RolloutDelivery } from './rollouts/delivery.js';
import { lockDataDir, type DataDirLock } from './store/data-dir-lock.js';
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
  const tls = config.httpTls && httpsCredentials(config.httpTls);
  // A PostgreSQL server arbitrates its own clients; a PGlite folder has only this lock.
  const lock = config.databaseUrl ? null : lockDataDir(config.dataDir);
  try {
    return await start(config, onError, lock, tls);
  } catch (error) {
    lock?.release();
    throw error;
  }
}

async function start(
  config: ServeConfig,
  onError: (error: unknown) => void,
  lock: DataDirLock | null,
  tls: HttpsCredentials | undefined,
): Promise<RunningCoordinator> {
  const adminToken = resolveAdminToken(config.adminToken, config.dataDir);
  const metrics = new MetricsRegistry();
  // The store exists before the broker; bundles only need delivering once both run.
  let mqtt: MqttService | undefined;
  let store: Store | undefined;
  const delivery: RolloutDelivery = {
    async targetsAdded({ tenantId, bundleId, deviceIds }) {
      if (!mqtt || !store) return;
      await mqtt.deliver({ tenantId, deviceIds, bytes: await store.bundles.bytes(tenantId, bundleId) });
    },
    // A paused rollout reaches no device that has not fetched its bundle yet; resuming hands it out again.
    async stateChanged({ tenantId, bundleId, state, pendingDeviceIds }) {
      if (!mqtt || !store || pendingDeviceIds.length === 0) return;
      if (state === 'paused') await mqtt.withdraw({ tenantId, deviceIds: pendingDeviceIds });
      else await mqtt.deliver({ tenantId, deviceIds: pendingDeviceIds, bytes: await store.bundles.bytes(tenantId, bundleId) });
    },
  };
  store = await openStore({
    databaseUrl: config.databaseUrl,
    dataDir: join(config.dataDir, 'pglite'),
    serviceRole: config.serviceRole,
    serviceRoleGiven: config.serviceRole !== undefined,
    delivery,
  });
  try {
    mqtt = await startMqtt({
      store,
      metrics: new PrometheusIngestMetrics(metrics),
      ...(config.mqttUrl ? { url: config.mqttUrl } : { port: config.mqttPort, host: config.host }),
      onError,
    });
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
    const { port } = http.address() as AddressInfo;
    const running = { store, mqtt };
    return {
      httpUrl: `${config.httpTls ? 'https' : 'http'}://${isIPv6(config.host) ? `[${config.host}]` : config.host}:${port}`,
      mqttUrl: mqtt.url,
      adminToken,
      store,
      async close() {
        const closed = new Promise<void>((resolve) => http.close(() => resolve()));
        http.closeAllConnections();
        await closed;
        await running.mqtt.close();
        await running.store.close();
        lock?.release();
      },
    };
  } catch (error) {
    await mqtt?.close();
    await store.close();
    throw error;
  }
}

function httpsCredentials(files: TlsFiles): HttpsCredentials {
  const read = (flag: string, file: string) => {
    try {
      return readFileSync(file);
    } catch (error) {
      throw new Error(`${flag} ${file}: cannot read it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
    }
  };
  const credentials = { cert: read('--http-tls-cert', files.certFile), key: read('--http-tls-key', files.keyFile) };
  try {
    createSecureContext(credentials);
  } catch (error) {
    throw new CoordinatorError('invalid-request', `--http-tls-cert/--http-tls-key: not a usable certificate and key (${(error as Error).message})`);
  }
  return credentials;
}
