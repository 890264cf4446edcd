import { isIP } from 'node:net';
import type { DynsecMode } from '../mqtt/index.js';
import { CoordinatorError } from '../store/errors.js';

export const DEFAULT_HTTP_PORT = 8080;
export const DEFAULT_MQTT_PORT = 1884;
export const DEFAULT_DATA_DIR = './godwit-data';
/** Loopback unless --host says otherwise: exposing the service is a deliberate choice. */
export const DEFAULT_HOST = '127.0.0.1';

/** PEM files: the server's certificate (with any intermediates) and its private key. */
export interface TlsFiles {
  certFile: string;
  keyFile: string;
}

export interface ServeConfig {
  dataDir: string;
  databaseUrl: string | undefined;
  mqttUrl: string | undefined;
  /** Where the HTTP API and the embedded broker listen. */
  host: string;
  httpPort: number;
  mqttPort: number;
  /** HTTPS for the API; plain HTTP when absent. */
  httpTls: TlsFiles | undefined;
  /** TLS for the embedded broker (devices use mqtts://); plain MQTT when absent. */
  mqttTls: TlsFiles | undefined;
  /** With --mqtt-url: whether device access is managed through Mosquitto's dynamic security. */
  dynsec: DynsecMode;
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
  host?: string | undefined;
  'http-port'?: string | undefined;
  'mqtt-port'?: string | undefined;
  'http-tls-cert'?: string | undefined;
  'http-tls-key'?: string | undefined;
  'mqtt-tls-cert'?: string | undefined;
  'mqtt-tls-key'?: string | undefined;
  dynsec?: string | undefined;
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
    host: host(flags.host),
    httpPort: port(flags['http-port'], DEFAULT_HTTP_PORT, '--http-port'),
    mqttPort: port(flags['mqtt-port'], DEFAULT_MQTT_PORT, '--mqtt-port'),
    httpTls: tlsFiles(flags['http-tls-cert'], flags['http-tls-key'], '--http-tls'),
    mqttTls: tlsFiles(flags['mqtt-tls-cert'], flags['mqtt-tls-key'], '--mqtt-tls'),
    dynsec: dynsecMode(flags.dynsec ?? (env.GODWIT_DYNSEC || undefined)),
    adminToken: flags['admin-token'] ?? (env.GODWIT_ADMIN_TOKEN || undefined),
    metricsToken: flags['metrics-token'] ?? (env.GODWIT_METRICS_TOKEN || undefined),
    serviceRole: flags['service-role'] ?? (env.GODWIT_SERVICE_ROLE || undefined),
  };
}

/** An IP address or a host name the resolver knows; anything else is a usage error before binding. */
function host(value: string | undefined): string {
  if (value === undefined) return DEFAULT_HOST;
  if (isIP(value) === 0 && !/^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$/.test(value)) {
    throw new CoordinatorError('invalid-request', `--host ${value}: an IP address (0.0.0.0 or :: for every interface) or a host name`);
  }
  return value;
}

const DYNSEC_MODES: readonly DynsecMode[] = ['required', 'auto', 'off'];

function dynsecMode(value: string | undefined): DynsecMode {
  if (value === undefined) return 'auto';
  if (!(DYNSEC_MODES as readonly string[]).includes(value)) {
    throw new CoordinatorError('invalid-request', `--dynsec ${value}: one of ${DYNSEC_MODES.join(', ')}`);
  }
  return value as DynsecMode;
}

function tlsFiles(certFile: string | undefined, keyFile: string | undefined, prefix: string): TlsFiles | undefined {
  if (certFile === undefined && keyFile === undefined) return undefined;
  if (!certFile || !keyFile) throw new CoordinatorError('invalid-request', `${prefix}-cert FILE and ${prefix}-key FILE: give both or neither`);
  return { certFile, keyFile };
}

function port(value: string | undefined, fallback: number, flag: string): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n > 65535) throw new CoordinatorError('invalid-request', `${flag}: a port from 0 to 65535`);
  return n;
}
