/**
 * Runs the built CLI as a user that file permissions apply to. Root passes every permission
 * check, so under root (as in CI containers) the agent runs as `nobody` through setpriv, and
 * "read-only for the agent" means owned by root; under any other user it runs as that user and
 * "read-only" means a mode without write bits.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, statSync } from 'node:fs';
import { AGENT_BIN, agent, type AgentRun } from './fixtures.js';

const IS_ROOT = process.getuid?.() === 0;
const NOBODY = 65534;

export function agentAsUser(args: string[]): AgentRun {
  if (!IS_ROOT) return agent(args);
  const result = spawnSync('setpriv', [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', process.execPath, AGENT_BIN, ...args], {
    encoding: 'utf8',
    input: '',
  });
  if (result.error) throw result.error;
  return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

/** Gives the agent's user read, write (and for folders, search) access to `path`. */
export function writableForAgent(path: string): void {
  if (IS_ROOT) chownSync(path, NOBODY, NOBODY);
  chmodSync(path, isFolder(path) ? 0o755 : 0o644);
}

/** Leaves `path` readable (and searchable) by the agent's user, never writable. */
export function readOnlyForAgent(path: string): void {
  if (IS_ROOT) {
    chownSync(path, 0, 0);
    chmodSync(path, isFolder(path) ? 0o755 : 0o644);
  } else {
    chmodSync(path, isFolder(path) ? 0o555 : 0o444);
  }
}

/** Hides a file's content from the agent's user. */
export function unreadableForAgent(path: string): void {
  if (IS_ROOT) chownSync(path, 0, 0);
  chmodSync(path, IS_ROOT ? 0o600 : 0o000);
}

function isFolder(path: string): boolean {
  return statSync(path).isDirectory();
}
