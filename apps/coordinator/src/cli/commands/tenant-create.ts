import type { Command } from '../command.js';
import { CLIENT_OPTIONS, CLIENT_USAGE, clientFor, print } from '../client-options.js';

interface Tenant {
  id: string;
  name: string;
  token: string;
}

export const tenantCreateCommand: Command = {
  name: 'tenant create',
  summary: "Create a tenant (admin token) and print its id and first operator token. The token falls back to GODWIT_ADMIN_TOKEN.",
  usage: `tenant create NAME ${CLIENT_USAGE}`,
  options: CLIENT_OPTIONS,
  positionals: { min: 1, max: 1 },
  async run(args, io) {
    const tenant = await clientFor(args, io, 'GODWIT_ADMIN_TOKEN').post<Tenant>('/v1/tenants', { name: args.positionals[0] });
    print(args, io, { id: tenant.id, name: tenant.name, token: tenant.token }, () =>
      [`tenant ${tenant.id} (${tenant.name})`, `operator token (shown once): ${tenant.token}`].join('\n'),
    );
    return 0;
  },
};
