/**
 * `npx tsx scripts/bench/rebuild.ts [--runs N] [--rows N,N...] [--big-rows N] [--baseline-agent FILE] [--only agent|statistics|coalesce] [--stat-rows N] [--stat-runs N]`
 *
 * What `edge-agent upgrade --no-backup` (every default check on) costs over the bare rebuild:
 * a file database with a table of each `--rows` size (default 500,000 and 1,000,000) with two
 * secondary indexes and a revision that rebuilds it. The baseline runs the bundle's own signed
 * 12-step SQL through better-sqlite3 in one transaction, in a Node process of its own, as the agent
 * does. Runs are paired and alternated; medians are reported. `--baseline-agent` names another
 * build's bin/edge-agent.js (a copy of an earlier build, with its node_modules beside it) that runs
 * in the same rotation, so before and after are measured on the same machine at the same moment.
 * Then the agent's peak RSS at the largest size and at `--big-rows`, and `upgrade` on a database
 * already at head against a bare `node -e 0`. Prints the figures and writes them to
 * docs/benchmarks-agent.md. Measures; asserts nothing.
 *
 * `--only statistics` (also run after the rest by default): what keeping the planner statistics
 * costs a rebuild. The same rebuild through runMigration, in this process, on copies of one
 * 500,000-row table, analysed and not: paired, alternated runs, medians.
 *
 * `--only coalesce` (also run by default): a device five revisions behind, each rebuilding the same
 * 500,000-row table, upgraded coalesced and one by one, against one raw rebuild to the final shape.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { ANALYSIS_LIMIT, buildBundle, cloneSchema, generateKeyPair, planCoalesced, recordOperations, runMigration, type MigrationStep } from '@godwit/migration-bundle';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const AGENT = join(root, 'apps/edge-agent/bin/edge-agent.js');
const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '7' },
    rows: { type: 'string', default: '500000,1000000' },
    'baseline-agent': { type: 'string' },
    'big-rows': { type: 'string', default: '4000000' },
    only: { type: 'string' },
    'stat-rows': { type: 'string', default: '500000' },
    'stat-runs': { type: 'string', default: '9' },
  },
});
const RUNS = Number(values.runs);
const SIZES = values.rows!.split(',').map(Number);
const BASELINE_AGENT = values['baseline-agent'] && resolve(values['baseline-agent']);
/** The targets of issue 10 item 3: agent / raw, by table size. */
const TARGETS: Record<number, number> = { 500000: 1.15, 1000000: 1.1 };
const BIG_ROWS = Number(values['big-rows']);

const CREATE = `export default {
  id: 'bench_0001', parent: null, message: 'events with two secondary indexes',
  up(op) {
    op.createTable('events', [
      { name: 'id', type: 'INTEGER', primaryKey: true },
      { name: 'device', type: 'TEXT', notNull: true },
      { name: 'kind', type: 'TEXT' },
      { name: 'payload', type: 'TEXT' },
      { name: 'created_at', type: 'INTEGER', notNull: true },
    ]);
    op.createIndex('events_by_device', 'events', ['device', 'created_at DESC']);
    op.createIndex('events_by_kind', 'events', ['kind', 'created_at']);
  },
};`;
const REBUILD = `export default {
  id: 'bench_0002', parent: 'bench_0001', message: 'kind becomes required and checked',
  up(op) {
    op.alterColumn('events', 'kind', { notNull: true });
    op.addCheck('events', 'kind_known', "kind IN ('boot', 'sample', 'alarm', 'heartbeat')");
  },
};`;

const work = mkdtempSync(join(tmpdir(), 'godwit-bench-rebuild-'));
const file = (name: string) => join(work, name);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

/**
 * Wall time of a child process, its CPU time (user + system) and peak RSS (kB) from /usr/bin/time.
 * CPU time is reported beside wall time because it moves far less when other work shares the machine.
 */
function timed(args: string[]): { ms: number; cpuMs: number; rssKb: number } {
  const started = performance.now();
  const result = spawnSync('/usr/bin/time', ['-f', '%M %U %S', process.execPath, ...args], { encoding: 'utf8' });
  const ms = performance.now() - started;
  const [rss, user, system] = result.stderr.trim().split('\n').at(-1)!.split(' ').map(Number);
  if (result.status !== 0) throw new Error(`${args.join(' ')} failed (${result.status}): ${result.stderr}`);
  return { ms, cpuMs: (user! + system!) * 1000, rssKb: rss! };
}

