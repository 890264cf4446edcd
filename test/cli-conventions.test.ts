/**
 * The command-line conventions all three programs share (docs/contract.md, "Command-line
 * conventions"), proved on the built programs as real processes, through one table of cases
 * driven by each program's own command table.
 */
import { spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COORDINATOR } from '../apps/coordinator/src/cli/main.js';
import { EDGE_AGENT } from '../apps/edge-agent/src/cli/main.js';
import { MBUNDLE } from '../packages/migration-bundle/src/cli/main.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

let dir: string;
const file = (name: string) => join(dir, name);

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cli-conventions-'));
  writeFileSync(file('trusted.pub'), generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }));
  writeFileSync(file('junk.mbundle'), 'not a bundle');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** What this test reads of a program's command table. */
interface ProgramTable {
  name: string;
  commands: Readonly<Record<string, { summary: string; load(): Promise<{ positionals: readonly string[]; options: object }> }>>;
}

/** Each program, its binary, and a command line of it that fails with --json and the exit code it must end with. */
const PROGRAMS: { program: ProgramTable; bin: string; jsonFailure: () => { args: string[]; code: number; jsonValue: boolean } }[] = [
  {
    program: MBUNDLE,
    bin: 'packages/migration-bundle/bin/mbundle.js',
    jsonFailure: () => ({ args: ['verify', file('junk.mbundle'), '--trust', file('trusted.pub'), '--json'], code: 3, jsonValue: true }),
  },
  {
    program: EDGE_AGENT,
    bin: 'apps/edge-agent/bin/edge-agent.js',
    jsonFailure: () => ({ args: ['upgrade', '--db', file('app.db'), '--bundle', file('junk.mbundle'), '--trust', file('trusted.pub'), '--json'], code: 3, jsonValue: true }),
  },
  {
    program: COORDINATOR,
    bin: 'apps/coordinator/bin/coordinator.js',
    // No failure shape in the contract: nothing on stdout.
    jsonFailure: () => ({ args: ['devices', '--server', 'http://127.0.0.1:9', '--token', 't', '--json'], code: 1, jsonValue: false }),
  },
];

function run(bin: string, args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [join(ROOT, bin), ...args], {
      cwd: dir,
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ code, stdout, stderr }));
  });
}

/** One line on stderr, nothing on stdout, exit 2. */
function expectUsageLine(result: Run, line: string, what: string): void {
  expect({ what, ...result }).toEqual({ what, code: 2, stdout: '', stderr: `${line}\n` });
}

