export { autogenerateRevision, type AutogenerateRequest, type AutogenerateResult } from './autogenerate.js';
export { runAutogenerate } from './command.js';
export { compareSchemaFileToHead } from './compare-schema-file.js';
export { AutogenerateError, type AutogenerateErrorCode } from './errors.js';
export { loadSchemaTables } from './load-schema.js';
export { targetSchema } from './target-schema.js';