async function setup() {
  const migrations = file('migrations');
  mkdirSync(migrations);
  writeFileSync(join(migrations, '0001.mjs'), CREATE);
  writeFileSync(join(migrations, '0002.mjs'), REBUILD);
  const { privateKey, publicKey } = generateKeyPair();
  writeFileSync(file('bench.pub'), publicKey.export({ type: 'spki', format: 'pem' }));
  const { bytes, manifest } = await buildBundle({ dir: migrations, keys: [privateKey], sequence: 1 });
  writeFileSync(file('bench.mbundle'), bytes);
  const rawSql = manifest.revisions.find((r) => r.id === 'bench_0002')!.upSql;
  writeFileSync(file('raw-rebuild.cjs'), rawScript(rawSql));
  return { rawSql };
}

/** The baseline: the same signed SQL, straight through better-sqlite3, the way SQLite documents it. */
function rawScript(statements: string[]): string {
  return `const Database = require(${JSON.stringify(join(root, 'node_modules/better-sqlite3'))});
const db = new Database(process.argv[2]);
db.pragma('foreign_keys = OFF');
db.pragma('synchronous = FULL');
db.exec('BEGIN IMMEDIATE');
for (const sql of ${JSON.stringify(statements)}) db.exec(sql);
if (db.prepare('PRAGMA foreign_key_check').all().length) throw new Error('foreign key violation');
db.exec('COMMIT');
db.close();
`;
}

function buildTemplate(rows: number, name: string): string {
  const path = file(name);
  const agent = spawnSync(process.execPath, [AGENT, 'upgrade', 'bench_0001', '--db', path, '--bundle', file('bench.mbundle'), '--trust', file('bench.pub'), '--no-backup'], { encoding: 'utf8' });
  if (agent.status !== 0) throw new Error(agent.stderr);
  const db = new Database(path);
  db.exec('DROP INDEX events_by_device; DROP INDEX events_by_kind');
  db.prepare(
    `WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < ?)
     INSERT INTO events (id, device, kind, payload, created_at)
     SELECT i, 'device-' || (i % 5000), CASE i % 4 WHEN 0 THEN 'boot' WHEN 1 THEN 'sample' WHEN 2 THEN 'alarm' ELSE 'heartbeat' END,
            'reading ' || (i * 7919 % 100000), 1700000000 + i FROM s`,
  ).run(rows);
  // Same definitions as bench_0001: the fingerprint check must pass.
  db.exec(`CREATE INDEX "events_by_device" ON "events" ("device", created_at DESC); CREATE INDEX "events_by_kind" ON "events" ("kind", "created_at")`);
  db.close();
  return path;
}

function agentArgs(db: string, agent = AGENT): string[] {
  return [agent, 'upgrade', '--db', db, '--bundle', file('bench.mbundle'), '--trust', file('bench.pub'), '--no-backup', '--json'];
}

type Runner = 'agent' | 'raw' | 'baseline';

interface SizeFigures {
  rows: number;
  ms: Record<Runner, number[]>;
  cpuMs: Record<Runner, number[]>;
  agentRss: number[];
  rawRss: number[];
  /** Per pair: agent / raw and baseline / raw, wall time. */
  ratios: number[];
  baselineRatios: number[];
}

/** RUNS rounds of raw, agent (and the baseline build), each round in a rotated order so none always runs first. */
function measureSize(rows: number): SizeFigures {
  const template = buildTemplate(rows, `template-${rows}.db`);
  const db = file('work.db');
  const runners: Runner[] = BASELINE_AGENT ? ['agent', 'raw', 'baseline'] : ['agent', 'raw'];
  const figures: SizeFigures = { rows, ms: { agent: [], raw: [], baseline: [] }, cpuMs: { agent: [], raw: [], baseline: [] }, agentRss: [], rawRss: [], ratios: [], baselineRatios: [] };
  process.stdout.write(`rebuild of a ${rows}-row table with two secondary indexes, ${RUNS} paired runs\n`);
  for (let i = 0; i < RUNS; i++) {
    const order = [...runners.slice(i % runners.length), ...runners.slice(0, i % runners.length)];
    const round: Partial<Record<Runner, number>> = {};
    for (const which of order) {
      copyFileSync(template, db);
      const run =
        which === 'raw' ? timed([file('raw-rebuild.cjs'), db]) : timed(agentArgs(db, which === 'agent' ? AGENT : BASELINE_AGENT));
      round[which] = run.ms;
      figures.ms[which].push(run.ms);
      figures.cpuMs[which].push(run.cpuMs);
      if (which === 'agent') figures.agentRss.push(run.rssKb);
      if (which === 'raw') figures.rawRss.push(run.rssKb);
    }
    figures.ratios.push(round.agent! / round.raw!);
    if (round.baseline !== undefined) figures.baselineRatios.push(round.baseline / round.raw!);
    process.stdout.write(
      `  run ${i + 1}: ${order.map((w) => `${w} ${round[w]!.toFixed(0)} ms (cpu ${figures.cpuMs[w].at(-1)!.toFixed(0)})`).join(', ')}, agent/raw ${figures.ratios.at(-1)!.toFixed(3)}\n`,
    );
  }
  rmSync(template);
  return figures;
}

