import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { main } from './main.js';

async function mbundle(argv: string[], env: Record<string, string> = {}) {
  const out = { stdout: '', stderr: '' };
  const sink = (stream: 'stdout' | 'stderr') =>
    new Writable({
      write(chunk, _encoding, done) {
        out[stream] += String(chunk);
        done();
      },
    });
  const code = await main(argv, { cwd: process.cwd(), env, stdout: sink('stdout'), stderr: sink('stderr') });
  return { code, ...out };
}

describe('mbundle', () => {
  it('prints the list of commands for --help and help (exit 0), and to stderr with no arguments (exit 2)', async () => {
    for (const argv of [['--help'], ['-h'], ['help']]) {
      const { code, stdout } = await mbundle(argv);
      expect(code).toBe(0);
      for (const name of ['keygen', 'heads', 'history', 'build', 'verify', 'inspect', 'sql', 'revision', 'merge', 'check']) {
        expect(stdout).toMatch(new RegExp(`^  ${name} +\\S`, 'm'));
      }
    }
    const bare = await mbundle([]);
    expect(bare.code).toBe(2);
    expect(bare.stderr).toMatch(/^usage: mbundle COMMAND/);
  });

  it("prints a command's usage for `help CMD`, `CMD --help` and `CMD -h` (exit 0)", async () => {
    for (const argv of [['help', 'verify'], ['verify', '--help'], ['verify', '-h'], ['verify', 'x', '--trust', 'y', '--help']]) {
      const { code, stdout, stderr } = await mbundle(argv);
      expect(code).toBe(0);
      expect(stdout).toMatch(/^usage: mbundle verify FILE --trust PUBFILE \[--trust PUBFILE \.\.\.\] \[--json\]\n/);
      expect(stderr).toBe('');
    }
  });

  it('refuses an unknown command, an unknown flag, a missing flag value and extra arguments with one line and exit 2', async () => {
    const cases: [string[], RegExp][] = [
      [['frobnicate'], /^mbundle: unknown command 'frobnicate' \(see 'mbundle --help'\)\n$/],
      [['help', 'frobnicate'], /^mbundle: unknown command 'frobnicate'/],
      [['keygen', '--frob'], /^mbundle: keygen: Unknown option '--frob'.*\(see 'mbundle keygen --help'\)\n$/],
      [['keygen', '--out'], /^mbundle: keygen: Option '--out <value>' argument missing.*\n$/],
      [['keygen', '--out', 'k', 'extra'], /^mbundle: keygen: unexpected argument 'extra'/],
      [['verify', 'a.bundle', 'b.bundle', '--trust', 'k.pub'], /^mbundle: verify: unexpected argument 'b\.bundle'/],
      [['keygen'], /^mbundle: keygen: --out PREFIX is required\n$/],
      [['toString'], /^mbundle: unknown command 'toString'/],
    ];
    for (const [argv, message] of cases) {
      const { code, stdout, stderr } = await mbundle(argv);
      expect({ argv, code }).toEqual({ argv, code: 2 });
      expect(stderr).toMatch(message);
      expect(stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(stdout).toBe('');
    }
  });

  it('prints an error as one line, with the stack only when GODWIT_DEBUG=1', async () => {
    const quiet = await mbundle(['inspect', '/nonexistent/x.bundle']);
    expect(quiet.code).toBe(1);
    expect(quiet.stderr).toMatch(/^mbundle: ENOENT: no such file or directory, open '\/nonexistent\/x\.bundle'\n$/);
    const debug = await mbundle(['inspect', '/nonexistent/x.bundle'], { GODWIT_DEBUG: '1' });
    expect(debug.stderr.split('\n').length).toBeGreaterThan(2);
    expect(debug.stderr).toMatch(/\n    at /);
  });
});
