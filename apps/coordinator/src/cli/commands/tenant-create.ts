import type { Command } from '../command.js';
import { CLIENT_OPTIONS, CLIENT_USAGE, clientFor, print } from '../client-options.js';

interface Tenant {
  id: string;
  name: string;
  token: string;
}

export const tenantCreateCommand: Command = {
  usage: `tenant create NAME ${CLIENT_USAGE}`,
  options: CLIENT_OPTIONS,
  positionals: ['NAME'],
  async run(args, io) {
    const tenant = await clientFor(args, io, 'GODWIT_ADMIN_TOKEN').post<Tenant>('/v1/tenants', { name: args.positionals[0] });
    print(args, io, { id: tenant.id, name: tenant.name, token: tenant.token }, () =>
      [`tenant ${tenant.id} (${tenant.name})`, `operator token (shown once): ${tenant.token}`].join('\n'),
    );
    return 0;
  },
};