function sizeRows(f: SizeFigures): string[] {
  const n = f.rows.toLocaleString('en');
  const target = TARGETS[f.rows] ? `<= ${TARGETS[f.rows]}` : '';
  const lines = [
    `| ${n} rows: agent upgrade, median of ${RUNS} | ${median(f.ms.agent).toFixed(0)} ms | |`,
    `| ${n} rows: raw rebuild, median of ${RUNS} | ${median(f.ms.raw).toFixed(0)} ms | |`,
    `| ${n} rows: agent / raw, ratio of medians | ${(median(f.ms.agent) / median(f.ms.raw)).toFixed(3)} | ${target} |`,
    `| ${n} rows: agent / raw, median of paired ratios | ${median(f.ratios).toFixed(3)} | ${target} |`,
    `| ${n} rows: CPU time (user+sys) agent / raw, ratio of medians | ${(median(f.cpuMs.agent) / median(f.cpuMs.raw)).toFixed(3)} (${median(f.cpuMs.agent).toFixed(0)} / ${median(f.cpuMs.raw).toFixed(0)} ms) | |`,
  ];
  if (f.baselineRatios.length) {
    lines.push(
      `| ${n} rows: baseline build, median of ${RUNS} | ${median(f.ms.baseline).toFixed(0)} ms | |`,
      `| ${n} rows: baseline / raw, median of paired ratios | ${median(f.baselineRatios).toFixed(3)} | |`,
      `| ${n} rows: CPU time baseline / raw, ratio of medians | ${(median(f.cpuMs.baseline) / median(f.cpuMs.raw)).toFixed(3)} (${median(f.cpuMs.baseline).toFixed(0)} / ${median(f.cpuMs.raw).toFixed(0)} ms) | |`,
    );
  }
  return lines;
}

