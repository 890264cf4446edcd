/** An operation that cannot be planned against the schema it meets; raised at build time. */
export class PlanError extends Error {
  readonly code = 'plan-failed';
}
