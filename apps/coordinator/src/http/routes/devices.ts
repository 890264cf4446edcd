import { channelName, DEFAULT_CHANNEL, deviceId, labelMap } from '../../store/names.js';
import { requireTenant } from '../auth.js';
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
        const tenant = requireTenant(await ctx.principal());
        const body = await readJson(ctx.req);
        only(body, ['id', 'channel', 'labels']);
        const device = await store.devices.register(tenant, {
          id: deviceId(body.id),
          channel: body.channel === undefined ? DEFAULT_CHANNEL : channelName(body.channel),
          labels: body.labels === undefined ? {} : labelMap(body.labels, 'labels'),
        });
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
        return { json: await store.fleet.devices(requireTenant(await ctx.principal())) };
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
      method: 'POST',
      path: '/v1/devices/:id/revoke',
      async handle(ctx) {
        const tenant = requireTenant(await ctx.principal());
        const device = await store.devices.revoke(tenant, ctx.params.id!);
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
