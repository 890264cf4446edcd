import { identifierOf, isKeyword, SqlSyntaxError, tokenize, type Token } from './tokenize.js';
import type { ColumnConstraint, ColumnDef, ReferencesClause, TableConstraint, TableDef } from './table-def.js';

const COLUMN_CONSTRAINT_START = new Set([
  'CONSTRAINT', 'PRIMARY', 'NOT', 'NULL', 'UNIQUE', 'CHECK', 'DEFAULT', 'COLLATE', 'REFERENCES', 'GENERATED', 'AS',
]);
const TABLE_CONSTRAINT_START = new Set(['CONSTRAINT', 'PRIMARY', 'UNIQUE', 'CHECK', 'FOREIGN']);

/** A cursor over the tokens of one statement, keeping the source to slice exact text from. */
class Cursor {
  pos = 0;
  constructor(
    readonly sql: string,
    readonly tokens: Token[],
  ) {}
  peek(offset = 0): Token | undefined {
    return this.tokens[this.pos + offset];
  }
  next(): Token {
    const token = this.tokens[this.pos++];
    if (!token) throw new SqlSyntaxError('unexpected end of statement');
    return token;
  }
  keyword(word: string): boolean {
    if (isKeyword(this.peek(), word)) {
      this.pos++;
      return true;
    }
    return false;
  }
  expectKeyword(word: string): void {
    if (!this.keyword(word)) throw new SqlSyntaxError(`expected ${word}, found ${this.peek()?.text ?? 'end'}`);
  }
  punct(text: string): boolean {
    const token = this.peek();
    if (token?.type === 'punct' && token.text === text) {
      this.pos++;
      return true;
    }
    return false;
  }
  expectPunct(text: string): void {
    if (!this.punct(text)) throw new SqlSyntaxError(`expected "${text}", found ${this.peek()?.text ?? 'end'}`);
  }
  name(): string {
    return identifierOf(this.next());
  }
  /** Skips a balanced parenthesized group starting at "(", returning the inner text. */
  group(): string {
    const open = this.next();
    if (open.text !== '(') throw new SqlSyntaxError(`expected "(", found ${open.text}`);
    let depth = 1;
    for (;;) {
      const token = this.next();
      if (token.text === '(' && token.type === 'punct') depth++;
      else if (token.text === ')' && token.type === 'punct' && --depth === 0) {
        return this.sql.slice(open.end, token.start).trim();
      }
    }
  }
  textFrom(startToken: number): string {
    const first = this.tokens[startToken];
    const last = this.tokens[this.pos - 1];
    return first && last ? this.sql.slice(first.start, last.end) : '';
  }
  atListEnd(): boolean {
    const token = this.peek();
    return !token || (token.type === 'punct' && (token.text === ',' || token.text === ')'));
  }
}

/** Parses a `CREATE TABLE` statement as stored in `sqlite_schema`. */
export function parseCreateTable(sql: string): TableDef {
  const cursor = new Cursor(sql, tokenize(sql));
  cursor.expectKeyword('CREATE');
  if (!cursor.keyword('TEMP')) cursor.keyword('TEMPORARY');
  cursor.expectKeyword('TABLE');
  if (cursor.keyword('IF')) {
    cursor.expectKeyword('NOT');
    cursor.expectKeyword('EXISTS');
  }
  let name = cursor.name();
  if (cursor.punct('.')) name = cursor.name();
  if (isKeyword(cursor.peek(), 'AS')) throw new SqlSyntaxError(`CREATE TABLE ${name} AS SELECT is not supported`);
  cursor.expectPunct('(');
  const columns: ColumnDef[] = [];
  const constraints: TableConstraint[] = [];
  for (;;) {
    const token = cursor.peek();
    if (!token) throw new SqlSyntaxError(`unterminated column list in table ${name}`);
    if (token.type === 'word' && TABLE_CONSTRAINT_START.has(token.text.toUpperCase()) && !isColumnNamed(cursor)) {
      constraints.push(parseTableConstraint(cursor));
    } else {
      columns.push(parseColumn(cursor));
    }
    if (cursor.punct(')')) break;
    cursor.expectPunct(',');
  }
  let withoutRowid = false;
  let strict = false;
  while (cursor.peek()) {
    if (cursor.keyword('WITHOUT')) {
      cursor.expectKeyword('ROWID');
      withoutRowid = true;
    } else if (cursor.keyword('STRICT')) strict = true;
    else if (!cursor.punct(',') && !cursor.punct(';')) throw new SqlSyntaxError(`unexpected ${cursor.peek()!.text} after table ${name}`);
  }
  return { name, columns, constraints, withoutRowid, strict };
}

