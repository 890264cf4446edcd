import type { SchemaDescription } from '../api.ts';

interface SchemaObject {
  key: string;
  text: string;
  /** The whole description, to tell "the same" from "different". */
  json: string;
}

/** One line per schema object, keyed by kind and name: what the two sides are lined up by. */
function objectsOf(schema: SchemaDescription): Map<string, SchemaObject> {
  const entries: [string, string, unknown][] = [
    ...schema.tables.map((t): [string, string, unknown] => [
      `table ${t.name}`,
      `(${t.columns.map((c) => [c.name, c.type, c.notNull ? 'NOT NULL' : '', c.primaryKey > 0 ? 'PRIMARY KEY' : ''].filter(Boolean).join(' ')).join(', ')})`,
      t,
    ]),
    ...schema.indexes.map((i): [string, string, unknown] => [`index ${i.name}`, `${i.unique ? 'unique ' : ''}on ${i.table} (${i.columns.join(', ')})${i.where ? ` where ${i.where}` : ''}`, i]),
    ...schema.triggers.map((t): [string, string, unknown] => [`trigger ${t.name}`, `on ${t.table}`, t]),
    ...schema.views.map((v): [string, string, unknown] => [`view ${v.name}`, '', v]),
    ...schema.virtualTables.map((v): [string, string, unknown] => [`virtual table ${v.name}`, '', v]),
  ];
  return new Map(entries.map(([key, detail, value]) => [key, { key, text: `${key} ${detail}`.trim(), json: JSON.stringify(value) }]));
}

const MARK = {
  'only-live': { text: 'only in the live schema', className: 'diff-added', sign: '+' },
  'only-expected': { text: 'missing from the live schema', className: 'diff-removed', sign: '-' },
  changed: { text: 'different', className: 'diff-changed', sign: '~' },
  same: { text: 'same', className: '', sign: '' },
} as const;

/** The expected schema of the device's revision and the live one it reported, object by object, each difference marked in words and colour. */
export function SchemaSideBySide({ expected, live }: { expected: SchemaDescription; live: SchemaDescription }) {
  const left = objectsOf(expected);
  const right = objectsOf(live);
  const keys = [...new Set([...left.keys(), ...right.keys()])].sort();
  return (
    <table className="schemas" data-testid="schema-side-by-side" aria-label="Expected and live schema side by side">
      <thead>
        <tr>
          <th scope="col">Expected (its revision)</th>
          <th scope="col">Live (reported)</th>
          <th scope="col">Difference</th>
        </tr>
      </thead>
      <tbody>
        {keys.map((key) => {
          const a = left.get(key);
          const b = right.get(key);
          const mark = MARK[!a ? 'only-live' : !b ? 'only-expected' : a.json !== b.json ? 'changed' : 'same'];
          return (
            <tr key={key} className={mark.className}>
              <td>{a ? <code>{a.text}</code> : '—'}</td>
              <td>{b ? <code>{b.text}</code> : '—'}</td>
              <td>{mark.sign ? `${mark.sign} ${mark.text}` : mark.text}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
