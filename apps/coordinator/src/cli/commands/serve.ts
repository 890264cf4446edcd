import { serveConfig, type ServeFlags } from '../../config/serve-config.js';
import { startCoordinator } from '../../server.js';
import { describeFailure } from '../../store/errors.js';
import type { Command } from '../command.js';
import { boundedErrorLog } from '../error-log.js';

/** At most this many error lines a minute reach the log whole (docs/coordinator.md, "Logs"). */
const ERROR_BURST = 20;
const ERROR_WINDOW_MS = 60_000;

export const serveCommand: Command = {
  usage:
    'serve [--data-dir DIR] [--database-url URL] [--mqtt-url URL] [--host ADDR] [--http-port N] [--mqtt-port N] [--http-tls-cert FILE --http-tls-key FILE] [--mqtt-tls-cert FILE --mqtt-tls-key FILE] [--dynsec required|auto|off] [--admin-token TOKEN] [--metrics-token TOKEN] [--service-role ROLE] [--json]\n\n' +
    'Run the service: embedded PGlite in --data-dir (default ./godwit-data) unless --database-url/DATABASE_URL, embedded MQTT broker unless --mqtt-url/MQTT_URL. Listens on 127.0.0.1 unless --host ADDR; port 0 picks a free one; --http-tls-cert/--http-tls-key serve the API over HTTPS, --mqtt-tls-cert/--mqtt-tls-key the embedded broker over TLS (mqtts://). With --mqtt-url, --dynsec required|auto|off (GODWIT_DYNSEC, default auto) says whether device access must, may or must not be managed through Mosquitto dynamic security. --service-role/GODWIT_SERVICE_ROLE names an existing non-superuser role for tenant queries. /metrics needs the admin token or --metrics-token/GODWIT_METRICS_TOKEN.',
  options: {
    'data-dir': { type: 'string' },
    'database-url': { type: 'string' },
    'mqtt-url': { type: 'string' },
    host: { type: 'string' },
    'http-port': { type: 'string' },
    'http-tls-cert': { type: 'string' },
    'http-tls-key': { type: 'string' },
    'mqtt-port': { type: 'string' },
    'mqtt-tls-cert': { type: 'string' },
    'mqtt-tls-key': { type: 'string' },
    dynsec: { type: 'string' },
    'admin-token': { type: 'string' },
    'metrics-token': { type: 'string' },
    'service-role': { type: 'string' },
    json: { type: 'boolean' },
  },
  positionals: [],
  async run(args, io) {
    const config = serveConfig(args.values as ServeFlags, io.env);
    const errors = boundedErrorLog({ write: (line) => io.stderr.write(`coordinator: ${line}\n`), burst: ERROR_BURST, windowMs: ERROR_WINDOW_MS });
    const running = await startCoordinator(config, (error) => errors.line(describeFailure(error)));
    const { httpUrl, mqttUrl, adminToken } = running;
    if (adminToken.generated) io.stderr.write(`coordinator: admin token written to ${adminToken.file}\n`);
    io.stdout.write(
      args.values.json === true
        ? `${JSON.stringify({ http: httpUrl, mqtt: mqttUrl, driver: running.store.driver, adminTokenFile: adminToken.file })}\n`
        : `coordinator ready: http ${httpUrl} mqtt ${mqttUrl} (${running.store.driver === 'pg' ? 'PostgreSQL' : `PGlite in ${config.dataDir}`})\n`,
    );
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await running.close();
    errors.flush();
    return 0;
  },
};
