import type {
  ColumnDescription,
  SchemaDescription,
  TableDescription,
} from './description.js';

export interface SchemaChange {
  kind: 'added' | 'removed' | 'changed';
  object: 'table' | 'column' | 'index' | 'trigger' | 'view' | 'virtual table' | 'constraint';
  name: string;
  detail: string;
}

/** What `actual` has that `expected` does not, and the reverse, object by object. */
export function diffSchemas(expected: SchemaDescription, actual: SchemaDescription): SchemaChange[] {
  const changes: SchemaChange[] = [];
  diffNamed(expected.tables, actual.tables, 'table', changes, (a, b) => diffTable(a, b, changes));
  diffNamed(expected.indexes, actual.indexes, 'index', changes, (a, b) => {
    const before = `${a.unique ? 'UNIQUE ' : ''}ON ${a.table} (${a.columns.join(', ')})${a.where ? ` WHERE ${a.where}` : ''}`;
    const after = `${b.unique ? 'UNIQUE ' : ''}ON ${b.table} (${b.columns.join(', ')})${b.where ? ` WHERE ${b.where}` : ''}`;
    if (before !== after) changes.push({ kind: 'changed', object: 'index', name: a.name, detail: `${before} -> ${after}` });
  });
  diffNamed(expected.triggers, actual.triggers, 'trigger', changes, (a, b) => {
    if (a.sql !== b.sql) changes.push({ kind: 'changed', object: 'trigger', name: a.name, detail: `${a.sql} -> ${b.sql}` });
  });
  diffNamed(expected.views, actual.views, 'view', changes, (a, b) => {
    if (a.sql !== b.sql) changes.push({ kind: 'changed', object: 'view', name: a.name, detail: `${a.sql} -> ${b.sql}` });
  });
  diffNamed(expected.virtualTables, actual.virtualTables, 'virtual table', changes, (a, b) => {
    if (a.sql !== b.sql) {
      changes.push({ kind: 'changed', object: 'virtual table', name: a.name, detail: `${a.sql} -> ${b.sql}` });
    }
  });
  return changes;
}

function diffNamed<T extends { name: string }>(
  expected: T[],
  actual: T[],
  object: SchemaChange['object'],
  changes: SchemaChange[],
  compare: (a: T, b: T) => void,
): void {
  const actualByName = new Map(actual.map((item) => [item.name, item]));
  const expectedNames = new Set(expected.map((item) => item.name));
  for (const item of expected) {
    const other = actualByName.get(item.name);
    if (other) compare(item, other);
    else changes.push({ kind: 'removed', object, name: item.name, detail: `${object} ${item.name} is missing` });
  }
  for (const item of actual) {
    if (!expectedNames.has(item.name)) {
      changes.push({ kind: 'added', object, name: item.name, detail: `${object} ${item.name} is not expected` });
    }
  }
}

function describeColumn(c: ColumnDescription): string {
  return [
    c.type || '(no type)',
    c.notNull ? 'NOT NULL' : '',
    c.primaryKey ? `PRIMARY KEY(${c.primaryKey})` : '',
    c.default !== null ? `DEFAULT ${c.default}` : '',
    c.collate ? `COLLATE ${c.collate}` : '',
    c.generated ? `AS (${c.generated.expr}) ${c.generated.stored ? 'STORED' : 'VIRTUAL'}` : '',
  ]
    .filter(Boolean)
    .join(' ');
}

function diffTable(a: TableDescription, b: TableDescription, changes: SchemaChange[]): void {
  const prefix = `${a.name}.`;
  const qualified = <T extends { name: string }>(items: T[]) => items.map((item) => ({ ...item, name: prefix + item.name }));
  diffNamed(qualified(a.columns), qualified(b.columns), 'column', changes, (x, y) => {
    const before = describeColumn(x);
    const after = describeColumn(y);
    if (before !== after) changes.push({ kind: 'changed', object: 'column', name: x.name, detail: `${before} -> ${after}` });
  });
  const order = (t: TableDescription) => t.columns.map((c) => c.name).join(', ');
  if (order(a) !== order(b) && a.columns.length === b.columns.length) {
    changes.push({ kind: 'changed', object: 'table', name: a.name, detail: `column order (${order(a)}) -> (${order(b)})` });
  }
  if (a.primaryKeyClause !== b.primaryKeyClause) {
    changes.push({ kind: 'changed', object: 'table', name: a.name, detail: `primary key ${a.primaryKeyClause ?? '(plain)'} -> ${b.primaryKeyClause ?? '(plain)'}` });
  }
  for (const flag of ['strict', 'withoutRowid', 'autoincrement'] as const) {
    if (a[flag] !== b[flag]) changes.push({ kind: 'changed', object: 'table', name: a.name, detail: `${flag} ${a[flag]} -> ${b[flag]}` });
  }
  const constraintTexts = (t: TableDescription) => [
    ...t.uniques.map((u) => `UNIQUE${u.name ? ` ${u.name}` : ''} (${u.columns.join(', ')})${u.onConflict ? ` ${u.onConflict}` : ''}`),
    ...t.checks.map((c) => `CHECK${c.name ? ` ${c.name}` : ''} (${c.expr})`),
    ...t.foreignKeys.map(
      (f) =>
        `FOREIGN KEY${f.name ? ` ${f.name}` : ''} (${f.columns.join(', ')}) REFERENCES ${f.refTable} (${f.refColumns.join(', ')}) ON DELETE ${f.onDelete} ON UPDATE ${f.onUpdate}${f.deferrable ? ` ${f.deferrable}` : ''}`,
    ),
  ];
  const before = new Set(constraintTexts(a));
  const after = new Set(constraintTexts(b));
  for (const text of before) {
    if (!after.has(text)) changes.push({ kind: 'removed', object: 'constraint', name: a.name, detail: text });
  }
  for (const text of after) {
    if (!before.has(text)) changes.push({ kind: 'added', object: 'constraint', name: a.name, detail: text });
  }
}

/** One line per change, e.g. `+ column orders.note is not expected`; '' when there is none. */
export function formatSchemaDiff(changes: SchemaChange[]): string {
  const sign = { added: '+', removed: '-', changed: '~' } as const;
  return changes.map((c) => `${sign[c.kind]} ${c.object} ${c.name}: ${c.detail}`).join('\n');
}
