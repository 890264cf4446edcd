import { channelName, labelMap } from '../../store/names.js';
import { CoordinatorError } from '../../store/errors.js';
import type { Targeting } from '../../rollouts/selection.js';
import { requireOperator, requireTenant } from '../auth.js';
import { readJson } from '../request-body.js';
import type { Route } from '../router.js';
import { only, optionalInteger, optionalPercent, percent, requiredString } from '../validate.js';
import type { HttpDeps } from '../deps.js';

function targeting(body: Record<string, unknown>): Targeting {
  if (body.percent !== undefined && body.selectors !== undefined) {
    throw new CoordinatorError('invalid-request', 'percent, selectors: give one or the other');
  }
  if (body.selectors !== undefined) {
    const selectors = labelMap(body.selectors, 'selectors');
    if (Object.keys(selectors).length === 0) throw new CoordinatorError('invalid-request', 'selectors: at least one KEY=VALUE');
    return { selectors };
  }
  return { percent: body.percent === undefined ? 100 : percent(body.percent) };
}

export function rolloutRoutes({ store }: HttpDeps): Route[] {
  const action = (name: 'pause' | 'resume' | 'retry'): Route => ({
    method: 'POST',
    path: `/v1/rollouts/:id/${name}`,
    async handle(ctx) {
      const { tenant, actor } = requireOperator(await ctx.principal());
      // Pause and resume have always ignored a body, and clients may send one; retry, newer, takes
      // none or an empty object, so that a field it might take one day is not silently dropped now.
      const sendsBody = Number(ctx.req.headers['content-length'] ?? 0) > 0 || ctx.req.headers['transfer-encoding'] !== undefined;
      if (name === 'retry' && sendsBody) only(await readJson(ctx.req), []);
      return { json: await store.rollouts[name](tenant, ctx.params.id!, actor) };
    },
  });
  return [
    {
      method: 'POST',
      path: '/v1/rollouts',
      async handle(ctx) {
        const { tenant, actor } = requireOperator(await ctx.principal());
        const body = await readJson(ctx.req);
        only(body, ['bundle', 'channel', 'percent', 'selectors', 'failureThresholdPercent', 'minAttempts']);
        const failureThresholdPercent = optionalPercent(body, 'failureThresholdPercent');
        const minAttempts = optionalInteger(body, 'minAttempts', 1, 1_000_000);
        const rollout = await store.rollouts.publish(tenant, {
          bundleId: requiredString(body, 'bundle'),
          channel: channelName(body.channel),
          targeting: targeting(body),
          ...(failureThresholdPercent !== undefined && { failureThresholdPercent }),
          ...(minAttempts !== undefined && { minAttempts }),
        }, actor);
        return { status: 201, json: rollout };
      },
    },
    {
      method: 'GET',
      path: '/v1/rollouts',
      async handle(ctx) {
        return { json: await store.rollouts.list(requireTenant(await ctx.principal())) };
      },
    },
    {
      method: 'GET',
      path: '/v1/rollouts/:id',
      async handle(ctx) {
        return { json: await store.rollouts.status(requireTenant(await ctx.principal()), ctx.params.id!) };
      },
    },
    action('pause'),
    action('resume'),
    action('retry'),
    {
      method: 'POST',
      path: '/v1/rollouts/:id/widen',
      async handle(ctx) {
        const { tenant, actor } = requireOperator(await ctx.principal());
        const body = await readJson(ctx.req);
        only(body, ['percent']);
        return { json: await store.rollouts.widen(tenant, ctx.params.id!, percent(body.percent), actor) };
      },
    },
  ];
}
