/**
 * Runs the built CLI held to file permissions. Root passes every permission check through
 * CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH, so under root (as in CI containers) the agent runs
 * without those two capabilities (setpriv): it is then held to the mode bits like any user, and it
 * can still reach the repository wherever it was cloned (a user such as `nobody` cannot, below a
 * private temporary folder). "Read-only for the agent" means a mode without write bits.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, statSync } from 'node:fs';
import { AGENT_BIN, agent, type AgentRun } from './fixtures.js';

const IS_ROOT = process.getuid?.() === 0;
const WITHOUT_DAC_OVERRIDE = '-dac_override,-dac_read_search';

export function agentAsUser(args: string[]): AgentRun {
  if (!IS_ROOT) return agent(args);
  const result = spawnSync('setpriv', [`--bounding-set=${WITHOUT_DAC_OVERRIDE}`, `--inh-caps=${WITHOUT_DAC_OVERRIDE}`, process.execPath, AGENT_BIN, ...args], {
    encoding: 'utf8',
    input: '',
  });
  if (result.error) throw result.error;
  return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

/** Gives the agent read, write (and for folders, search) access to `path`. */
export function writableForAgent(path: string): void {
  chmodSync(path, isFolder(path) ? 0o755 : 0o644);
}

/** Leaves `path` readable (and searchable) by the agent, never writable. */
export function readOnlyForAgent(path: string): void {
  chmodSync(path, isFolder(path) ? 0o555 : 0o444);
}

/** Hides a file's content from the agent. */
export function unreadableForAgent(path: string): void {
  chmodSync(path, 0o000);
}

function isFolder(path: string): boolean {
  return statSync(path).isDirectory();
}
