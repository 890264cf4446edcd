import type { Command, CommandIO, ParsedArgs } from '../command.js';
import { CLIENT_OPTIONS, CLIENT_USAGE, clientFor, print } from '../client-options.js';

interface Token {
  id: string;
  tenant: string;
  createdAt: string;
  revokedAt: string | null;
  current?: boolean;
}

const OPTIONS = { ...CLIENT_OPTIONS, tenant: { type: 'string' } } as const;
const USAGE = `[--tenant ID] ${CLIENT_USAGE}`;

/** `/v1/tokens...`, with `?tenant=ID` when the admin names one; the admin token then also comes from GODWIT_ADMIN_TOKEN. */
function call(args: ParsedArgs, io: CommandIO, path: string) {
  const tenant = args.values.tenant as string | undefined;
  const client = clientFor(args, io, tenant === undefined ? undefined : 'GODWIT_ADMIN_TOKEN');
  return { client, url: tenant === undefined ? path : `${path}?tenant=${encodeURIComponent(tenant)}` };
}

export const tokenCreateCommand: Command = {
  usage: `token create ${USAGE}`,
  options: OPTIONS,
  positionals: [],
  async run(args, io) {
    const { client, url } = call(args, io, '/v1/tokens');
    const token = await client.post<Token & { token: string }>(url);
    const { id, tenant, createdAt } = token;
    print(args, io, { id, tenant, token: token.token, createdAt }, () => [`token ${id} (tenant ${tenant})`, `operator token (shown once): ${token.token}`].join('\n'));
    return 0;
  },
};

export const tokenListCommand: Command = {
  usage: `token list ${USAGE}`,
  options: OPTIONS,
  positionals: [],
  async run(args, io) {
    const { client, url } = call(args, io, '/v1/tokens');
    const tokens = await client.get<Token[]>(url);
    print(args, io, tokens, () =>
      tokens.map((t) => `${t.id}  created ${t.createdAt}  ${t.revokedAt ? `revoked ${t.revokedAt}` : 'active'}${t.current ? '  (this token)' : ''}`).join('\n') || 'no tokens',
    );
    return 0;
  },
};

export const tokenRevokeCommand: Command = {
  usage: `token revoke ID ${USAGE}`,
  options: OPTIONS,
  positionals: ['ID'],
  async run(args, io) {
    const { client, url } = call(args, io, `/v1/tokens/${encodeURIComponent(args.positionals[0]!)}/revoke`);
    const token = await client.post<Token>(url);
    print(args, io, token, () => `revoked token ${token.id} (tenant ${token.tenant}) at ${token.revokedAt}`);
    return 0;
  },
};
