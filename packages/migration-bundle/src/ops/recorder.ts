import type {
  AlterColumnChanges,
  ColumnReference,
  ColumnSpec,
  CreateTableOptions,
  ForeignKeyAction,
  GeneratedColumn,
  Operation,
  Operations,
} from './operation.js';
import { SqlSyntaxError, tokenize } from '../sqlite/tokenize.js';

/** Where recorded operations come from, so that an error can say so. */
export interface RecordingContext {
  revision?: string;
  file?: string;
  direction?: 'up' | 'down';
}

export type OperationErrorCode =
  /** An argument has the wrong type, is empty, or contradicts another. */
  | 'invalid-argument'
  /** An options object holds a key the operation does not know (a typo such as `notnull`). */
  | 'unknown-option'
  /** `op.execute` SQL that would take the engine's transaction or foreign-key pragma away from it. */
  | 'transaction-control'
  /** `up`/`down` returned a promise: operations recorded after an `await` would be lost. */
  | 'async-revision';

/** A revision called an operation wrongly; the message names the revision, the operation and the key. */
export class OperationError extends Error {
  override readonly name = 'OperationError';

  constructor(
    readonly code: OperationErrorCode,
    readonly context: RecordingContext,
    /** The `op` method, e.g. `addColumn`. */
    readonly operation: string | undefined,
    /** The argument or option key at fault, when there is one. */
    readonly key: string | undefined,
    problem: string,
  ) {
    super(`${describeContext(context)}${operation ? `op.${operation}: ` : ''}${problem}`);
  }
}

/**
 * Runs a revision's `up` or `down` against an `op` facade and returns what it called, as plain data
 * (fresh objects holding only known keys, no functions), ready to be encoded in a bundle.
 *
 * @example
 * const ops = recordOperations((op) => op.addColumn('events', 'status', 'TEXT', { default: "'new'" }));
 * // [{ kind: 'addColumn', table: 'events', column: { name: 'status', type: 'TEXT', default: "'new'" } }]
 */
export function recordOperations(fn: (op: Operations) => void, context: RecordingContext = {}): Operation[] {
  const recorded: Operation[] = [];
  const result: unknown = fn(createFacade(context, (operation) => recorded.push(operation)));
  if (isThenable(result)) {
    throw new OperationError(
      'async-revision',
      context,
      undefined,
      undefined,
      `${context.direction ?? 'the function'} must be synchronous: it only records operations, nothing runs while it does`,
    );
  }
  return recorded;
}

const COLUMN_KEYS = [
  'name',
  'type',
  'notNull',
  'primaryKey',
  'autoincrement',
  'unique',
  'default',
  'collate',
  'check',
  'references',
  'generated',
] as const;
const ADD_COLUMN_KEYS = ['notNull', 'default', 'unique', 'collate', 'check', 'references', 'generated'] as const;
const GENERATED_KEYS = ['expr', 'stored'] as const;
const POSITION_KEYS = ['before', 'after'] as const;
const ADD_KEY_COLUMN_KEYS = ['primaryKey', 'autoincrement'] as const;
const PRIMARY_KEY_KEYS = ['autoincrement'] as const;
const REFERENCE_KEYS = ['table', 'column', 'onDelete', 'onUpdate'] as const;
const CREATE_TABLE_KEYS = ['constraints', 'strict', 'withoutRowid'] as const;
const ALTER_COLUMN_KEYS = ['type', 'notNull', 'default', 'collate', 'using', 'generated'] as const;
const INDEX_KEYS = ['unique', 'where'] as const;
const FOREIGN_KEY_KEYS = ['onDelete', 'onUpdate'] as const;
const CHECK_MATCH_KEYS = ['expr'] as const;
const UNIQUE_MATCH_KEYS = ['columns'] as const;
const FOREIGN_KEY_MATCH_KEYS = ['columns', 'refTable'] as const;
const FOREIGN_KEY_ACTIONS: readonly ForeignKeyAction[] = ['CASCADE', 'SET NULL', 'SET DEFAULT', 'RESTRICT', 'NO ACTION'];

