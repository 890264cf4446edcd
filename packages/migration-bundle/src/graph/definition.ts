import { basename } from 'node:path';
import type { Operations } from '../ops/operation.js';
import { GraphError } from './errors.js';
import { REVISION_ID_PATTERN } from './revision.js';

/** A revision file's default export, checked, with `parent` normalized to a list. */
export interface CheckedDefinition {
  id: string;
  parents: string[];
  message: string;
  up: (op: Operations) => void;
  down: ((op: Operations) => void) | null;
}

const KEYS = ['id', 'parent', 'message', 'up', 'down'];

/** Checks what a revision file exports by default; errors name the file and, once known, the id. */
export function checkDefinition(value: unknown, file: string): CheckedDefinition {
  const name = basename(file);
  const fail = (problem: string, id?: string): never => {
    throw new GraphError('invalid-revision', `${name}${id ? ` (revision ${id})` : ''}: ${problem}`, id ? [id] : [], [file]);
  };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return fail('the default export must be a revision: export default revision({ id, parent, message, up, down })');
  }
  const definition = value as Record<string, unknown>;
  const { id, parent, message, up, down } = definition;
  if (typeof id !== 'string' || !REVISION_ID_PATTERN.test(id)) {
    return fail(`id ${JSON.stringify(id) ?? 'undefined'} is malformed: an id is 4 to 64 characters of [0-9a-z_]`);
  }
  // A typo such as `donw` would otherwise silently drop the downgrade.
  const unknown = Object.keys(definition).filter((key) => !KEYS.includes(key));
  if (unknown.length > 0) fail(`unknown key(s) ${unknown.join(', ')}; a revision has ${KEYS.join(', ')}`, id);
  const parents = parent === null ? [] : typeof parent === 'string' ? [parent] : parent;
  if (!Array.isArray(parents) || (Array.isArray(parent) && parent.length === 0)) {
    fail('parent must be null (a base), a revision id, or a non-empty array of ids (a merge)', id);
  }
  for (const p of parents as unknown[]) {
    if (typeof p !== 'string' || !REVISION_ID_PATTERN.test(p)) fail(`parent ${JSON.stringify(p)} is not a revision id`, id);
  }
  if (typeof message !== 'string') fail('message must be a string', id);
  if (typeof up !== 'function') fail('up must be a function: up(op) { ... }', id);
  if (down !== undefined && down !== null && typeof down !== 'function') fail('down must be a function when given', id);
  return {
    id,
    parents: [...(parents as string[])],
    message: message as string,
    up: up as CheckedDefinition['up'],
    down: typeof down === 'function' ? (down as CheckedDefinition['up']) : null,
  };
}
