export { autogenerateRevision, type AutogenerateRequest, type AutogenerateResult } from './autogenerate.js';
export { parseCasing, type Casing } from './casing.js';
export { compareSchemaFileToHead } from './compare-schema-file.js';
export { AutogenerateError, type AutogenerateErrorCode } from './errors.js';
export { loadSchema, type DrizzleSchema } from './load-schema.js';
export { targetSchema, type Target } from './target-schema.js';
