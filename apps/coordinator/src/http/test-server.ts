import type { AddressInfo } from 'node:net';
import type { DeviceAccess } from '../mqtt/device-access.js';
import type { Driver } from '../store/database.js';
import type { Store } from '../store/store.js';
import { openTestStore } from '../store/test-store.js';
import { newToken } from '../tenancy/tokens.js';
import { registerFleetMetrics } from './fleet-metrics.js';
import { createHttpServer } from './http-server.js';
import { MetricsRegistry } from './metrics-registry.js';

/** The broker-side access of an external broker configured by hand: nothing to keep in step. */
const unmanagedAccess: DeviceAccess = { grant: async () => {}, revoke: async () => {}, reconcile: async () => 0 };

export interface TestApi {
  url: string;
  adminToken: string;
  store: Store;
  /** fetch relative to the API, JSON in and out. */
  call(method: string, path: string, token: string | null, body?: unknown): Promise<{ status: number; json: any }>;
  close(): Promise<void>;
}

/** The HTTP API on a fresh test store, on a free loopback port. */
export async function startTestApi(driver: Driver): Promise<TestApi> {
  const store = await openTestStore(driver);
  const adminToken = newToken('gwa');
  const metrics = new MetricsRegistry();
  registerFleetMetrics(metrics, store.totals);
  const server = createHttpServer({ store, adminToken, access: unmanagedAccess, metrics });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    adminToken,
    store,
    async call(method, path, token, body) {
      const headers: Record<string, string> = {};
      if (token) headers.authorization = `Bearer ${token}`;
      let payload: BodyInit | undefined;
      if (body instanceof Uint8Array) {
        headers['content-type'] = 'application/octet-stream';
        payload = new Uint8Array(body);
      } else if (body !== undefined) {
        headers['content-type'] = 'application/json';
        payload = typeof body === 'string' ? body : JSON.stringify(body);
      }
      const res = await fetch(`${url}${path}`, { method, headers, ...(payload !== undefined && { body: payload }) });
      const text = await res.text();
      return { status: res.status, json: res.headers.get('content-type')?.startsWith('application/json') ? JSON.parse(text) : text };
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await store.close();
    },
  };
}
