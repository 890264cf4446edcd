/**
 * A coordinator process with only its store and MQTT side (no HTTP), as `coordinator serve` wires
 * them: what the storm bench starts and measures. It answers on stdin because the bench must count
 * rows in a PGlite that only this process can open. Prints one JSON line once ready:
 * `{ "mqtt": url, "port": n|null, "credential": {username,password}|null, "pid": n }`.
 * A line `stats` on stdin prints `{ "dropped": {...}, "reportsStored": n, "batches": n }`;
 * `count TENANT COUNTER` prints `{ "count": n }`, the devices of TENANT whose stored state has
 * reached COUNTER (PGlite lives inside this process, so the bench asks here).
 *
 *   npx tsx scripts/bench/storm-coordinator.ts [--data-dir DIR | --database-url URL] [--mqtt-url URL | --mqtt-port N]
 */
import { parseArgs } from 'node:util';
import { createInterface } from 'node:readline';
import { sql } from 'drizzle-orm';
import { openStore, startMqtt, IngestCounters } from '@godwit/coordinator';

const { values } = parseArgs({
  options: {
    'data-dir': { type: 'string', default: 'memory://' },
    'database-url': { type: 'string' },
    'mqtt-url': { type: 'string' },
    'mqtt-port': { type: 'string', default: '0' },
  },
});

const store = await openStore({ dataDir: values['data-dir']!, databaseUrl: values['database-url'] });
const metrics = new IngestCounters();
const mqtt = await startMqtt({
  store,
  metrics,
  port: Number(values['mqtt-port']),
  ...(values['mqtt-url'] && { url: values['mqtt-url'] }),
  onError: (error) => process.stderr.write(`ingest: ${(error as Error).message}\n`),
});
process.stdout.write(`${JSON.stringify({ mqtt: mqtt.url, port: mqtt.port, credential: mqtt.coordinatorCredential, pid: process.pid })}\n`);

createInterface({ input: process.stdin }).on('line', (line) => {
  const [command, tenantId, counter] = line.trim().split(' ');
  if (command === 'stats') {
    const { droppedByReason: dropped, reportsStored, batches, largestBatch } = metrics;
    process.stdout.write(`${JSON.stringify({ dropped, reportsStored, batches, largestBatch })}\n`);
  } else if (command === 'count') {
    store.db
      .execute(sql`select count(*)::int as n from device_state where tenant_id = ${tenantId} and counter >= ${Number(counter)}`)
      .then((result) => {
        const [row] = (result as unknown as { rows: { n: number }[] }).rows;
        process.stdout.write(`${JSON.stringify({ count: row?.n ?? 0 })}\n`);
      });
  }
});

let closing = false;
process.on('SIGTERM', () => {
  if (closing) return;
  closing = true;
  void mqtt
    .close()
    .then(() => store.close())
    .finally(() => process.exit(0));
});
