import type { DeviceAccess } from '../mqtt/device-access.js';
import type { Store } from '../store/store.js';
import type { MetricsRegistry } from './metrics-registry.js';

/** What the HTTP API works with. */
export interface HttpDeps {
  store: Store;
  adminToken: string;
  /** Reads /metrics only; the admin token also does. */
  metricsToken?: string | undefined;
  /** Keeps the broker's device access in step with registrations and revocations. */
  access: DeviceAccess;
  metrics: MetricsRegistry;
}
