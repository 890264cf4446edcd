/**
 * What a failed store write says about itself, fit for a log line: the database's SQLSTATE and
 * message, never the statement's parameters (drizzle's own message lists them all, a whole batch
 * of device reports). And whether the rows written caused it, so that writing them apart helps.
 */
import { sqlErrorOf } from '../store/errors.js';

// 21 cardinality violation, 22 data exception (NUL, bad encoding, bad JSON), 23 integrity
// constraint violation, 54 program limit exceeded (a value too large to store or index).
const DATA_CLASSES = new Set(['21', '22', '23', '54']);
const MAX_SUMMARY = 200;

export interface StoreFailure {
  /** The rows being written made the database refuse them (a connection loss is not such a failure). */
  causedByData: boolean;
  /** One line: `SQLSTATE message`. */
  summary: string;
}

export function describeStoreFailure(error: unknown): StoreFailure {
  const withCode = sqlErrorOf(error);
  const innermost = withCode ?? deepestCause(error);
  const message = (innermost instanceof Error ? innermost.message : String(error)).split('\n', 1)[0]!.slice(0, MAX_SUMMARY);
  return {
    causedByData: withCode !== null && DATA_CLASSES.has(withCode.code.slice(0, 2)),
    summary: withCode ? `${withCode.code} ${message}` : message,
  };
}

function deepestCause(error: unknown): unknown {
  let e = error;
  for (let depth = 0; e instanceof Error && e.cause instanceof Error && depth < 10; depth++) e = e.cause;
  return e;
}
