import { CoordinatorError } from '../../store/errors.js';
import { DEFAULT_EVENT_PAGE, MAX_EVENT_PAGE } from '../../store/events.js';
import { channelName, DEFAULT_CHANNEL, deviceId, labelMap } from '../../store/names.js';
import { requireOperator, requireTenant } from '../auth.js';
import { deviceQueryOf } from '../device-query-params.js';
import { pageQuery } from '../page-query.js';
import { readJson } from '../request-body.js';
import type { Route } from '../router.js';
import { only } from '../validate.js';
import type { HttpDeps } from '../deps.js';

export function deviceRoutes({ store, access }: HttpDeps): Route[] {
  return [
    {
      method: 'POST',
      path: '/v1/devices',
      async handle(ctx) {
        const { tenant, actor } = requireOperator(await ctx.principal());
        const body = await readJson(ctx.req);
        only(body, ['id', 'channel', 'labels']);
        const device = await store.devices.register(
          tenant,
          {
            id: deviceId(body.id),
            channel: body.channel === undefined ? DEFAULT_CHANNEL : channelName(body.channel),
            labels: body.labels === undefined ? {} : labelMap(body.labels, 'labels'),
          },
          actor,
        );
        await access.grant([{ tenantId: tenant, deviceId: device.id, channel: device.channel, ...device.mqtt }]);
        // Active rollouts on the channel may now reach the new device.
        await store.rollouts.refreshChannel(tenant, device.channel);
        return { status: 201, json: device };
      },
    },
    {
      method: 'GET',
      path: '/v1/devices',
      async handle(ctx) {
        const tenant = requireTenant(await ctx.principal());
        const params = new URL(ctx.req.url ?? '/', 'http://localhost').searchParams;
        // Without a query, every device as before; with one, a page, and the total matching in a header.
        if (params.size === 0) return { json: await store.fleet.devices(tenant) };
        const page = await store.deviceQueries.page(tenant, deviceQueryOf(params));
        return { json: page.devices, headers: { 'x-total-count': String(page.total) } };
      },
    },
    {
      method: 'GET',
      path: '/v1/devices/:id',
      async handle(ctx) {
        return { json: await store.fleet.device(requireTenant(await ctx.principal()), ctx.params.id!) };
      },
    },
    {
      method: 'GET',
      path: '/v1/devices/:id/events',
      async handle(ctx) {
        const tenant = requireTenant(await ctx.principal());
        return { json: await store.events.page(tenant, ctx.params.id!, pageQuery(ctx.req.url, { default: DEFAULT_EVENT_PAGE, max: MAX_EVENT_PAGE })) };
      },
    },
    {
      method: 'POST',
      path: '/v1/devices/:id/revoke',
      async handle(ctx) {
        const { tenant, actor } = requireOperator(await ctx.principal());
        const device = await store.devices.revoke(tenant, ctx.params.id!, actor);
        await access.revoke(device.mqttUsername);
        return { json: device };
      },
    },
    {
      method: 'GET',
      path: '/v1/drift',
      async handle(ctx) {
        return { json: await store.fleet.drift(requireTenant(await ctx.principal())) };
      },
    },
  ];
}
