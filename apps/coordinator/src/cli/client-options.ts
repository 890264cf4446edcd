import type { CommandIO, OptionSpec, ParsedArgs } from './command.js';
import { ApiClient, DEFAULT_SERVER } from './client.js';

/** What every client command takes. */
export const CLIENT_OPTIONS: OptionSpec = {
  server: { type: 'string' },
  token: { type: 'string' },
  json: { type: 'boolean' },
};

export const CLIENT_USAGE = '[--server URL] [--token TOKEN] [--json]';

export function clientFor(args: ParsedArgs, io: CommandIO, fallbackTokenEnv?: string): ApiClient {
  const server = (args.values.server as string | undefined) ?? (io.env.GODWIT_SERVER || DEFAULT_SERVER);
  const token =
    (args.values.token as string | undefined) ??
    (io.env.GODWIT_TOKEN || (fallbackTokenEnv ? io.env[fallbackTokenEnv] : undefined) || undefined);
  return new ApiClient(server, token);
}

/** With --json, exactly one JSON value; otherwise the text lines. */
export function print(args: ParsedArgs, io: CommandIO, json: unknown, text: () => string): void {
  io.stdout.write(args.values.json === true ? `${JSON.stringify(json, null, 2)}\n` : `${text()}\n`);
}