/** A column may be named like a constraint keyword only when quoted; bare words here start constraints. */
function isColumnNamed(cursor: Cursor): boolean {
  return cursor.peek()?.type !== 'word';
}

function parseColumn(cursor: Cursor): ColumnDef {
  const name = cursor.name();
  const typeStart = cursor.pos;
  while (!cursor.atListEnd()) {
    const token = cursor.peek()!;
    if (token.type === 'word' && COLUMN_CONSTRAINT_START.has(token.text.toUpperCase())) break;
    if (token.type === 'punct' && token.text === '(') cursor.group();
    else cursor.next();
  }
  const type = cursor.pos > typeStart ? cursor.textFrom(typeStart) : '';
  const constraints: ColumnConstraint[] = [];
  while (!cursor.atListEnd()) constraints.push(parseColumnConstraint(cursor));
  return { name, type, constraints };
}

function parseConstraintName(cursor: Cursor): string | null {
  return cursor.keyword('CONSTRAINT') ? cursor.name() : null;
}

function skipConflictClause(cursor: Cursor): void {
  if (cursor.keyword('ON')) {
    cursor.expectKeyword('CONFLICT');
    cursor.next();
  }
}

function parseColumnConstraint(cursor: Cursor): ColumnConstraint {
  const name = parseConstraintName(cursor);
  const start = cursor.pos;
  const done = <T extends object>(fields: T) => ({ name, sql: cursor.textFrom(start), ...fields });
  if (cursor.keyword('PRIMARY')) {
    cursor.expectKeyword('KEY');
    if (!cursor.keyword('ASC')) cursor.keyword('DESC');
    skipConflictClause(cursor);
    const autoincrement = cursor.keyword('AUTOINCREMENT');
    return done({ kind: 'primaryKey' as const, autoincrement });
  }
  if (cursor.keyword('NOT')) {
    cursor.expectKeyword('NULL');
    skipConflictClause(cursor);
    return done({ kind: 'notNull' as const });
  }
  if (cursor.keyword('NULL')) {
    skipConflictClause(cursor);
    return done({ kind: 'null' as const });
  }
  if (cursor.keyword('UNIQUE')) {
    skipConflictClause(cursor);
    return done({ kind: 'unique' as const });
  }
  if (cursor.keyword('CHECK')) {
    const expr = cursor.group();
    return done({ kind: 'check' as const, expr });
  }
  if (cursor.keyword('DEFAULT')) {
    const valueStart = cursor.pos;
    const token = cursor.peek();
    if (token?.type === 'punct' && token.text === '(') cursor.group();
    else {
      if (token?.type === 'punct' && (token.text === '-' || token.text === '+')) cursor.next();
      cursor.next();
    }
    return done({ kind: 'default' as const, value: cursor.textFrom(valueStart) });
  }
  if (cursor.keyword('COLLATE')) {
    const collation = cursor.name();
    return done({ kind: 'collate' as const, collation });
  }
  if (isKeyword(cursor.peek(), 'REFERENCES')) {
    const references = parseReferences(cursor);
    return done({ kind: 'references' as const, references });
  }
  if (cursor.keyword('GENERATED')) cursor.expectKeyword('ALWAYS');
  if (cursor.keyword('AS')) {
    const expr = cursor.group();
    const stored = cursor.keyword('STORED');
    if (!stored) cursor.keyword('VIRTUAL');
    return done({ kind: 'generated' as const, expr, stored });
  }
  throw new SqlSyntaxError(`unexpected ${cursor.peek()?.text ?? 'end'} in column definition`);
}

function parseNameList(cursor: Cursor): string[] {
  const inner = cursor.group();
  return splitTopLevel(inner).map((part) => {
    const tokens = tokenize(part);
    if (!tokens[0]) throw new SqlSyntaxError('empty name in column list');
    return identifierOf(tokens[0]);
  });
}

