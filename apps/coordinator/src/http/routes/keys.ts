import { requireTenant } from '../auth.js';
import { readJson } from '../request-body.js';
import type { Route } from '../router.js';
import { only, requiredString } from '../validate.js';
import type { HttpDeps } from '../deps.js';

export function keyRoutes({ store }: HttpDeps): Route[] {
  return [
    {
      method: 'POST',
      path: '/v1/keys',
      async handle(ctx) {
        const tenant = requireTenant(await ctx.principal());
        const body = await readJson(ctx.req);
        only(body, ['publicKey']);
        const key = await store.keys.add(tenant, requiredString(body, 'publicKey', 4096));
        return { status: key.added ? 201 : 200, json: key };
      },
    },
    {
      method: 'GET',
      path: '/v1/keys',
      async handle(ctx) {
        return { json: await store.keys.list(requireTenant(await ctx.principal())) };
      },
    },
  ];
}
