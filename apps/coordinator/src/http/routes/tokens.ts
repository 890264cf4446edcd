import { CoordinatorError } from '../../store/errors.js';
import { actorOf, type Principal } from '../auth.js';
import type { Route, RequestContext } from '../router.js';
import { checkUuid } from '../validate.js';
import type { HttpDeps } from '../deps.js';

/**
 * The tenant whose operator tokens a call manages: an operator's own, or the one the admin names
 * with `?tenant=ID`.
 */
async function tenantOf(ctx: RequestContext): Promise<{ principal: Principal; tenant: string }> {
  const principal = await ctx.principal();
  const named = new URL(ctx.req.url ?? '/', 'http://localhost').searchParams;
  for (const key of named.keys()) {
    if (key !== 'tenant') throw new CoordinatorError('invalid-request', `${key}: unknown query parameter (expected tenant)`);
  }
  const tenant = named.get('tenant');
  if (principal.kind === 'operator') {
    if (tenant !== null) throw new CoordinatorError('invalid-request', 'tenant: only the admin token names a tenant; an operator token manages its own');
    return { principal, tenant: principal.tenantId };
  }
  if (tenant === null) throw new CoordinatorError('invalid-request', 'tenant: the admin token must name one (?tenant=ID)');
  return { principal, tenant: checkUuid(tenant, 'tenant') };
}

/** Marks the token the caller used, so a listing shows which one not to revoke by mistake. */
function current(principal: Principal, id: string): boolean {
  return principal.kind === 'operator' && principal.tokenId === id;
}

export function tokenRoutes({ store }: HttpDeps): Route[] {
  return [
    {
      method: 'POST',
      path: '/v1/tokens',
      async handle(ctx) {
        const { tenant } = await tenantOf(ctx);
        return { status: 201, json: await store.tokens.create(tenant) };
      },
    },
    {
      method: 'GET',
      path: '/v1/tokens',
      async handle(ctx) {
        const { principal, tenant } = await tenantOf(ctx);
        return { json: (await store.tokens.list(tenant)).map((t) => ({ ...t, current: current(principal, t.id) })) };
      },
    },
    {
      method: 'POST',
      path: '/v1/tokens/:id/revoke',
      async handle(ctx) {
        const { principal, tenant } = await tenantOf(ctx);
        const token = await store.tokens.revoke(tenant, ctx.params.id!, actorOf(principal));
        return { json: { ...token, current: current(principal, token.id) } };
      },
    },
  ];
}