async function main() {
  await setup();
  const loadBefore = loadavg();
  const sizes = SIZES.map(measureSize);
  const largest = sizes.at(-1)!;

  // Peak RSS varies from run to run by more than the 10% it is judged by: compare medians, not single runs.
  const big = buildTemplate(BIG_ROWS, 'template-big.db');
  const bigDb = file('bench-big.db');
  const bigRuns = [0, 1, 2].map(() => {
    copyFileSync(big, bigDb);
    return timed(agentArgs(bigDb));
  });
  rmSync(big);
  rmSync(bigDb);
  const rawRss = median(largest.rawRss);

  // The boot check: a database already at head.
  const atHead = file('at-head.db');
  spawnSync(process.execPath, [AGENT, 'upgrade', '--db', atHead, '--bundle', file('bench.mbundle'), '--trust', file('bench.pub'), '--no-backup']);
  const bare: number[] = [];
  const boot: number[] = [];
  for (let i = 0; i < 20; i++) {
    bare.push(timed(['-e', '0']).ms);
    boot.push(timed(agentArgs(atHead)).ms);
  }

  const agentRssMb = median(largest.agentRss) / 1024;
  const bigRssMb = median(bigRuns.map((run) => run.rssKb)) / 1024;
  const largestRows = largest.rows.toLocaleString('en');
  const report = [
    `# edge-agent rebuild benchmark`,
    '',
    `Command: \`npx tsx scripts/bench/rebuild.ts --runs ${RUNS} --rows ${SIZES.join(',')} --big-rows ${BIG_ROWS}${BASELINE_AGENT ? ' --baseline-agent BASELINE/apps/edge-agent/bin/edge-agent.js' : ''}\` (after \`npx turbo run build\`), ${new Date().toISOString().slice(0, 10)}, ${process.platform} ${process.arch}, Node ${process.version}.`,
    '',
    `A file database with a table of ${SIZES.map((r) => r.toLocaleString('en')).join(' and ')} rows and two secondary indexes; one revision (NOT NULL + CHECK on a column) rebuilds it.`,
    `"raw" runs the bundle's signed 12-step SQL directly through better-sqlite3 in one transaction (foreign_keys off, synchronous=FULL, foreign_key_check), in its own Node process.`,
    `"agent" is \`edge-agent upgrade --no-backup --json\` with every default check: verification, rollback and history checks, drift check, one plan carried under the write lock (schema_version re-checked), lock probe, quick_check of touched tables that are not rebuilt, free-space check, fingerprint validation before COMMIT, bookkeeping and apply log with the rebuilt table's sizes before and after (counted by the rebuild), progress events per 50,000-row range.`,
    ...(BASELINE_AGENT ? [`"baseline" is the same command from an earlier build (a copy of it, run in the same rotation as the other two).`] : []),
    '',
    '| measure | figure | target |',
    '|---|---|---|',
    ...sizes.flatMap(sizeRows),
    `| agent peak RSS, ${largestRows} rows, median of ${RUNS} (max) | ${agentRssMb.toFixed(1)} MB (${(Math.max(...largest.agentRss) / 1024).toFixed(1)} MB) | <= 120 MB |`,
    `| raw rebuild peak RSS, ${largestRows} rows, median of ${RUNS} | ${(rawRss / 1024).toFixed(1)} MB | |`,
    `| agent peak RSS, ${BIG_ROWS.toLocaleString('en')} rows, median of 3 | ${bigRssMb.toFixed(1)} MB (${(((bigRssMb - agentRssMb) / agentRssMb) * 100).toFixed(1)}% vs ${largestRows}) | within 10% |`,
    `| agent upgrade, ${BIG_ROWS.toLocaleString('en')} rows, median of 3 | ${median(bigRuns.map((run) => run.ms)).toFixed(0)} ms | |`,
    `| \`upgrade\` at head (boot check), median of 20 | ${median(boot).toFixed(0)} ms | |`,
    `| bare \`node -e 0\`, median of 20 | ${median(bare).toFixed(0)} ms | |`,
    `| boot check / bare node | ${(median(boot) / median(bare)).toFixed(2)}x | <= 3x |`,
    '',
    `Per-run wall ms (${BASELINE_AGENT ? 'agent, raw, baseline' : 'agent, raw'}; CPU ms in brackets):`,
    '',
    ...sizes.flatMap((f) => [
      `- ${f.rows.toLocaleString('en')} rows: ${f.ms.agent.map((_, i) => (['agent', 'raw', 'baseline'] as Runner[]).filter((w) => f.ms[w].length).map((w) => `${f.ms[w][i]!.toFixed(0)} (${f.cpuMs[w][i]!.toFixed(0)})`).join(' / ')).join('; ')}`,
    ]),
    '',
    `Load average when the timed runs started: ${loadBefore.map((l) => l.toFixed(2)).join(', ')}; when it finished: ${loadavg().map((l) => l.toFixed(2)).join(', ')}, on ${cpus().length} CPUs (other work on the machine shows up in wall times; CPU time moves far less).`,
    '',
    'Peak RSS is `/usr/bin/time -f %M` of the child process. Timings are wall clock of the whole process, start-up included.',
    '',
  ].join('\n');
  process.stdout.write(`\n${report}`);
  writeFileSync(join(root, 'docs/benchmarks-agent.md'), report);
}

const benchStep = (revision: string, ops: Parameters<typeof recordOperations>[0]): MigrationStep => ({
  revision,
  direction: 'up',
  operations: recordOperations(ops),
});
const CREATE_READINGS = benchStep('stat_0001', (op) => {
  op.createTable('readings', [
    { name: 'id', type: 'INTEGER', primaryKey: true },
    { name: 'device', type: 'TEXT', notNull: true },
    { name: 'kind', type: 'TEXT' },
    { name: 'value', type: 'REAL' },
    { name: 'at', type: 'INTEGER', notNull: true },
  ]);
  op.createIndex('readings_by_device', 'readings', ['device', 'at']);
  op.createIndex('readings_by_kind', 'readings', ['kind', 'at']);
});
const STATISTICS_CASES: { name: string; step: MigrationStep }[] = [
  { name: 'rebuild: statistics carried over', step: benchStep('stat_0002', (op) => op.alterColumn('readings', 'kind', { notNull: true })) },
  {
    name: 'rebuild + new index: carried over, new index analysed',
    step: benchStep('stat_0002', (op) => {
      op.alterColumn('readings', 'kind', { notNull: true });
      op.createIndex('readings_by_value', 'readings', ['value']);
    }),
  },
];