describe.each(PROGRAMS)('$bin follows the command-line conventions', ({ program, bin, jsonFailure }) => {
  const name = program.name;
  const commands = Object.keys(program.commands);

  it('with no arguments prints the overview on stderr and exits 2; --help, -h and help print it on stdout and exit 0', async () => {
    const bare = await run(bin, []);
    expect(bare.code).toBe(2);
    expect(bare.stdout).toBe('');
    expect(bare.stderr).toMatch(new RegExp(`^usage: ${name} COMMAND`));
    for (const args of [['--help'], ['-h'], ['help']]) {
      const help = await run(bin, args);
      expect({ args, code: help.code, stderr: help.stderr }).toEqual({ args, code: 0, stderr: '' });
      expect(help.stdout).toBe(bare.stderr);
      for (const command of commands) expect(help.stdout).toContain(`\n  ${command} `);
    }
  });

  it('answers --help on every command, and help COMMAND, on stdout with exit 0', async () => {
    for (const command of commands) {
      const words = command.split(' ');
      const help = await run(bin, [...words, '--help']);
      expect({ command, code: help.code, stderr: help.stderr }).toEqual({ command, code: 0, stderr: '' });
      expect(help.stdout).toMatch(new RegExp(`^usage: ${name} ${command}\\b`));
      expect(help.stdout).toContain(`\n${program.commands[command]!.summary}\n`);
      expect(await run(bin, ['help', ...words])).toEqual(help);
    }
  });

  it('refuses an unknown command and an unknown option in one line naming it, exit 2', async () => {
    expectUsageLine(await run(bin, ['frobnicate']), `${name}: unknown command 'frobnicate' (see '${name} --help')`, 'unknown command');
    expectUsageLine(await run(bin, ['help', 'frobnicate']), `${name}: unknown command 'frobnicate' (see '${name} --help')`, 'help of an unknown command');
    expectUsageLine(await run(bin, ['--frob']), `${name}: unknown option '--frob' (see '${name} --help')`, 'unknown top-level option');
    for (const command of commands) {
      const hint = `(see '${name} ${command} --help')`;
      expectUsageLine(await run(bin, [...command.split(' '), '--frob']), `${name}: ${command}: Unknown option '--frob' ${hint}`, command);
    }
  });

  it('refuses a missing positional argument and an extra one in one line naming it, exit 2', async () => {
    let checked = 0;
    for (const command of commands) {
      const { positionals } = await program.commands[command]!.load();
      const words = command.split(' ');
      const hint = `(see '${name} ${command} --help')`;
      const required = positionals.filter((p) => !p.startsWith('['));
      if (required.length > 0) {
        expectUsageLine(await run(bin, words), `${name}: ${command}: missing ${required[0]} ${hint}`, command);
        checked++;
      }
      const extra = [...positionals.map(() => 'x'), 'extra'];
      expectUsageLine(await run(bin, [...words, ...extra]), `${name}: ${command}: unexpected argument 'extra' ${hint}`, command);
    }
    expect(checked).toBeGreaterThan(0);
  });

  it('with --json, a failure prints at most one JSON value on stdout and one line on stderr, with the exit code of the table', async () => {
    const { args, code, jsonValue } = jsonFailure();
    const result = await run(bin, args);
    expect(result.code, result.stderr).toBe(code);
    expect(result.stderr).toMatch(new RegExp(`^${name}: [^\\n]+\\n$`));
    if (jsonValue) expect(() => JSON.parse(result.stdout)).not.toThrow();
    else expect(result.stdout).toBe('');
  });

  it('completes commands and options in bash from its own command table', async () => {
    const script = await run(bin, ['completion', 'bash']);
    expect(script).toMatchObject({ code: 0, stderr: '' });
    writeFileSync(file(`${name}.bash`), script.stdout);
    const fn = `_${name.replace(/\W/g, '_')}`;
    const complete = (words: string[]) =>
      new Promise<string>((resolvePromise) => {
        const shell = `source '${file(`${name}.bash`)}'; COMP_WORDS=(${[name, ...words].map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length}; ${fn}; echo "\${COMPREPLY[*]}"`;
        const child = spawn('bash', ['-c', shell], { stdio: ['ignore', 'pipe', 'inherit'] });
        let out = '';
        child.stdout.on('data', (chunk) => (out += chunk));
        child.on('close', () => resolvePromise(out.trim()));
      });
    const top = (await complete([''])).split(' ');
    for (const command of commands) expect(top).toContain(command.split(' ')[0]);
    for (const command of commands) {
      const { options } = await program.commands[command]!.load();
      const offered = (await complete([...command.split(' '), '--'])).split(' ');
      expect(offered, command).toEqual(expect.arrayContaining([...Object.keys(options).map((o) => `--${o}`), '--help']));
    }
  });

  it('prints the stack of a failure only under GODWIT_DEBUG=1', async () => {
    const { args } = jsonFailure();
    const quiet = await run(bin, args);
    const debug = await run(bin, args, { GODWIT_DEBUG: '1' });
    expect(quiet.stderr).not.toMatch(/\n {4}at /);
    expect(debug.stderr.startsWith(quiet.stderr)).toBe(true);
    expect(debug.stderr).toMatch(/\n {4}at /);
  });
});
