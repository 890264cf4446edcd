import type { Operation } from '../ops/operation.js';
import type { PlannedOperation } from './planned-operation.js';

export interface RevisionSource {
  id: string;
  parent: string | string[] | null;
  message: string;
  /** Comment lines written above the revision (without `//`). */
  header: string[];
  up: PlannedOperation[];
  down: PlannedOperation[];
}

/** The TypeScript text of a revision file: one readable `op.*` call per operation. */
export function renderRevisionSource(source: RevisionSource): string {
  const lines = [
    "import { revision } from '@godwit/migration-bundle';",
    '',
    ...source.header.map((line) => `// ${line}`),
    'export default revision({',
    `  id: ${literal(source.id)},`,
    `  parent: ${literal(source.parent)},`,
    `  message: ${literal(source.message)},`,
    '  up(op) {',
    ...body(source.up),
    '  },',
    '  down(op) {',
    ...body(source.down),
    '  },',
    '});',
    '',
  ];
  return lines.join('\n');
}

function body(operations: PlannedOperation[]): string[] {
  const indent = '    ';
  return operations.flatMap(({ operation, note }) => [
    ...(note ? note.split('\n').map((line) => `${indent}// ${line}`) : []),
    ...call(operation).split('\n').map((line) => indent + line),
  ]);
}

function call(operation: Operation): string {
  const args = (...values: unknown[]) => values.filter((v) => v !== undefined).map(literal).join(', ');
  switch (operation.kind) {
    case 'execute':
      return `op.execute(${args(operation.sql)});`;
    case 'createTable': {
      const columns = operation.columns.map((column) => `  ${literal(column)},`).join('\n');
      const options = Object.keys(operation.options).length > 0 ? `, ${literal(operation.options)}` : '';
      return `op.createTable(${literal(operation.table)}, [\n${columns}\n]${options});`;
    }
    case 'dropTable':
      return `op.dropTable(${args(operation.table)});`;
    case 'renameTable':
      return `op.renameTable(${args(operation.from, operation.to)});`;
    case 'addColumn': {
      const { name, type, ...options } = operation.column;
      const position = { ...(operation.before ? { before: operation.before } : {}), ...(operation.after ? { after: operation.after } : {}) };
      return `op.addColumn(${args(operation.table, name, type, optional({ ...options, ...position }))});`;
    }
    case 'dropColumn':
      return `op.dropColumn(${args(operation.table, operation.column)});`;
    case 'renameColumn':
      return `op.renameColumn(${args(operation.table, operation.from, operation.to)});`;
    case 'alterColumn':
      return `op.alterColumn(${args(operation.table, operation.column, operation.changes)});`;
    case 'createIndex': {
      const options = optional({ ...(operation.unique ? { unique: true } : {}), ...(operation.where ? { where: operation.where } : {}) });
      return `op.createIndex(${args(operation.name, operation.table, operation.columns, options)});`;
    }
    case 'dropIndex':
      return `op.dropIndex(${args(operation.name)});`;
    case 'addCheck':
      return `op.addCheck(${args(operation.table, operation.name, operation.expr)});`;
    case 'dropCheck':
      return `op.dropCheck(${args(operation.table, operation.name ?? { expr: operation.expr })});`;
    case 'addUnique':
      return `op.addUnique(${args(operation.table, operation.name, operation.columns)});`;
    case 'dropUnique':
      return `op.dropUnique(${args(operation.table, operation.name ?? { columns: operation.columns })});`;
    case 'addForeignKey': {
      const { table, name, columns, refTable, refColumns, onDelete, onUpdate } = operation;
      const options = optional({ ...(onDelete ? { onDelete } : {}), ...(onUpdate ? { onUpdate } : {}) });
      return `op.addForeignKey(${args(table, name, columns, refTable, refColumns, options)});`;
    }
    case 'addPrimaryKey': {
      const { table, name, columns, autoincrement } = operation;
      return `op.addPrimaryKey(${args(table, name, columns, autoincrement ? { autoincrement } : undefined)});`;
    }
    case 'dropPrimaryKey':
      return `op.dropPrimaryKey(${args(operation.table, operation.name)});`;
    case 'dropForeignKey': {
      const { table, name, columns, refTable } = operation;
      return `op.dropForeignKey(${args(table, name ?? { columns, ...(refTable ? { refTable } : {}) })});`;
    }
  }
}

function optional(options: object): object | undefined {
  return Object.keys(options).length > 0 ? options : undefined;
}

/** A JavaScript literal for plain data: single-quoted strings, bare keys. */
export function literal(value: unknown): string {
  if (typeof value === 'string') {
    // SQL literals are full of single quotes: a double-quoted string spares the backslashes.
    if (value.includes("'") && !value.includes('"') && !/[\\\n\r]/.test(value)) return `"${value}"`;
    return `'${value.replaceAll('\\', '\\\\').replaceAll("'", "\\'").replaceAll('\n', '\\n').replaceAll('\r', '\\r')}'`;
  }
  if (value === null || typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `[${value.map(literal).join(', ')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    if (entries.length === 0) return '{}';
    const key = (k: string) => (/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(k) ? k : literal(k));
    return `{ ${entries.map(([k, v]) => `${key(k)}: ${literal(v)}`).join(', ')} }`;
  }
  throw new TypeError(`cannot write ${typeof value} into a revision file`);
}
