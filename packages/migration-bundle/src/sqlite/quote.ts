/**
 * The one way SQL text quotes what it names or holds. Every identifier Godwit writes into SQL is
 * double-quoted (SQLite then never reads it as a keyword), whatever its spelling.
 */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** A string literal. */
export function quoteString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}
