import { quoteIdent } from './quote.js';

/** A lexical token of SQLite's SQL dialect. `text` is the exact source slice. */
export interface Token {
  type: 'word' | 'quoted' | 'string' | 'number' | 'blob' | 'variable' | 'punct';
  text: string;
  start: number;
  end: number;
}

export class SqlSyntaxError extends Error {
  readonly code = 'sql-syntax';
}

const WORD_START = /[A-Za-z_\u0080-\uffff]/;
const WORD_PART = /[A-Za-z0-9_$\u0080-\uffff]/;
const TWO_CHAR_PUNCT = new Set(['||', '<<', '>>', '<=', '>=', '==', '!=', '<>', '->']);

/** Splits SQL into tokens, dropping whitespace and comments. */
export function tokenize(sql: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const n = sql.length;
  while (i < n) {
    const c = sql[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f') {
      i++;
    } else if (c === '-' && sql[i + 1] === '-') {
      const eol = sql.indexOf('\n', i);
      i = eol < 0 ? n : eol + 1;
    } else if (c === '/' && sql[i + 1] === '*') {
      const close = sql.indexOf('*/', i + 2);
      i = close < 0 ? n : close + 2;
    } else if (c === "'" || c === '"' || c === '`' || c === '[') {
      const end = scanQuoted(sql, i);
      tokens.push({ type: c === "'" ? 'string' : 'quoted', text: sql.slice(i, end), start: i, end });
      i = end;
    } else if ((c === 'x' || c === 'X') && sql[i + 1] === "'") {
      const end = scanQuoted(sql, i + 1);
      tokens.push({ type: 'blob', text: sql.slice(i, end), start: i, end });
      i = end;
    } else if (WORD_START.test(c)) {
      let j = i + 1;
      while (j < n && WORD_PART.test(sql[j]!)) j++;
      tokens.push({ type: 'word', text: sql.slice(i, j), start: i, end: j });
      i = j;
    } else if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(sql[i + 1] ?? ''))) {
      const end = scanNumber(sql, i);
      tokens.push({ type: 'number', text: sql.slice(i, end), start: i, end });
      i = end;
    } else if (c === '?' || c === ':' || c === '@' || c === '$') {
      let j = i + 1;
      while (j < n && WORD_PART.test(sql[j]!)) j++;
      tokens.push({ type: 'variable', text: sql.slice(i, j), start: i, end: j });
      i = j;
    } else {
      const two = sql.slice(i, i + 2);
      const len = two === '->' && sql[i + 2] === '>' ? 3 : TWO_CHAR_PUNCT.has(two) ? 2 : 1;
      tokens.push({ type: 'punct', text: sql.slice(i, i + len), start: i, end: i + len });
      i += len;
    }
  }
  return tokens;
}

function scanQuoted(sql: string, start: number): number {
  const open = sql[start]!;
  const close = open === '[' ? ']' : open;
  let i = start + 1;
  for (;;) {
    const at = sql.indexOf(close, i);
    if (at < 0) throw new SqlSyntaxError(`unterminated ${open} quote at offset ${start}`);
    if (close !== ']' && sql[at + 1] === close) {
      i = at + 2;
      continue;
    }
    return at + 1;
  }
}

function scanNumber(sql: string, start: number): number {
  let i = start;
  if (sql[i] === '0' && (sql[i + 1] === 'x' || sql[i + 1] === 'X')) {
    i += 2;
    while (/[0-9a-fA-F_]/.test(sql[i] ?? '')) i++;
    return i;
  }
  while (/[0-9_]/.test(sql[i] ?? '')) i++;
  if (sql[i] === '.') {
    i++;
    while (/[0-9_]/.test(sql[i] ?? '')) i++;
  }
  if (sql[i] === 'e' || sql[i] === 'E') {
    let j = i + 1;
    if (sql[j] === '+' || sql[j] === '-') j++;
    if (/[0-9]/.test(sql[j] ?? '')) {
      i = j;
      while (/[0-9]/.test(sql[i] ?? '')) i++;
    }
  }
  return i;
}

/** The identifier a word or quoted token names, unquoted. */
export function identifierOf(token: Token): string {
  if (token.type === 'word') return token.text;
  if (token.type !== 'quoted' && token.type !== 'string') {
    throw new SqlSyntaxError(`expected a name, found ${token.text}`);
  }
  const open = token.text[0]!;
  const inner = token.text.slice(1, -1);
  return open === '[' ? inner : inner.split(open + open).join(open);
}

const PLAIN_IDENT = /^[a-z_][a-z0-9_]*$/;

/**
 * A canonical spelling of an SQL fragment: tokens joined by single spaces, words lower-cased,
 * quoted identifiers unquoted (re-quoted only when they need it), literals kept as written.
 */
export function normalizeSql(sqlOrTokens: string | Token[]): string {
  const tokens = typeof sqlOrTokens === 'string' ? tokenize(sqlOrTokens) : sqlOrTokens;
  return tokens.map(normalizeToken).join(' ');
}

function normalizeToken(token: Token): string {
  if (token.type === 'word') return token.text.toLowerCase();
  if (token.type === 'quoted') {
    const name = identifierOf(token).toLowerCase();
    return PLAIN_IDENT.test(name) ? name : quoteIdent(name);
  }
  if (token.type === 'blob') return token.text.toLowerCase();
  return token.text;
}

/** True when the token is the given keyword (case-insensitive). */
export function isKeyword(token: Token | undefined, keyword: string): boolean {
  return token !== undefined && token.type === 'word' && token.text.toUpperCase() === keyword;
}

function namesIdentifier(token: Token, lowerName: string): boolean {
  return (token.type === 'word' || token.type === 'quoted') && identifierOf(token).toLowerCase() === lowerName;
}

/** Rewrites every identifier `from` in `sql` to `to` (quoted), leaving literals alone. */
export function renameIdentifier(sql: string, from: string, to: string): string {
  const lower = from.toLowerCase();
  let out = '';
  let at = 0;
  for (const token of tokenize(sql)) {
    if (!namesIdentifier(token, lower)) continue;
    out += sql.slice(at, token.start) + quoteIdent(to);
    at = token.end;
  }
  return out + sql.slice(at);
}

/** Drops `table.` qualifiers from column references to `table` (as a CHECK may write them). */
export function unqualify(sql: string, table: string): string {
  const lower = table.toLowerCase();
  const tokens = tokenize(sql);
  let out = '';
  let at = 0;
  tokens.forEach((token, i) => {
    const dot = tokens[i + 1];
    const before = tokens[i - 1];
    if (namesIdentifier(token, lower) && dot?.text === '.' && before?.text !== '.') {
      out += sql.slice(at, token.start);
      at = dot.end;
    }
  });
  return out + sql.slice(at);
}
