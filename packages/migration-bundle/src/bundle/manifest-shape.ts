import type { Operation } from '../ops/operation.js';
import type { SchemaDescription } from '../schema/description.js';
import { MANIFEST_FORMAT, type Manifest, type ManifestRevision } from './manifest.js';
import {
  arrayOf,
  boolean,
  integer,
  literal,
  matching,
  nullable,
  object,
  string,
  taggedUnion,
  type Shape,
  type ShapeOf,
} from './shape.js';

/** The revision id pattern of the contract. */
export const REVISION_ID = /^[0-9a-z_]{4,64}$/;

const revisionId = matching(REVISION_ID, 'a revision id ([0-9a-z_]{4,64})');
const sha256Hex = matching(/^[0-9a-f]{64}$/, 'a hex SHA-256');
const strings = arrayOf(string);
const foreignKeyAction = literal('CASCADE', 'SET NULL', 'SET DEFAULT', 'RESTRICT', 'NO ACTION');

const generatedColumn = object({ expr: string }, { stored: boolean });

const columnSpec = object(
  { name: string, type: string },
  {
    notNull: boolean,
    primaryKey: boolean,
    autoincrement: boolean,
    unique: boolean,
    default: string,
    collate: string,
    check: string,
    references: object({ table: string, column: string }, { onDelete: foreignKeyAction, onUpdate: foreignKeyAction }),
    generated: generatedColumn,
  },
);

const operationShape = taggedUnion('kind', {
  execute: object({ kind: literal('execute'), sql: string }),
  createTable: object({
    kind: literal('createTable'),
    table: string,
    columns: arrayOf(columnSpec),
    options: object({}, { constraints: strings, strict: boolean, withoutRowid: boolean }),
  }),
  dropTable: object({ kind: literal('dropTable'), table: string }),
  renameTable: object({ kind: literal('renameTable'), from: string, to: string }),
  addColumn: object({ kind: literal('addColumn'), table: string, column: columnSpec }, { before: string, after: string }),
  dropColumn: object({ kind: literal('dropColumn'), table: string, column: string }),
  renameColumn: object({ kind: literal('renameColumn'), table: string, from: string, to: string }),
  alterColumn: object({
    kind: literal('alterColumn'),
    table: string,
    column: string,
    changes: object(
      {},
      {
        type: string,
        notNull: boolean,
        default: nullable(string),
        collate: nullable(string),
        using: string,
        generated: nullable(generatedColumn),
      },
    ),
  }),
  createIndex: object(
    { kind: literal('createIndex'), name: string, table: string, columns: strings, unique: boolean },
    { where: string },
  ),
  dropIndex: object({ kind: literal('dropIndex'), name: string }),
  addCheck: object({ kind: literal('addCheck'), table: string, name: nullable(string), expr: string }),
  dropCheck: object({ kind: literal('dropCheck'), table: string }, { name: string, expr: string }),
  addUnique: object({ kind: literal('addUnique'), table: string, name: nullable(string), columns: strings }),
  dropUnique: object({ kind: literal('dropUnique'), table: string }, { name: string, columns: strings }),
  addForeignKey: object(
    {
      kind: literal('addForeignKey'),
      table: string,
      name: nullable(string),
      columns: strings,
      refTable: string,
      refColumns: strings,
    },
    { onDelete: foreignKeyAction, onUpdate: foreignKeyAction },
  ),
  dropForeignKey: object({ kind: literal('dropForeignKey'), table: string }, { name: string, columns: strings, refTable: string }),
  addPrimaryKey: object(
    { kind: literal('addPrimaryKey'), table: string, name: nullable(string), columns: strings },
    { autoincrement: boolean },
  ),
  dropPrimaryKey: object({ kind: literal('dropPrimaryKey'), table: string }, { name: string }),
});

const nullableName = nullable(string);

const schemaShape = object({
  tables: arrayOf(
    object({
      name: string,
      columns: arrayOf(
        object({
          name: string,
          type: string,
          notNull: boolean,
          default: nullable(string),
          primaryKey: integer(0),
          collate: nullable(string),
          generated: nullable(object({ expr: string, stored: boolean })),
        }),
      ),
      autoincrement: boolean,
      primaryKeyClause: nullable(string),
      uniques: arrayOf(object({ name: nullableName, columns: strings, onConflict: nullable(string) })),
      checks: arrayOf(object({ name: nullableName, expr: string })),
      foreignKeys: arrayOf(
        object({
          name: nullableName,
          columns: strings,
          refTable: string,
          refColumns: strings,
          onDelete: string,
          onUpdate: string,
          deferrable: nullable(string),
        }),
      ),
      strict: boolean,
      withoutRowid: boolean,
    }),
  ),
  indexes: arrayOf(
    object({ name: string, table: string, unique: boolean, columns: strings, where: nullable(string) }),
  ),
  triggers: arrayOf(object({ name: string, table: string, sql: string })),
  views: arrayOf(object({ name: string, sql: string })),
  virtualTables: arrayOf(object({ name: string, sql: string })),
});

const operations = arrayOf(operationShape);

const revisionShape = object({
  id: revisionId,
  parents: arrayOf(revisionId),
  message: string,
  up: operations,
  down: nullable(operations),
  upSql: strings,
  downSql: nullable(strings),
  checksum: sha256Hex,
  fingerprint: sha256Hex,
  schema: schemaShape,
});

const manifestShapeRaw = object({
  format: literal(MANIFEST_FORMAT),
  bundleId: matching(/^[\x21-\x7e]{1,128}$/, 'a bundle id (1 to 128 printable ASCII characters)'),
  sequence: integer(0),
  createdAt: integer(0),
  expiresAt: nullable(integer(0)),
  revisions: arrayOf(revisionShape),
  heads: arrayOf(revisionId),
});

// Compile-time guard: if a field is added to or removed from the TypeScript types, this stops
// compiling until the validator learns it (otherwise valid bundles would be refused, or fields
// would travel unchecked).
type Plain<T> = T extends (infer U)[] ? Plain<U>[] : T extends object ? { [K in keyof T]: Plain<T[K]> } : T;
type Same<A, B> =
  (<X>() => X extends Plain<A> ? 1 : 2) extends <X>() => X extends Plain<B> ? 1 : 2 ? true : false;
const shapesMatchTypes: [
  Same<ShapeOf<typeof operationShape>, Operation>,
  Same<ShapeOf<typeof schemaShape>, SchemaDescription>,
  Same<ShapeOf<typeof revisionShape>, ManifestRevision>,
  Same<ShapeOf<typeof manifestShapeRaw>, Manifest>,
] = [true, true, true, true];
void shapesMatchTypes;

/** Checks the structure of every field of a decoded manifest; relations are checked elsewhere. */
export const manifestShape: Shape<Manifest> = manifestShapeRaw;

/** Checks a schema description received from elsewhere (a device's report) before anything reads it. */
export const schemaDescriptionShape: Shape<SchemaDescription> = schemaShape;