function readingsTemplate(rows: number, analysed: boolean, name = analysed ? 'analysed' : 'plain'): string {
  const path = file(`readings-${name}.db`);
  const db = new Database(path);
  runMigration(db, [CREATE_READINGS]);
  db.prepare(
    `WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < ?)
     INSERT INTO readings (id, device, kind, value, at)
     SELECT i, 'device-' || (i % 2000), CASE i % 4 WHEN 0 THEN 'boot' WHEN 1 THEN 'sample' WHEN 2 THEN 'alarm' ELSE 'heartbeat' END,
            (i * 7919 % 10000) / 10.0, 1700000000 + i FROM s`,
  ).run(rows);
  if (analysed) db.exec('ANALYZE');
  db.close();
  return path;
}

/** One rebuild through runMigration on a fresh copy of `template`: wall and CPU time of this process. */
function timedRebuild(template: string, step: MigrationStep): { ms: number; cpuMs: number; statisticsMs: number } {
  const path = file('readings-work.db');
  copyFileSync(template, path);
  const db = new Database(path);
  try {
    const started = performance.now();
    const cpu = process.cpuUsage();
    const reports = runMigration(db, [step]);
    const used = process.cpuUsage(cpu);
    const statisticsMs = reports.reduce((sum, r) => sum + (r.statistics?.durationMs ?? 0), 0);
    return { ms: performance.now() - started, cpuMs: (used.user + used.system) / 1000, statisticsMs };
  } finally {
    db.close();
    rmSync(path);
  }
}

function statisticsCost(): string {
  const rows = Number(values['stat-rows']);
  const runs = Number(values['stat-runs']);
  const templates = { analysed: readingsTemplate(rows, true), plain: readingsTemplate(rows, false) };
  const lines = [
    `Planner statistics kept through a rebuild: runMigration in-process on a ${rows.toLocaleString('en')}-row table with two indexes, analysed (sqlite_stat1 and sqlite_stat4) against never analysed, ${runs} paired alternated runs, analysis_limit ${ANALYSIS_LIMIT}.`,
    '',
    '| case | analysed db, median wall (CPU) | plain db, median wall (CPU) | wall: median of paired ratios | CPU: ratio of medians | statistics work, median (share of the rebuild) | target |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const { name, step } of STATISTICS_CASES) {
    const runsOf = { analysed: [] as ReturnType<typeof timedRebuild>[], plain: [] as ReturnType<typeof timedRebuild>[] };
    const ratios: number[] = [];
    timedRebuild(templates.plain, step);
    for (let i = 0; i < runs; i++) {
      const order = i % 2 === 0 ? (['analysed', 'plain'] as const) : (['plain', 'analysed'] as const);
      for (const which of order) runsOf[which].push(timedRebuild(templates[which], step));
      const [a, p] = [runsOf.analysed.at(-1)!, runsOf.plain.at(-1)!];
      ratios.push(a.ms / p.ms);
      process.stdout.write(
        `  ${name}, run ${i + 1}: analysed ${a.ms.toFixed(0)} ms (cpu ${a.cpuMs.toFixed(0)}, statistics ${a.statisticsMs.toFixed(2)}), plain ${p.ms.toFixed(0)} ms (cpu ${p.cpuMs.toFixed(0)})\n`,
      );
    }
    const wall = (which: 'analysed' | 'plain') => median(runsOf[which].map((r) => r.ms));
    const cpu = (which: 'analysed' | 'plain') => median(runsOf[which].map((r) => r.cpuMs));
    const statisticsMs = median(runsOf.analysed.map((r) => r.statisticsMs));
    lines.push(
      `| ${name} | ${wall('analysed').toFixed(0)} ms (${cpu('analysed').toFixed(0)}) | ${wall('plain').toFixed(0)} ms (${cpu('plain').toFixed(0)}) | ${median(ratios).toFixed(3)} | ${(cpu('analysed') / cpu('plain')).toFixed(3)} | ${statisticsMs.toFixed(2)} ms (${((statisticsMs / wall('analysed')) * 100).toFixed(2)}%) | <= 2% |`,
    );
  }
  return `${lines.join('\n')}\n`;
}

