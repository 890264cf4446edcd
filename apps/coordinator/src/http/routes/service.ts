import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { authenticateMetricsReader } from '../auth.js';
import type { Route } from '../router.js';
import type { HttpDeps } from '../deps.js';

// apps/coordinator/openapi.json, from src/http/routes or dist/http/routes alike.
const OPENAPI_FILE = fileURLToPath(new URL('../../../openapi.json', import.meta.url));

/** Health and the API description need no token; metrics need the admin or the metrics token. */
export function serviceRoutes({ store, metrics, adminToken, metricsToken }: HttpDeps): Route[] {
  const openapi = readFileSync(OPENAPI_FILE, 'utf8');
  return [
    { method: 'GET', path: '/healthz', handle: async () => ({ json: { status: 'ok', driver: store.driver } }) },
    {
      method: 'GET',
      path: '/metrics',
      async handle(ctx) {
        authenticateMetricsReader(ctx.req, adminToken, metricsToken);
        return { text: await metrics.render(), contentType: 'text/plain; version=0.0.4; charset=utf-8' };
      },
    },
    { method: 'GET', path: '/openapi.json', handle: async () => ({ text: openapi, contentType: 'application/json' }) },
  ];
}
