import { isStorableText, MAX_TABLE_NAME_CHARS, MAX_TABLE_SIZES, type MigrationResult, type TableSize } from '@godwit/fleet-protocol';

/**
 * What an upgrade did to the data, as a migration event carries it: the rows its rebuilds copied
 * (all tables together; omitted when unknown) and each rebuilt table's bytes before and after, by
 * table name, at most MAX_TABLE_SIZES of them (omitted when none was measured). A name the
 * protocol cannot carry (longer than MAX_TABLE_NAME_CHARS: SQLite has no limit) is left out.
 */
export function upgradeWork(rowsCopied: number | null, sizesBefore: Record<string, number>, sizesAfter: Record<string, number>): Pick<MigrationResult, 'rowsCopied' | 'tableSizes'> {
  const tables = [...new Set([...Object.keys(sizesBefore), ...Object.keys(sizesAfter)])]
    .filter((table) => table.length <= MAX_TABLE_NAME_CHARS && isStorableText(table))
    .sort()
    .slice(0, MAX_TABLE_SIZES);
  const tableSizes: TableSize[] = tables.map((table) => ({ table, before: sizesBefore[table] ?? null, after: sizesAfter[table] ?? null }));
  return { ...(rowsCopied !== null && { rowsCopied }), ...(tableSizes.length > 0 && { tableSizes }) };
}

/** A JSON object of numbers from the apply log (rows or bytes per table); anything else reads as empty. */
export function numbersByTable(text: string | null): Record<string, number> {
  try {
    const value: unknown = JSON.parse(text ?? '{}');
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return {};
    return Object.fromEntries(Object.entries(value).filter((entry): entry is [string, number] => Number.isSafeInteger(entry[1]) && (entry[1] as number) >= 0));
  } catch {
    return {};
  }
}
