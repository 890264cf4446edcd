/**
 * `npx tsx scripts/bench/cli-startup.ts [--runs N] [--reference DIR]`
 *
 * How long `edge-agent --help` takes from exec to exit: the agent runs at every device boot, so
 * its start-up is what a CLI change must not cost. Baseline: a bare `node -e 0` measured in the
 * same run. With `--reference DIR` (a copy of an earlier build: DIR/bin/edge-agent.js beside its
 * dist/ and a node_modules link), that build's `--help` is timed too, for a before/after ratio.
 * Runs are alternated, in a new order each round, so load on the shared machine falls on every
 * subject alike; medians of wall and CPU time are reported. Build first (`npm run build`). Measures; asserts nothing.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
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

interface Timing {
  wallMs: number;
  /** User + system CPU of the child, in clock ticks of 10 ms: summed over runs, not read one by one. */
  cpuTicks: number;
}

/** CPU time of this process's waited-for children so far (cutime + cstime in /proc/self/stat), in ticks. */
function childTicks(): number {
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ');
  return Number(fields[13]) + Number(fields[14]);
}

function timed(args: string[]): Timing {
  const ticks = childTicks();
  const started = process.hrtime.bigint();
  const run = spawnSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  if (run.status !== 0) throw new Error(`node ${args.join(' ')} exited ${run.status}: ${run.stderr}`);
  return { wallMs, cpuTicks: childTicks() - ticks };
}

/** Each round runs the subjects in a new order, so no subject always follows the same one. */
function shuffled<T>(items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

function median(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const times = subjects.map(() => [] as Timing[]);
for (const [, args] of subjects) timed(args); // warm the file cache
for (let run = 0; run < RUNS; run++) {
  for (const i of shuffled(subjects.map((_, i) => i))) times[i]!.push(timed(subjects[i]![1]));
}

const wall = times.map((runs) => median(runs.map((t) => t.wallMs)));
const cpu = times.map((runs) => (runs.reduce((sum, t) => sum + t.cpuTicks, 0) * 10) / runs.length);
console.log(`| command | wall, median of ${RUNS} | / bare node | CPU, mean of ${RUNS} | / bare node |`);
console.log('|---|---|---|---|---|');
subjects.forEach(([label], i) =>
  console.log(`| ${label} | ${wall[i]!.toFixed(1)} ms | ${(wall[i]! / wall[0]!).toFixed(2)}x | ${cpu[i]!.toFixed(0)} ms | ${(cpu[i]! / cpu[0]!).toFixed(2)}x |`),
);
if (values.reference !== undefined) {
  const ratio = (figures: number[]) => `${(figures[1]! / figures[2]!).toFixed(3)} (${figures[1]!.toFixed(1)} / ${figures[2]!.toFixed(1)} ms)`;
  const overBare = (figures: number[]) => ((figures[1]! - figures[0]!) / (figures[2]! - figures[0]!)).toFixed(2);
  console.log(`\nedge-agent --help, this build / reference: wall ${ratio(wall)}, CPU ${ratio(cpu)}`);
  console.log(`time above bare node, this build / reference: wall ${overBare(wall)}, CPU ${overBare(cpu)}`);
}
