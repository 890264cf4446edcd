import { MAX_BUNDLE_BYTES, verifyUpload } from '../../bundles/verify-upload.js';
import { requireOperator, requireTenant } from '../auth.js';
import { readBody } from '../request-body.js';
import type { Route } from '../router.js';
import type { HttpDeps } from '../deps.js';

export function bundleRoutes({ store }: HttpDeps): Route[] {
  return [
    {
      method: 'POST',
      path: '/v1/bundles',
      async handle(ctx) {
        const { tenant, actor } = requireOperator(await ctx.principal());
        const bytes = await readBody(ctx.req, MAX_BUNDLE_BYTES);
        const upload = verifyUpload(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), await store.keys.trusted(tenant));
        const bundle = await store.bundles.add(tenant, upload, actor);
        return { status: bundle.added ? 201 : 200, json: bundle };
      },
    },
    {
      method: 'GET',
      path: '/v1/bundles',
      async handle(ctx) {
        return { json: await store.bundles.list(requireTenant(await ctx.principal())) };
      },
    },
    {
      method: 'GET',
      path: '/v1/bundles/:id',
      async handle(ctx) {
        return { json: await store.bundles.get(requireTenant(await ctx.principal()), ctx.params.id!) };
      },
    },
  ];
}
