/** Words after which a parenthesis stays apart: `IN (...)` reads better than `IN(...)`. */
const SPACED_KEYWORDS = new Set(['in', 'and', 'or', 'not', 'is', 'as', 'on', 'when', 'then', 'else', 'exists', 'between', 'like', 'glob', 'check', 'where']);

/**
 * Tightens the engine's normalized SQL (`lower ( email )`, `TEXT ( 256 )`) back into how a person
 * writes it (`lower(email)`, `TEXT(256)`). Only whitespace next to parentheses and commas changes,
 * outside string literals and quoted names, so the token stream (and so the fingerprint) is the same.
 */
export function readableSql(sql: string): string {
  return sql
    .split(/('(?:[^']|'')*'|"(?:[^"]|"")*"|`[^`]*`|\[[^\]]*\])/)
    .map((part, i) => (i % 2 === 1 ? part : tighten(part)))
    .join('');
}

function tighten(text: string): string {
  return text
    .replace(/\( /g, '(')
    .replace(/ \)/g, ')')
    .replace(/ ,/g, ',')
    .replace(/([A-Za-z0-9_]+) \(/g, (match, word: string) => (SPACED_KEYWORDS.has(word.toLowerCase()) ? match : `${word}(`));
}
