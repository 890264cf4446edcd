import { CoordinatorError } from '../store/errors.js';

export const DEFAULT_HTTP_PORT = 8080;
export const DEFAULT_MQTT_PORT = 1884;
export const DEFAULT_DATA_DIR = './godwit-data';
/** The service listens on loopback only; put a reverse proxy in front to expose it. */
export const HOST = '127.0.0.1';

export interface ServeConfig {
  dataDir: string;
  databaseUrl: string | undefined;
  mqttUrl: string | undefined;
  httpPort: number;
  mqttPort: number;
  adminToken: string | undefined;
  /** A token that may read /metrics and nothing else (the admin token may too). */
  metricsToken: string | undefined;
  /** An existing non-superuser role to run tenant queries as, instead of creating godwit_service. */
  serviceRole: string | undefined;
}

export interface ServeFlags {
  'data-dir'?: string | undefined;
  'database-url'?: string | undefined;
  'mqtt-url'?: string | undefined;
  'http-port'?: string | undefined;
  'mqtt-port'?: string | undefined;
  'admin-token'?: string | undefined;
  'metrics-token'?: string | undefined;
  'service-role'?: string | undefined;
}

/** Flags first, then the environment, then defaults. */
export function serveConfig(flags: ServeFlags, env: NodeJS.ProcessEnv): ServeConfig {
  return {
    dataDir: flags['data-dir'] ?? DEFAULT_DATA_DIR,
    databaseUrl: flags['database-url'] ?? (env.DATABASE_URL || undefined),
    mqttUrl: flags['mqtt-url'] ?? (env.MQTT_URL || undefined),
    httpPort: port(flags['http-port'], DEFAULT_HTTP_PORT, '--http-port'),
    mqttPort: port(flags['mqtt-port'], DEFAULT_MQTT_PORT, '--mqtt-port'),
    adminToken: flags['admin-token'] ?? (env.GODWIT_ADMIN_TOKEN || undefined),
    metricsToken: flags['metrics-token'] ?? (env.GODWIT_METRICS_TOKEN || undefined),
    serviceRole: flags['service-role'] ?? (env.GODWIT_SERVICE_ROLE || undefined),
  };
}

function port(value: string | undefined, fallback: number, flag: string): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n > 65535) throw new CoordinatorError('invalid-request', `${flag}: a port from 0 to 65535`);
  return n;
}
