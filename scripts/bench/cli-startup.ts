/**
 * `npx tsx scripts/bench/cli-startup.ts [--runs N] [--reference DIR]`
 *
 * How long `edge-agent --help` takes from exec to exit: the agent runs at every device boot, so
 * its start-up is what a CLI change must not cost. Baseline: a bare `node -e 0` measured in the
 * same run. With `--reference DIR` (a copy of an earlier build: DIR/bin/edge-agent.js beside its
 * dist/ and a node_modules link), that build's `--help` is timed too, for a before/after ratio.
 * Runs are alternated so load on the shared machine falls on every subject alike; medians are
 * reported. Build first (`npm run build`). Measures; asserts nothing.
 */
import { spawnSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const { values } = parseArgs({ options: { runs: { type: 'string', default: '30' }, reference: { type: 'string' } }, strict: true });
const RUNS = Number(values.runs);

const subjects: [string, string[]][] = [
  ['bare `node -e 0`', ['-e', '0']],
  ['`edge-agent --help`', [join(root, 'apps/edge-agent/bin/edge-agent.js'), '--help']],
  ...(values.reference === undefined ? [] : [['reference `edge-agent --help`', [join(resolve(values.reference), 'bin/edge-agent.js'), '--help']] as [string, string[]]]),
  ['`mbundle --help`', [join(root, 'packages/migration-bundle/bin/mbundle.js'), '--help']],
  ['`coordinator --help`', [join(root, 'apps/coordinator/bin/coordinator.js'), '--help']],
];

function timedMs(args: string[]): number {
  const started = process.hrtime.bigint();
  const run = spawnSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (run.status !== 0) throw new Error(`node ${args.join(' ')} exited ${run.status}: ${run.stderr}`);
  return ms;
}

function median(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const times = subjects.map(() => [] as number[]);
for (const [, args] of subjects) timedMs(args); // warm the file cache
for (let run = 0; run < RUNS; run++) subjects.forEach(([, args], i) => times[i]!.push(timedMs(args)));

const bare = median(times[0]!);
const agent = median(times[1]!);
console.log(`| command | median of ${RUNS} | / bare node |`);
console.log('|---|---|---|');
subjects.forEach(([label], i) => console.log(`| ${label} | ${median(times[i]!).toFixed(1)} ms | ${(median(times[i]!) / bare).toFixed(2)}x |`));
if (values.reference !== undefined) {
  const reference = median(times[2]!);
  console.log(`\nedge-agent --help, this build / reference: ${(agent / reference).toFixed(3)} (${agent.toFixed(1)} / ${reference.toFixed(1)} ms)`);
}