function createFacade(context: RecordingContext, record: (operation: Operation) => void): Operations {
  const args = (operation: string) => new ArgumentReader(context, operation);
  return Object.freeze({
    execute(sql: string) {
      const a = args('execute');
      const text = a.sql(sql, 'sql');
      const forbidden = findTransactionControl(a.words(text, 'sql'));
      if (forbidden) {
        throw new OperationError(
          'transaction-control',
          context,
          'execute',
          'sql',
          `${forbidden} is not allowed: the engine owns the transaction and the foreign_keys pragma around every migration`,
        );
      }
      record({ kind: 'execute', sql: text });
    },
    createTable(name: string, columns: ColumnSpec[], options?: CreateTableOptions) {
      const a = args('createTable');
      const table = a.name(name, 'name');
      const specs = a.array(columns, 'columns').map((column, i) => a.column(column, `columns[${i}]`));
      a.unique(specs.map((c) => c.name), 'columns', 'column');
      const o = a.options(options, CREATE_TABLE_KEYS, 'options');
      const copy: CreateTableOptions = {};
      if (o.constraints !== undefined) {
        copy.constraints = a.array(o.constraints, 'constraints', true).map((c, i) => a.sql(c, `constraints[${i}]`));
      }
      setIfDefined(copy, 'strict', a.boolean(o.strict, 'strict'));
      setIfDefined(copy, 'withoutRowid', a.boolean(o.withoutRowid, 'withoutRowid'));
      record({ kind: 'createTable', table, columns: specs, options: copy });
    },
    dropTable(name: string) {
      record({ kind: 'dropTable', table: args('dropTable').name(name, 'name') });
    },
    renameTable(from: string, to: string) {
      const a = args('renameTable');
      record({ kind: 'renameTable', from: a.name(from, 'from'), to: a.name(to, 'to') });
    },
    addColumn(table: string, name: string, type: string, options?: object) {
      const a = args('addColumn');
      const column: ColumnSpec = { name: a.name(name, 'name'), type: a.sql(type, 'type') };
      const o = a.options(options, [...ADD_COLUMN_KEYS, ...ADD_KEY_COLUMN_KEYS, ...POSITION_KEYS], 'options');
      a.keyAttributes(o, column);
      a.columnAttributes(o, column);
      const operation: Extract<Operation, { kind: 'addColumn' }> = { kind: 'addColumn', table: a.name(table, 'table'), column };
      if (o.before !== undefined) operation.before = a.name(o.before, 'before');
      if (o.after !== undefined) operation.after = a.name(o.after, 'after');
      if (operation.before !== undefined && operation.after !== undefined) {
        a.fail('invalid-argument', 'after', 'give the column one place: before or after, not both');
      }
      record(operation);
    },
    dropColumn(table: string, name: string) {
      const a = args('dropColumn');
      record({ kind: 'dropColumn', table: a.name(table, 'table'), column: a.name(name, 'name') });
    },
    renameColumn(table: string, from: string, to: string) {
      const a = args('renameColumn');
      record({ kind: 'renameColumn', table: a.name(table, 'table'), from: a.name(from, 'from'), to: a.name(to, 'to') });
    },
    alterColumn(table: string, name: string, changes: AlterColumnChanges) {
      const a = args('alterColumn');
      const o = a.options(changes, ALTER_COLUMN_KEYS, 'changes');
      const copy: AlterColumnChanges = {};
      if (o.type !== undefined) copy.type = a.sql(o.type, 'type');
      setIfDefined(copy, 'notNull', a.boolean(o.notNull, 'notNull'));
      if (o.default !== undefined) copy.default = o.default === null ? null : a.sql(o.default, 'default');
      if (o.collate !== undefined) copy.collate = a.nameOrNull(o.collate, 'collate');
      if (o.using !== undefined) copy.using = a.sql(o.using, 'using');
      if (o.generated !== undefined) copy.generated = o.generated === null ? null : a.generated(o.generated, 'generated');
      if (copy.generated && (copy.using !== undefined || typeof copy.default === 'string')) {
        a.fail('invalid-argument', 'generated', 'a generated column computes its values: it takes neither "using" nor a default');
      }
      if (Object.keys(copy).length === 0) {
        a.fail('invalid-argument', 'changes', `changes name nothing to change (known: ${ALTER_COLUMN_KEYS.join(', ')})`);
      }
      record({ kind: 'alterColumn', table: a.name(table, 'table'), column: a.name(name, 'name'), changes: copy });
    },
    createIndex(name: string, table: string, columns: string[], options?: object) {
      const a = args('createIndex');
      const o = a.options(options, INDEX_KEYS, 'options');
      const operation: Extract<Operation, { kind: 'createIndex' }> = {
        kind: 'createIndex',
        name: a.name(name, 'name'),
        table: a.name(table, 'table'),
        columns: a.array(columns, 'columns').map((c, i) => a.sql(c, `columns[${i}]`)),
        unique: a.boolean(o.unique, 'unique') ?? false,
      };
      if (o.where !== undefined) operation.where = a.sql(o.where, 'where');
      record(operation);
    },
    dropIndex(name: string) {
      record({ kind: 'dropIndex', name: args('dropIndex').name(name, 'name') });
    },
    addCheck(table: string, name: string | null, expr: string) {
      const a = args('addCheck');
      record({ kind: 'addCheck', table: a.name(table, 'table'), name: a.nameOrNull(name, 'name'), expr: a.sql(expr, 'expr') });
    },
    dropCheck(table: string, constraint: unknown) {
      const a = args('dropCheck');
      const which = a.nameOrMatch(constraint, CHECK_MATCH_KEYS, (o) => ({ expr: a.sql(o.expr, 'expr') }));
      record({ kind: 'dropCheck', table: a.name(table, 'table'), ...which });
    },
    addUnique(table: string, name: string | null, columns: string[]) {
      const a = args('addUnique');
      record({ kind: 'addUnique', table: a.name(table, 'table'), name: a.nameOrNull(name, 'name'), columns: a.names(columns, 'columns') });
    },
    dropUnique(table: string, constraint: unknown) {
      const a = args('dropUnique');
      const which = a.nameOrMatch(constraint, UNIQUE_MATCH_KEYS, (o) => ({ columns: a.names(o.columns, 'columns') }));
      record({ kind: 'dropUnique', table: a.name(table, 'table'), ...which });
    },
    addForeignKey(
      table: string,
      name: string | null,
      columns: string[],
      refTable: string,
      refColumns: string[],
      options?: object,
    ) {
      const a = args('addForeignKey');
      const from = a.array(columns, 'columns').map((c, i) => a.name(c, `columns[${i}]`));
      const to = a.array(refColumns, 'refColumns').map((c, i) => a.name(c, `refColumns[${i}]`));
      if (from.length !== to.length) {
        a.fail('invalid-argument', 'refColumns', `${from.length} columns reference ${to.length} refColumns`);
      }
      const o = a.options(options, FOREIGN_KEY_KEYS, 'options');
      const operation: Extract<Operation, { kind: 'addForeignKey' }> = {
        kind: 'addForeignKey',
        table: a.name(table, 'table'),
        name: a.nameOrNull(name, 'name'),
        columns: from,
        refTable: a.name(refTable, 'refTable'),
        refColumns: to,
      };
      setIfDefined(operation, 'onDelete', a.action(o.onDelete, 'onDelete'));
      setIfDefined(operation, 'onUpdate', a.action(o.onUpdate, 'onUpdate'));
      record(operation);
    },
    addPrimaryKey(table: string, name: string | null, columns: string[], options?: object) {
      const a = args('addPrimaryKey');
      const o = a.options(options, PRIMARY_KEY_KEYS, 'options');
      const operation: Extract<Operation, { kind: 'addPrimaryKey' }> = {
        kind: 'addPrimaryKey',
        table: a.name(table, 'table'),
        name: a.nameOrNull(name, 'name'),
        columns: a.names(columns, 'columns'),
      };
      setIfDefined(operation, 'autoincrement', a.boolean(o.autoincrement, 'autoincrement'));
      if (operation.autoincrement && operation.columns.length > 1) a.fail('invalid-argument', 'autoincrement', 'autoincrement takes a key of one column');
      record(operation);
    },
    dropPrimaryKey(table: string, name?: string) {
      const a = args('dropPrimaryKey');
      const operation: Extract<Operation, { kind: 'dropPrimaryKey' }> = { kind: 'dropPrimaryKey', table: a.name(table, 'table') };
      if (name !== undefined) operation.name = a.name(name, 'name');
      record(operation);
    },
    dropForeignKey(table: string, constraint: unknown) {
      const a = args('dropForeignKey');
      const which = a.nameOrMatch(constraint, FOREIGN_KEY_MATCH_KEYS, (o) => ({
        columns: a.names(o.columns, 'columns'),
        ...(o.refTable !== undefined ? { refTable: a.name(o.refTable, 'refTable') } : {}),
      }));
      record({ kind: 'dropForeignKey', table: a.name(table, 'table'), ...which });
    },
  });
}

