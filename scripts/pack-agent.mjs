#!/usr/bin/env node
/**
 * Packs @godwit/edge-agent into one tarball that installs with plain npm, outside the monorepo:
 *
 *   node scripts/pack-agent.mjs [--out DIR] [--no-build]      (npm run pack:agent)
 *
 * The workspace packages the agent imports (found by walking package.json dependencies, never
 * listed here) are copied, built, into a staged copy of the agent and declared in
 * bundleDependencies, so the tarball carries them; the npm packages they all need become the
 * agent's own dependencies, pinned to the versions this repository was tested with. Beside the
 * tarball, prebuilds/ holds this machine's compiled better-sqlite3, for devices of the same
 * platform that should not compile it (see docs/install.md).
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const AGENT = '@godwit/edge-agent';
/** What a package ships: its package.json plus these folders, when present. */
const SHIPPED = ['bin', 'dist'];
/**
 * Dependencies of bundled workspace packages that no module the agent loads imports: left out of
 * the device's install (tsx brings a 10 MB esbuild binary).
 */
const NOT_ON_DEVICE = new Map([
  ['tsx', 'imports TypeScript revision files for `mbundle build`, on an operator\'s machine'],
  ['mqtt', "MQTT.js, for @godwit/fleet-protocol's simulated device; the daemon has its own client"],
]);

const { values } = parseArgs({ options: { out: { type: 'string' }, 'no-build': { type: 'boolean' } } });
const out = resolve(values.out ?? join(ROOT, 'dist'));

try {
  const tarball = packAgent(out, { build: !values['no-build'] });
  console.log(`wrote ${tarball}`);
} catch (error) {
  console.error(`pack-agent: ${error.message}`);
  process.exitCode = 1;
}