function parseReferences(cursor: Cursor): ReferencesClause {
  cursor.expectKeyword('REFERENCES');
  const table = cursor.name();
  const columns = cursor.peek()?.text === '(' ? parseNameList(cursor) : [];
  let onDelete = 'NO ACTION';
  let onUpdate = 'NO ACTION';
  const extra: string[] = [];
  for (;;) {
    if (cursor.keyword('ON')) {
      const event = cursor.next().text.toUpperCase();
      const action = parseAction(cursor);
      if (event === 'DELETE') onDelete = action;
      else if (event === 'UPDATE') onUpdate = action;
      else throw new SqlSyntaxError(`unexpected ON ${event} in foreign key`);
    } else if (isKeyword(cursor.peek(), 'MATCH')) {
      const start = cursor.pos;
      cursor.next();
      cursor.next();
      extra.push(cursor.textFrom(start));
    } else if (isKeyword(cursor.peek(), 'NOT') && isKeyword(cursor.peek(1), 'DEFERRABLE')) {
      extra.push(parseDeferrable(cursor));
    } else if (isKeyword(cursor.peek(), 'DEFERRABLE')) {
      extra.push(parseDeferrable(cursor));
    } else break;
  }
  return { table, columns, onDelete, onUpdate, extra: extra.join(' ') };
}

function parseDeferrable(cursor: Cursor): string {
  const start = cursor.pos;
  cursor.keyword('NOT');
  cursor.expectKeyword('DEFERRABLE');
  if (cursor.keyword('INITIALLY')) cursor.next();
  return cursor.textFrom(start);
}

function parseAction(cursor: Cursor): string {
  if (cursor.keyword('SET')) {
    if (cursor.keyword('NULL')) return 'SET NULL';
    cursor.expectKeyword('DEFAULT');
    return 'SET DEFAULT';
  }
  if (cursor.keyword('CASCADE')) return 'CASCADE';
  if (cursor.keyword('RESTRICT')) return 'RESTRICT';
  cursor.expectKeyword('NO');
  cursor.expectKeyword('ACTION');
  return 'NO ACTION';
}

function parseTableConstraint(cursor: Cursor): TableConstraint {
  const name = parseConstraintName(cursor);
  const start = cursor.pos;
  const done = <T extends object>(fields: T) => ({ name, sql: cursor.textFrom(start), ...fields });
  if (cursor.keyword('PRIMARY')) {
    cursor.expectKeyword('KEY');
    const columns = parseIndexedNames(cursor);
    skipConflictClause(cursor);
    return done({ kind: 'primaryKey' as const, columns });
  }
  if (cursor.keyword('UNIQUE')) {
    const columns = parseIndexedNames(cursor);
    skipConflictClause(cursor);
    return done({ kind: 'unique' as const, columns });
  }
  if (cursor.keyword('CHECK')) {
    const expr = cursor.group();
    return done({ kind: 'check' as const, expr });
  }
  cursor.expectKeyword('FOREIGN');
  cursor.expectKeyword('KEY');
  const columns = parseNameList(cursor);
  const references = parseReferences(cursor);
  return done({ kind: 'foreignKey' as const, columns, references });
}

/** Column names of a PRIMARY KEY / UNIQUE list, ignoring COLLATE and ASC/DESC. */
function parseIndexedNames(cursor: Cursor): string[] {
  const inner = cursor.group();
  return splitTopLevel(inner).map((part) => {
    const first = tokenize(part)[0];
    if (!first) throw new SqlSyntaxError('empty key column');
    return identifierOf(first);
  });
}

/** Splits a comma-separated list at depth 0. */
export function splitTopLevel(sql: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let from = 0;
  for (const token of tokenize(sql)) {
    if (token.type !== 'punct') continue;
    if (token.text === '(') depth++;
    else if (token.text === ')') depth--;
    else if (token.text === ',' && depth === 0) {
      parts.push(sql.slice(from, token.start).trim());
      from = token.end;
    }
  }
  const last = sql.slice(from).trim();
  if (last) parts.push(last);
  return parts;
}