/** Checks the arguments of one `op` call; every failure names the call and the argument. */
class ArgumentReader {
  constructor(
    private readonly context: RecordingContext,
    private readonly operation: string,
  ) {}

  fail(code: OperationErrorCode, key: string, problem: string): never {
    throw new OperationError(code, this.context, this.operation, key, problem);
  }

  /** An identifier: table, column, index or constraint name. */
  name(value: unknown, key: string): string {
    if (typeof value !== 'string' || value.trim() === '') this.fail('invalid-argument', key, `${key} must be a non-empty string, got ${show(value)}`);
    return value;
  }

  /** An identifier, or `null` where null means "none" (an unnamed constraint, no collation). */
  nameOrNull(value: unknown, key: string): string | null {
    return value === null ? null : this.name(value, key);
  }

  /** A constraint named by a string, or described by an object of `known` keys that `read` takes apart. */
  nameOrMatch<K extends string, T extends object>(
    value: unknown,
    known: readonly K[],
    read: (match: Partial<Record<K, unknown>>) => T,
  ): { name: string } | T {
    return typeof value === 'string' ? { name: this.name(value, 'name') } : read(this.options(value, known, 'constraint'));
  }

  /** A non-empty list of distinct identifiers. */
  names(value: unknown, key: string): string[] {
    const names = this.array(value, key).map((c, i) => this.name(c, `${key}[${i}]`));
    this.unique(names, key, 'column');
    return names;
  }

