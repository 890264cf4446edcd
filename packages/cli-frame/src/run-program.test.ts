import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { Command, FrameIO, Program } from './command.js';
import { ExitCode, exitCodeFor, UsageError } from './exit-codes.js';
import { runProgram } from './run-program.js';

class Refused extends Error {
  readonly code = 'refused-here';
}

const echo: Command = {
  usage: 'echo [TARGET] [--json]',
  options: { json: { type: 'boolean' }, fail: { type: 'boolean' }, print: { type: 'boolean' } },
  positionals: ['[TARGET]'],
  jsonError: (error) => `${JSON.stringify({ failed: (error as Error).message })}\n`,
  async run({ values, positionals }, io) {
    if (values.print === true) io.stdout.write('{"printed":true}\n');
    if (values.fail === true) throw new Refused('no');
    io.stdout.write(`${positionals.join(',')}\n`);
    return ExitCode.ok;
  },
};

const PROGRAM: Program = {
  name: 'prog',
  commands: {
    echo: { summary: 'print the target', load: async () => echo },
    'group one': { summary: 'the first of a group', load: async () => ({ ...echo, usage: 'group one' }) },
  },
  exitCodes: { 'refused-here': ExitCode.bundleRefused },
  dashedPositional: /^-\d+$/,
};

async function prog(argv: string[]) {
  const out = { stdout: '', stderr: '' };
  const sink = (stream: 'stdout' | 'stderr') =>
    new Writable({
      write(chunk, _encoding, done) {
        out[stream] += String(chunk);
        done();
      },
    });
  const io: FrameIO = { stdout: sink('stdout'), stderr: sink('stderr'), env: {} };
  return { code: await runProgram(PROGRAM, argv, io), ...out };
}

describe('runProgram', () => {
  it('shows a group on its own: stderr and exit 2 bare, stdout and exit 0 with --help or help GROUP', async () => {
    const bare = await prog(['group']);
    expect(bare).toMatchObject({ code: 2, stdout: '' });
    expect(bare.stderr).toMatch(/^ {2}group one {2}the first of a group$/m);
    expect(bare.stderr).not.toMatch(/^ {2}echo/m);
    expect(await prog(['group', '--help'])).toEqual({ code: 0, stdout: bare.stderr, stderr: '' });
    expect(await prog(['help', 'group'])).toEqual({ code: 0, stdout: bare.stderr, stderr: '' });
    expect((await prog(['group', 'two'])).stderr).toBe("prog: unknown command 'group two' (see 'prog --help')\n");
  });

  it('takes -N as a positional, not a flag', async () => {
    expect(await prog(['echo', '-2'])).toEqual({ code: 0, stdout: '-2\n', stderr: '' });
  });

  it('with --json, prints the command\'s failure value only when it printed nothing itself', async () => {
    expect(await prog(['echo', '--fail', '--json'])).toEqual({ code: 3, stdout: '{"failed":"no"}\n', stderr: 'prog: no\n' });
    expect(await prog(['echo', '--fail', '--print', '--json'])).toEqual({ code: 3, stdout: '{"printed":true}\n', stderr: 'prog: no\n' });
    expect(await prog(['echo', '--json', '--bogus'])).toMatchObject({ code: 2, stdout: expect.stringMatching(/^\{"failed":"echo: Unknown option '--bogus'/) });
    expect(await prog(['echo', '--fail'])).toEqual({ code: 3, stdout: '', stderr: 'prog: no\n' });
  });
});

describe('exitCodeFor', () => {
  it('looks a code up in the table, makes usage and parseArgs errors 2, anything else 1', () => {
    const table = { drifted: ExitCode.drift };
    expect(exitCodeFor(table, Object.assign(new Error('x'), { code: 'drifted' }))).toBe(4);
    expect(exitCodeFor(table, new UsageError('x'))).toBe(2);
    expect(exitCodeFor(table, Object.assign(new Error('x'), { code: 'ERR_PARSE_ARGS_UNKNOWN_OPTION' }))).toBe(2);
    for (const error of [new Error('x'), { code: 'toString' }, { code: 'ENOENT' }, null, 'text']) expect(exitCodeFor(table, error)).toBe(1);
  });
});
