import { splitTopLevel } from './parse-create-table.js';
import { identifierOf, isKeyword, SqlSyntaxError, tokenize } from './tokenize.js';

export interface IndexDef {
  name: string;
  table: string;
  unique: boolean;
  /** Key terms as written: columns or expressions, with COLLATE / ASC / DESC. */
  terms: string[];
  where: string | null;
}

/** Parses a `CREATE [UNIQUE] INDEX` statement as stored in `sqlite_schema`. */
export function parseCreateIndex(sql: string): IndexDef {
  const tokens = tokenize(sql);
  let i = 0;
  const expect = (word: string) => {
    if (!isKeyword(tokens[i], word)) throw new SqlSyntaxError(`expected ${word} in index: ${sql}`);
    i++;
  };
  expect('CREATE');
  const unique = isKeyword(tokens[i], 'UNIQUE');
  if (unique) i++;
  expect('INDEX');
  if (isKeyword(tokens[i], 'IF')) i += 3;
  let name = identifierOf(tokens[i++]!);
  if (tokens[i]?.text === '.') {
    i++;
    name = identifierOf(tokens[i++]!);
  }
  expect('ON');
  const table = identifierOf(tokens[i++]!);
  const open = tokens[i];
  if (open?.text !== '(') throw new SqlSyntaxError(`expected ( in index ${name}`);
  let depth = 0;
  let close = i;
  for (; close < tokens.length; close++) {
    const t = tokens[close]!;
    if (t.type !== 'punct') continue;
    if (t.text === '(') depth++;
    else if (t.text === ')' && --depth === 0) break;
  }
  const closeToken = tokens[close];
  if (!closeToken) throw new SqlSyntaxError(`unterminated column list in index ${name}`);
  const terms = splitTopLevel(sql.slice(open.end, closeToken.start));
  const rest = tokens[close + 1];
  const where = rest && isKeyword(rest, 'WHERE') ? sql.slice(rest.end).trim() : null;
  return { name, table, unique, terms, where };
}