  /** SQL text: a type, a default, an expression or statements. */
  sql(value: unknown, key: string): string {
    if (typeof value !== 'string' || value.trim() === '') {
      this.fail('invalid-argument', key, `${key} must be non-empty SQL text (e.g. "'pending'" or '0'), got ${show(value)}`);
    }
    return value;
  }

  /** The statement words of SQL text (see statementWords); text SQLite could not read either is refused. */
  words(sql: string, key: string): string[] {
    try {
      return statementWords(sql);
    } catch (error) {
      if (error instanceof SqlSyntaxError) this.fail('invalid-argument', key, `${key} is not readable SQL: ${error.message}`);
      throw error;
    }
  }

  boolean(value: unknown, key: string): boolean | undefined {
    if (value !== undefined && typeof value !== 'boolean') this.fail('invalid-argument', key, `${key} must be true or false, got ${show(value)}`);
    return value;
  }

  action(value: unknown, key: string): ForeignKeyAction | undefined {
    if (value === undefined) return undefined;
    const normalized = typeof value === 'string' ? value.trim().replace(/\s+/g, ' ').toUpperCase() : undefined;
    const action = FOREIGN_KEY_ACTIONS.find((a) => a === normalized);
    if (!action) this.fail('invalid-argument', key, `${key} must be one of ${FOREIGN_KEY_ACTIONS.join(', ')}, got ${show(value)}`);
    return action;
  }

  array(value: unknown, key: string, allowEmpty = false): unknown[] {
    if (!Array.isArray(value) || (!allowEmpty && value.length === 0)) {
      this.fail('invalid-argument', key, `${key} must be ${allowEmpty ? 'an' : 'a non-empty'} array, got ${show(value)}`);
    }
    return value;
  }

  unique(names: string[], key: string, what: string): void {
    const seen = new Set<string>();
    for (const name of names) {
      // SQLite compares identifiers case-insensitively.
      const folded = name.toLowerCase();
      if (seen.has(folded)) this.fail('invalid-argument', key, `${what} "${name}" appears twice`);
      seen.add(folded);
    }
  }

  /** An options object: `undefined` is empty; a key outside `known` is refused, since SQLite would never see the typo. */
  options<K extends string>(value: unknown, known: readonly K[], key: string): Partial<Record<K, unknown>> {
    if (value === undefined) return {};
    if (!isPlainObject(value)) this.fail('invalid-argument', key, `${key} must be an object, got ${show(value)}`);
    for (const k of Object.keys(value)) {
      if (!(known as readonly string[]).includes(k)) {
        const near = known.find((candidate) => candidate.toLowerCase() === k.toLowerCase());
        this.fail(
          'unknown-option',
          k,
          `unknown key "${k}" in ${key}${near ? ` (did you mean "${near}"?)` : ''}; known: ${known.join(', ')}`,
        );
      }
    }
    return value as Partial<Record<K, unknown>>;
  }

  column(value: unknown, key: string): ColumnSpec {
    if (value === undefined) this.fail('invalid-argument', key, `${key} must be a column object`);
    const o = this.options(value, COLUMN_KEYS, key);
    const column: ColumnSpec = { name: this.name(o.name, `${key}.name`), type: this.sql(o.type, `${key}.type`) };
    this.keyAttributes(o, column, `${key}.`);
    this.columnAttributes(o, column, `${key}.`);
    return column;
  }

  /** `primaryKey` and `autoincrement` (which needs it), copied onto `column`. */
  keyAttributes(o: Partial<Record<(typeof ADD_KEY_COLUMN_KEYS)[number], unknown>>, column: ColumnSpec, prefix = ''): void {
    setIfDefined(column, 'primaryKey', this.boolean(o.primaryKey, `${prefix}primaryKey`));
    setIfDefined(column, 'autoincrement', this.boolean(o.autoincrement, `${prefix}autoincrement`));
    if (column.autoincrement && !column.primaryKey) this.fail('invalid-argument', `${prefix}autoincrement`, 'autoincrement needs primaryKey: true');
  }

