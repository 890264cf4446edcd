import { DEFAULT_AUDIT_PAGE, MAX_AUDIT_PAGE } from '../../store/audit.js';
import { CoordinatorError } from '../../store/errors.js';
import { requireTenant } from '../auth.js';
import { streamChanges } from '../live-stream.js';
import { pageQuery } from '../page-query.js';
import { readJson } from '../request-body.js';
import type { Route } from '../router.js';
import { clearedSessionCookie, endSession, readSessionId, requireCsrfHeader, SESSION_TTL_MS, sessionCookie, startSession } from '../session.js';
import { only, requiredString } from '../validate.js';
import type { HttpDeps } from '../deps.js';

/** What the dashboard needs beyond the rest of the API: its session, the fleet's totals, one device's drift. */
export function dashboardRoutes({ store }: HttpDeps): Route[] {
  return [
    {
      method: 'POST',
      path: '/v1/session',
      async handle(ctx) {
        requireCsrfHeader(ctx.req);
        const body = await readJson(ctx.req);
        only(body, ['token']);
        const identity = await store.tokens.authenticate(requiredString(body, 'token', 512));
        if (!identity) throw new CoordinatorError('unauthorized', 'token refused');
        const session = await startSession(store.sessions, identity);
        return {
          status: 201,
          headers: { 'set-cookie': sessionCookie(ctx.req, session.id, SESSION_TTL_MS / 1000), 'cache-control': 'no-store' },
          json: { tenant: identity.tenantId, expiresAt: new Date(session.expiresAt).toISOString() },
        };
      },
    },
    {
      method: 'GET',
      path: '/v1/session',
      async handle(ctx) {
        return { json: { tenant: requireTenant(await ctx.principal()) } };
      },
    },
    {
      method: 'POST',
      path: '/v1/session/sign-out',
      async handle(ctx) {
        requireCsrfHeader(ctx.req);
        const id = readSessionId(ctx.req);
        if (id !== undefined) await endSession(store.sessions, id);
        return { headers: { 'set-cookie': clearedSessionCookie(ctx.req) }, json: { signedOut: true } };
      },
    },
    {
      method: 'GET',
      path: '/v1/live',
      async handle(ctx) {
        const tenant = requireTenant(await ctx.principal());
        const [unknown] = new URL(ctx.req.url ?? '/', 'http://localhost').searchParams.keys();
        if (unknown !== undefined) throw new CoordinatorError('invalid-request', `${unknown}: unknown query parameter (expected none)`);
        return { stream: (res) => streamChanges(ctx.req, res, store.changes, tenant) };
      },
    },
    {
      method: 'GET',
      path: '/v1/audit',
      async handle(ctx) {
        const tenant = requireTenant(await ctx.principal());
        return { json: await store.audit.page(tenant, pageQuery(ctx.req.url, { default: DEFAULT_AUDIT_PAGE, max: MAX_AUDIT_PAGE })) };
      },
    },
    {
      method: 'GET',
      path: '/v1/fleet/summary',
      async handle(ctx) {
        return { json: await store.deviceQueries.summary(requireTenant(await ctx.principal())) };
      },
    },
    {
      method: 'GET',
      path: '/v1/devices/:id/drift',
      async handle(ctx) {
        const tenant = requireTenant(await ctx.principal());
        const device = await store.fleet.device(tenant, ctx.params.id!);
        const [drifted] = device.drift ? await store.fleet.drift(tenant, device.id) : [];
        const schemas = await store.fleet.schemas(tenant, device.id);
        return {
          json: {
            id: device.id,
            drift: device.drift,
            expectedFingerprint: device.expectedFingerprint,
            fingerprint: device.fingerprint,
            diff: drifted?.diff ?? null,
            expectedSchema: schemas.expected,
            liveSchema: schemas.live,
          },
        };
      },
    },
  ];
}
