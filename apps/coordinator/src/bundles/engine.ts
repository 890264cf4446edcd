/**
 * Everything the coordinator takes from the migration engine, in one place, so the rest of the
 * service depends on these names only.
 */
export {
  BundleError,
  diffSchemas,
  emptySchema,
  fingerprintOf,
  formatSchemaDiff,
  keyIdOf,
  verifyBundle,
  type Manifest,
  type SchemaDescription,
} from '@godwit/migration-bundle';
