import { completionEntry, runProgram, type CommandEntry, type Program } from '@godwit/cli-frame';
import { describeFailure } from '../store/errors.js';
import type { Command, CommandIO } from './command.js';
import { EXIT_CODES } from './exit-codes.js';

const entry = (summary: string, load: () => Promise<Command>): CommandEntry<CommandIO> => ({ summary, load });

/** Loaded on demand so that client commands never load the store, PGlite or the broker. */
export const COORDINATOR: Program<CommandIO> = {
  name: 'coordinator',
  commands: {
    serve: entry('Run the service: PGlite or PostgreSQL, an embedded or external MQTT broker, the HTTP API.', async () => (await import('./commands/serve.js')).serveCommand),
    'tenant create': entry(
      'Create a tenant (admin token) and print its id and first operator token. The token falls back to GODWIT_ADMIN_TOKEN.',
      async () => (await import('./commands/tenant-create.js')).tenantCreateCommand,
    ),
    'token create': entry(
      "Issue another operator token for the token's tenant (the admin token names one with --tenant) and print it once.",
      async () => (await import('./commands/token.js')).tokenCreateCommand,
    ),
    'token list': entry(
      "List the tenant's operator tokens (ids, never the tokens): created, revoked, and which one this call used.",
      async () => (await import('./commands/token.js')).tokenListCommand,
    ),
    'token revoke': entry('Revoke an operator token by id: it is refused (exit 7) from the next request on.', async () => (await import('./commands/token.js')).tokenRevokeCommand),
    'keys add': entry(
      "Trust an Ed25519 public key (SPKI PEM, as `mbundle keygen` writes) for the token's tenant.",
      async () => (await import('./commands/keys-add.js')).keysAddCommand,
    ),
    'device register': entry(
      'Register a device and print its MQTT username and secret (shown once; only a hash is stored).',
      async () => (await import('./commands/device-register.js')).deviceRegisterCommand,
    ),
    'device show': entry(
      'Show one device (state, drift, presence) and its migration events, newest first (--limit, default 100).',
      async () => (await import('./commands/device-show.js')).deviceShowCommand,
    ),
    publish: entry(
      'Upload a signed bundle and start a rollout of it on a channel: a percentage of its devices (default 100) or label selectors.',
      async () => (await import('./commands/publish.js')).publishCommand,
    ),
    'bundle upload': entry(
      'Store a verified bundle without starting a rollout, so that its revisions are known: devices that shipped with it (a factory image) are not drifted.',
      async () => (await import('./commands/bundle-upload.js')).bundleUploadCommand,
    ),
    'rollout status': entry("Show a rollout's state and progress.", async () => (await import('./commands/rollout.js')).rolloutStatusCommand),
    'rollout pause': entry('Pause a rollout: no further device is targeted until it resumes.', async () => (await import('./commands/rollout.js')).rolloutPauseCommand),
    'rollout resume': entry('Resume a paused rollout (also one the failure threshold paused).', async () => (await import('./commands/rollout.js')).rolloutResumeCommand),
    'rollout retry': entry(
      'Retry the failed devices of a rollout: pending again, the bundle handed out again while it is active.',
      async () => (await import('./commands/rollout.js')).rolloutRetryCommand,
    ),
    'rollout widen': entry('Widen a percentage rollout; devices it already reached stay in it.', async () => (await import('./commands/rollout.js')).rolloutWidenCommand),
    devices: entry("List the tenant's devices: revision, fingerprint, drift, online, last seen.", async () => (await import('./commands/devices.js')).devicesCommand),
    drift: entry(
      'List devices whose schema is not what their revision expects, or whose revision is unknown, with the diff.',
      async () => (await import('./commands/devices.js')).driftCommand,
    ),
    completion: completionEntry(() => COORDINATOR),
  },
  exitCodes: EXIT_CODES,
  notes:
    'Clients read --server/GODWIT_SERVER (default http://127.0.0.1:8080) and --token/GODWIT_TOKEN.\n' +
    'Exit codes: 0 ok, 1 error, 2 usage, 3 bundle refused, 7 token refused or no such object.',
  describeError: describeFailure,
};

/**
 * Runs `coordinator` with `argv` (without the node and script paths) and returns its exit code.
 * Tests pass `io` to capture output and set the environment.
 *
 * @example
 * process.exitCode = await main(process.argv.slice(2));
 */
export function main(argv: string[], io: Partial<CommandIO> = {}): Promise<number> {
  return runProgram(COORDINATOR, argv, {
    stdout: io.stdout ?? process.stdout,
    stderr: io.stderr ?? process.stderr,
    cwd: io.cwd ?? process.cwd(),
    env: io.env ?? process.env,
  });
}
