import { requireAdmin } from '../auth.js';
import { readJson } from '../request-body.js';
import type { Route } from '../router.js';
import { only, requiredName } from '../validate.js';
import type { HttpDeps } from '../deps.js';

export function tenantRoutes({ store }: HttpDeps): Route[] {
  return [
    {
      method: 'POST',
      path: '/v1/tenants',
      async handle(ctx) {
        requireAdmin(await ctx.principal());
        const body = await readJson(ctx.req);
        only(body, ['name']);
        return { status: 201, json: await store.tenants.create(requiredName(body, 'name', 100)) };
      },
    },
  ];
}
