import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { CommandIO, OptionSpec, ParsedArgs } from './command.js';
import { UsageError } from './command.js';
import { ApiClient, DEFAULT_SERVER } from './client.js';

/** What every client command takes. */
export const CLIENT_OPTIONS: OptionSpec = {
  server: { type: 'string' },
  token: { type: 'string' },
  ca: { type: 'string' },
  json: { type: 'boolean' },
};

export const CLIENT_USAGE = '[--server URL] [--token TOKEN] [--ca FILE] [--json]';

export function clientFor(args: ParsedArgs, io: CommandIO, fallbackTokenEnv?: string): ApiClient {
  const server = (args.values.server as string | undefined) ?? (io.env.GODWIT_SERVER || DEFAULT_SERVER);
  if (!URL.canParse(server) || !['http:', 'https:'].includes(new URL(server).protocol)) {
    throw new UsageError(`--server ${server}: an http:// or https:// URL`);
  }
  const token =
    (args.values.token as string | undefined) ??
    (io.env.GODWIT_TOKEN || (fallbackTokenEnv ? io.env[fallbackTokenEnv] : undefined) || undefined);
  const caFile = (args.values.ca as string | undefined) ?? (io.env.GODWIT_CA || undefined);
  return new ApiClient(server, token, { ca: caFile === undefined ? undefined : readCa(resolve(io.cwd, caFile)) });
}

function readCa(path: string): string {
  let pem: string;
  try {
    pem = readFileSync(path, 'utf8');
  } catch (error) {
    throw new Error(`cannot read CA file ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) throw new UsageError(`--ca ${path}: not a PEM certificate`);
  return pem;
}

/** With --json, exactly one JSON value; otherwise the text lines. */
export function print(args: ParsedArgs, io: CommandIO, json: unknown, text: () => string): void {
  io.stdout.write(args.values.json === true ? `${JSON.stringify(json, null, 2)}\n` : `${text()}\n`);
}
