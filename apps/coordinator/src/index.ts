/**
 * The coordinator as a library: what the CLI, the cross-package tests and the benchmarks start and
 * drive. Everything else under src/ is internal.
 */
export { main } from './cli/main.js';
export { startCoordinator, type RunningCoordinator } from './server.js';
export { serveConfig, type ServeConfig, type ServeFlags } from './config/serve-config.js';
export { openStore, Store, type StoreOptions } from './store/store.js';
export { startMqtt, type MqttService, type StartMqttOptions } from './mqtt/index.js';
export type { DeviceAccess, DeviceGrant } from './mqtt/device-access.js';
export { DynsecClient } from './mqtt/dynsec-client.js';
export { createDynsecAccess } from './mqtt/dynsec-access.js';
export { IngestCounters } from './ingest/ingest-counters.js';
export { hashSecret } from './tenancy/secrets.js';
