import type { MigrationStep } from '../plan/planner.js';
import { diffSchemas, formatSchemaDiff } from '../schema/diff.js';
import type { SchemaDescription } from '../schema/description.js';
import { AutogenerateError } from './errors.js';
import { schemaAfter } from './head-schema.js';
import type { PlannedOperation } from './planned-operation.js';
import { modelledByDrizzle } from './unmodeled.js';

/**
 * Proves a generated revision before it is written: on in-memory databases, the chain plus `up`
 * must reach the target (as far as the schema states it) and the chain plus `up` plus `down` must give
 * the head back exactly. Throws `self-check` otherwise.
 */
export function selfCheck(
  chain: MigrationStep[],
  id: string,
  up: PlannedOperation[],
  down: PlannedOperation[],
  target: SchemaDescription,
  head: SchemaDescription,
  viewsLeftAlone: ReadonlySet<string>,
): void {
  const upStep = { revision: id, direction: 'up' as const, operations: up.map((p) => p.operation) };
  const downStep = { revision: id, direction: 'down' as const, operations: down.map((p) => p.operation) };
  const check = (what: string, expected: SchemaDescription, actual: SchemaDescription) => {
    const changes = diffSchemas(expected, actual);
    if (changes.length > 0) {
      throw new AutogenerateError('self-check', `the generated ${what} does not reach the expected schema (no file written):\n${formatSchemaDiff(changes)}`);
    }
  };
  let reached: SchemaDescription;
  try {
    reached = schemaAfter([...chain, upStep]);
  } catch (error) {
    throw new AutogenerateError('self-check', `the generated up fails on the head schema (no file written): ${(error as Error).message}`);
  }
  check('up', modelledByDrizzle(target, viewsLeftAlone), modelledByDrizzle(reached, viewsLeftAlone));
  let back: SchemaDescription;
  try {
    back = schemaAfter([...chain, upStep, downStep]);
  } catch (error) {
    throw new AutogenerateError('self-check', `the generated down fails (no file written): ${(error as Error).message}`);
  }
  check('down', head, back);
}
