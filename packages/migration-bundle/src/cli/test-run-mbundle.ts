import { Writable } from 'node:stream';
import { main } from './main.js';

export interface MbundleRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `mbundle` in-process in `cwd`, capturing what it prints: for tests. */
export async function runMbundle(cwd: string, argv: string[]): Promise<MbundleRun> {
  const out = { stdout: '', stderr: '' };
  const sink = (stream: 'stdout' | 'stderr') =>
    new Writable({
      write(chunk, _encoding, done) {
        out[stream] += String(chunk);
        done();
      },
    });
  const code = await main(argv, { cwd, env: {}, stdout: sink('stdout'), stderr: sink('stderr') });
  return { code, ...out };
}