  /** The attributes `createTable` columns and `addColumn` options share, copied onto `column`. */
  columnAttributes(o: Partial<Record<(typeof ADD_COLUMN_KEYS)[number], unknown>>, column: ColumnSpec, prefix = ''): void {
    setIfDefined(column, 'notNull', this.boolean(o.notNull, `${prefix}notNull`));
    setIfDefined(column, 'unique', this.boolean(o.unique, `${prefix}unique`));
    if (o.default !== undefined) column.default = this.sql(o.default, `${prefix}default`);
    if (o.collate !== undefined) column.collate = this.name(o.collate, `${prefix}collate`);
    if (o.check !== undefined) column.check = this.sql(o.check, `${prefix}check`);
    if (o.references !== undefined) column.references = this.reference(o.references, `${prefix}references`);
    if (o.generated !== undefined) {
      column.generated = this.generated(o.generated, `${prefix}generated`);
      if (column.default !== undefined || column.primaryKey) {
        this.fail('invalid-argument', `${prefix}generated`, 'a generated column can have neither a default nor be part of the primary key');
      }
    }
  }

  generated(value: unknown, key: string): GeneratedColumn {
    const o = this.options(value, GENERATED_KEYS, key);
    const generated: GeneratedColumn = { expr: this.sql(o.expr, `${key}.expr`) };
    setIfDefined(generated, 'stored', this.boolean(o.stored, `${key}.stored`));
    return generated;
  }

  reference(value: unknown, key: string): ColumnReference {
    const o = this.options(value, REFERENCE_KEYS, key);
    const reference: ColumnReference = { table: this.name(o.table, `${key}.table`), column: this.name(o.column, `${key}.column`) };
    setIfDefined(reference, 'onDelete', this.action(o.onDelete, `${key}.onDelete`));
    setIfDefined(reference, 'onUpdate', this.action(o.onUpdate, `${key}.onUpdate`));
    return reference;
  }
}

const TRANSACTION_STATEMENTS = new Set(['BEGIN', 'COMMIT', 'END', 'ROLLBACK', 'SAVEPOINT', 'RELEASE', 'VACUUM']);

/**
 * The first statement of `tokens` (see statementWords) that controls transactions or foreign
 * keys, if any. Only statement starts count: `RAISE(ROLLBACK, ...)`, `INSERT OR ROLLBACK` and the
 * `BEGIN ... END` of a trigger body are fine.
 */
function findTransactionControl(tokens: string[]): string | undefined {
  let i = 0;
  while (i < tokens.length) {
    const first = tokens[i];
    if (first === ';') {
      i++;
      continue;
    }
    if (first !== undefined && TRANSACTION_STATEMENTS.has(first)) return first;
    if (first === 'PRAGMA') {
      const pragma = tokens[i + 2] === '.' ? tokens[i + 3] : tokens[i + 1];
      if (pragma === 'FOREIGN_KEYS') return 'PRAGMA foreign_keys';
    }
    // A trigger body holds its own `;`-separated statements between BEGIN and END; CASE ... END nests too.
    let depth = 0;
    for (; i < tokens.length; i++) {
      const token = tokens[i];
      if (token === 'BEGIN' || token === 'CASE') depth++;
      else if (token === 'END') depth--;
      else if (token === ';' && depth <= 0) break;
    }
    i++;
  }
  return undefined;
}

/**
 * Upper-cased bare words plus `;` and `.` of SQL text, from the engine's lexer (literals, quoted
 * identifiers, numbers and comments are not words).
 */
function statementWords(sql: string): string[] {
  return tokenize(sql).flatMap((token) => {
    if (token.type === 'word') return [token.text.toUpperCase()];
    return token.text === ';' || token.text === '.' ? [token.text] : [];
  });
}

function setIfDefined<T extends object, K extends keyof T>(target: T, key: K, value: T[K] | undefined): void {
  if (value !== undefined) target[key] = value;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function isThenable(value: unknown): boolean {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return 'an array';
  if (value === null) return 'null';
  return typeof value === 'object' ? 'an object' : String(value);
}

function describeContext({ revision, file, direction }: RecordingContext): string {
  const parts = [revision && `revision ${revision}`, file && `(${file})`, direction].filter(Boolean);
  return parts.length > 0 ? `${parts.join(' ')}: ` : '';
}
