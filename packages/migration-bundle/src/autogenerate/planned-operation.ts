import type { Operation } from '../ops/operation.js';

/** One operation of a generated revision, with the warning written above it when it loses data. */
export interface PlannedOperation {
  operation: Operation;
  note?: string;
}