function packAgent(outDir, { build }) {
  const workspaces = readWorkspaces();
  const agent = workspaces.get(AGENT);
  if (!agent) throw new Error(`no workspace named ${AGENT}`);
  if (build) run('npx', ['turbo', 'run', 'build', `--filter=${AGENT}`, '--output-logs=errors-only'], ROOT, 'inherit');
  const bundled = workspaceClosure(agent, workspaces);
  for (const pkg of [agent, ...bundled]) {
    if (!existsSync(join(pkg.dir, 'dist'))) throw new Error(`${pkg.json.name} has no dist/: run npm run build (or drop --no-build)`);
  }
  const stage = mkdtempSync(join(tmpdir(), 'godwit-pack-agent-'));
  try {
    copyShipped(agent.dir, stage);
    for (const pkg of bundled) {
      const into = join(stage, 'node_modules', pkg.json.name);
      copyShipped(pkg.dir, into);
      writeJson(join(into, 'package.json'), shippedManifest(pkg.json, pinnedDependencies(pkg, workspaces)));
    }
    const external = {};
    for (const pkg of [agent, ...bundled]) {
      for (const [name, version] of Object.entries(externalDependencies(pkg, workspaces))) external[name] ??= version;
    }
    writeJson(
      join(stage, 'package.json'),
      shippedManifest(agent.json, {
        ...Object.fromEntries(bundled.map((pkg) => [pkg.json.name, pkg.json.version])),
        ...sorted(external),
      }, bundled.map((pkg) => pkg.json.name)),
    );
    mkdirSync(outDir, { recursive: true });
    const packed = run('npm', ['pack', '--json', '--pack-destination', outDir], stage);
    writePrebuild(join(outDir, 'prebuilds'), external['better-sqlite3']);
    return join(outDir, JSON.parse(packed)[0].filename);
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}

/** Every workspace package by name, from the root package.json's "workspaces" globs (`dir/*`). */
function readWorkspaces() {
  const globs = readJson(join(ROOT, 'package.json')).workspaces ?? [];
  const found = new Map();
  for (const glob of globs) {
    if (!glob.endsWith('/*')) throw new Error(`workspace pattern ${glob} is not of the form dir/*`);
    const parent = join(ROOT, glob.slice(0, -2));
    for (const name of readdirSync(parent)) {
      const manifest = join(parent, name, 'package.json');
      if (existsSync(manifest)) {
        const json = readJson(manifest);
        found.set(json.name, { dir: join(parent, name), json });
      }
    }
  }
  return found;
}

/** The workspace packages `pkg` depends on, directly or through one another, each once. */
function workspaceClosure(pkg, workspaces) {
  const seen = new Map();
  const visit = (current) => {
    for (const name of Object.keys(current.json.dependencies ?? {})) {
      const dep = workspaces.get(name);
      if (dep && !seen.has(name)) {
        seen.set(name, dep);
        visit(dep);
      }
    }
  };
  visit(pkg);
  return [...seen.values()];
}

/** A package's npm (non-workspace) dependencies, pinned to the version installed here. */
function externalDependencies(pkg, workspaces) {
  const deps = {};
  for (const name of deviceDependencies(pkg)) {
    if (!workspaces.has(name)) deps[name] = installedVersion(name, pkg.dir);
  }
  return deps;
}

/** A bundled package's dependencies as shipped: workspace ones at their exact version, the rest pinned. */
function pinnedDependencies(pkg, workspaces) {
  return Object.fromEntries(
    deviceDependencies(pkg).map((name) => [name, workspaces.get(name)?.json.version ?? installedVersion(name, pkg.dir)]),
  );
}

function deviceDependencies(pkg) {
  return Object.keys(pkg.json.dependencies ?? {}).filter((name) => !NOT_ON_DEVICE.has(name));
}

/** The version Node would load from `fromDir`, looking up node_modules folders as Node does. */
function installedVersion(name, fromDir) {
  for (let dir = fromDir; ; dir = dirname(dir)) {
    const manifest = join(dir, 'node_modules', name, 'package.json');
    if (existsSync(manifest)) return readJson(manifest).version;
    if (dirname(dir) === dir) throw new Error(`${name} is not installed: run npm install at the repository root`);
  }
}

/** The package.json that ships: no scripts or devDependencies, the given dependencies. */
function shippedManifest(json, dependencies, bundleDependencies) {
  const { scripts: _scripts, devDependencies: _dev, dependencies: _deps, ...rest } = json;
  return {
    ...rest,
    files: SHIPPED.filter((folder) => json.bin || folder !== 'bin'),
    dependencies,
    ...(bundleDependencies ? { bundleDependencies } : {}),
  };
}

function copyShipped(from, to) {
  mkdirSync(to, { recursive: true });
  for (const folder of SHIPPED) {
    if (existsSync(join(from, folder))) cpSync(join(from, folder), join(to, folder), { recursive: true });
  }
  cpSync(join(from, 'package.json'), join(to, 'package.json'));
}

/**
 * better-sqlite3 as compiled here, named as prebuild-install looks for it
 * ({name}-v{version}-{runtime}-v{abi}-{platform}{libc}-{arch}.tar.gz), for
 * npm_config_better_sqlite3_local_prebuilds. Only glibc Linux and other non-musl builds get one.
 */
function writePrebuild(dir, version) {
  const module = join(ROOT, 'node_modules/better-sqlite3');
  const binary = join(module, 'build/Release/better_sqlite3.node');
  if (!version || !existsSync(binary)) return;
  if (process.platform === 'linux' && !process.report.getReport().header.glibcVersionRuntime) return;
  mkdirSync(dir, { recursive: true });
  const name = `better-sqlite3-v${version}-node-v${process.versions.modules}-${process.platform}-${process.arch}.tar.gz`;
  run('tar', ['-czf', join(dir, name), '-C', module, 'build/Release/better_sqlite3.node'], ROOT);
}

function run(command, args, cwd, stdout = 'pipe') {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', stdout, 'inherit'] });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (exit ${result.status ?? result.signal})`);
  return result.stdout;
}

function readJson(path) {
  return JSON.parse(readFileSync(path, 'utf8'));
}

function writeJson(path, value) {
  writeFileSync(path, `${JSON.stringify(value, null, 2)}\n`);
}

function sorted(record) {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => a.localeCompare(b)));
}