const CATCH_UP: MigrationStep[] = [
  benchStep('stat_0002', (op) => op.alterColumn('readings', 'kind', { notNull: true })),
  benchStep('stat_0003', (op) => op.addCheck('readings', 'kind_known', "kind IN ('boot', 'sample', 'alarm', 'heartbeat')")),
  benchStep('stat_0004', (op) => op.addColumn('readings', 'unit', 'TEXT', { default: "'C'" })),
  benchStep('stat_0005', (op) => op.alterColumn('readings', 'at', { notNull: true })),
  benchStep('stat_0006', (op) => op.addCheck('readings', 'value_range', 'value BETWEEN -1000 AND 1000')),
];

/** The baseline: the single 12-step rebuild to the final shape, written out once and run raw. */
function rawCatchUpSql(template: string): string[] {
  const db = new Database(template, { readonly: true });
  const clone = cloneSchema(db);
  db.close();
  try {
    const [plan] = planCoalesced(clone, CATCH_UP);
    if (!plan?.coalesced) throw new Error('the catch-up revisions did not coalesce');
    return plan.statements.map((s) => s.sql);
  } finally {
    clone.close();
  }
}

function timedRaw(template: string, statements: string[]): number {
  const path = file('readings-work.db');
  copyFileSync(template, path);
  const db = new Database(path);
  try {
    const started = performance.now();
    db.pragma('foreign_keys = OFF');
    db.pragma('synchronous = FULL');
    db.exec('BEGIN IMMEDIATE');
    for (const sql of statements) db.exec(sql);
    db.exec('COMMIT');
    return performance.now() - started;
  } finally {
    db.close();
    rmSync(path);
  }
}

function timedCatchUp(template: string, coalesce: boolean): { ms: number; copies: number } {
  const path = file('readings-work.db');
  copyFileSync(template, path);
  const db = new Database(path);
  try {
    const started = performance.now();
    const copies = runMigration(db, CATCH_UP, { coalesce }).reduce((sum, r) => sum + r.rebuilt.length, 0);
    return { ms: performance.now() - started, copies };
  } finally {
    db.close();
    rmSync(path);
  }
}

function coalesceCost(): string {
  const rows = Number(values['stat-rows']);
  const runs = Number(values['stat-runs']);
  const template = readingsTemplate(rows, false, 'catch-up');
  const raw = rawCatchUpSql(template);
  const figures = { raw: [] as number[], coalesced: [] as number[], oneByOne: [] as number[], ratio: [] as number[] };
  let copies = { coalesced: 0, oneByOne: 0 };
  for (let i = 0; i < runs; i++) {
    const pair: Record<string, number> = {};
    for (const which of i % 2 === 0 ? ['coalesced', 'raw'] : ['raw', 'coalesced']) {
      if (which === 'raw') pair.raw = timedRaw(template, raw);
      else {
        const run = timedCatchUp(template, true);
        pair.coalesced = run.ms;
        copies.coalesced = run.copies;
      }
    }
    const apart = timedCatchUp(template, false);
    copies = { ...copies, oneByOne: apart.copies };
    figures.raw.push(pair.raw!);
    figures.coalesced.push(pair.coalesced!);
    figures.oneByOne.push(apart.ms);
    figures.ratio.push(pair.coalesced! / pair.raw!);
    process.stdout.write(`  catch-up run ${i + 1}: coalesced ${pair.coalesced!.toFixed(0)} ms, raw ${pair.raw!.toFixed(0)} ms, one by one ${apart.ms.toFixed(0)} ms\n`);
  }
  return [
    `Catch-up of five revisions that each rebuild a ${rows.toLocaleString('en')}-row table with two indexes (runMigration in-process, ${runs} paired alternated runs, medians).`,
    '',
    '| measure | figure | target |',
    '|---|---|---|',
    `| coalesced (copies: ${copies.coalesced}) | ${median(figures.coalesced).toFixed(0)} ms | |`,
    `| one by one (copies: ${copies.oneByOne}) | ${median(figures.oneByOne).toFixed(0)} ms | |`,
    `| raw single rebuild to the final shape | ${median(figures.raw).toFixed(0)} ms | |`,
    `| coalesced / raw, median of paired ratios | ${median(figures.ratio).toFixed(3)} | <= 1.3 |`,
    `| one by one / coalesced, ratio of medians | ${(median(figures.oneByOne) / median(figures.coalesced)).toFixed(2)}x | |`,
    '',
  ].join('\n');
}

try {
  if (values.only === undefined || values.only === 'agent') await main();
  if (values.only === undefined || values.only === 'statistics') process.stdout.write(`\n${statisticsCost()}`);
  if (values.only === undefined || values.only === 'coalesce') process.stdout.write(`\n${coalesceCost()}`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
