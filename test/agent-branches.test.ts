import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agent, bundleFile, makeWorkspace, query, target, writeMigrations, type Workspace } from '../apps/edge-agent/test-support/fixtures.js';

const revision = (id: string, parent: string | string[] | null, up: string, down: string) => `export default {
  id: '${id}', parent: ${JSON.stringify(parent)}, message: '${id}',
  up(op) { ${up} },
  down(op) { ${down} },
};
`;

let ws: Workspace;
let bundle: string;

beforeAll(async () => {
  ws = makeWorkspace();
  const dir = writeMigrations(ws, 'migrations', {
    'base.mjs': revision('base_0001', null, "op.createTable('notes', [{ name: 'id', type: 'INTEGER', primaryKey: true }, { name: 'body', type: 'TEXT' }]);", "op.dropTable('notes');"),
    'tags.mjs': revision('tags_0002', 'base_0001', "op.addColumn('notes', 'tag', 'TEXT');", "op.dropColumn('notes', 'tag');"),
    'pins.mjs': revision('pins_0002', 'base_0001', "op.createTable('pins', [{ name: 'note_id', type: 'INTEGER', references: { table: 'notes', column: 'id', onDelete: 'CASCADE' } }]);", "op.dropTable('pins');"),
    'merge.mjs': revision('merge_0003', ['pins_0002', 'tags_0002'], "op.createIndex('notes_by_tag', 'notes', ['tag']);", "op.dropIndex('notes_by_tag');"),
  });
  bundle = await bundleFile(ws, 'notes.mbundle', dir, { sequence: 1 });
});
afterAll(() => ws.cleanup());

describe('a branched revision graph', () => {
  it('records several heads after a partial upgrade, reports them joined by ",", and merges on', () => {
    const db = ws.path('notes.db');
    expect(agent(['upgrade', 'tags_0002', ...target(ws, db, bundle), '--no-backup']).code).toBe(0);
    const second = agent(['upgrade', 'pins', ...target(ws, db, bundle), '--no-backup', '--json']);
    expect(second.code, second.stderr).toBe(0);
    expect(JSON.parse(second.stdout)).toMatchObject({ from: 'tags_0002', revisions: ['pins_0002'] });
    const current = JSON.parse(agent(['current', '--db', db, '--json']).stdout);
    expect(current.heads.sort()).toEqual(['pins_0002', 'tags_0002']);
    expect(current.revision.split(',').sort()).toEqual(['pins_0002', 'tags_0002']);
    expect(agent(['check', ...target(ws, db, bundle)]).code).toBe(0);
    const merged = JSON.parse(agent(['upgrade', ...target(ws, db, bundle), '--no-backup', '--json']).stdout);
    expect(merged).toMatchObject({ outcome: 'applied', to: 'merge_0003', revisions: ['merge_0003'] });
    expect(query(db, 'SELECT revision FROM godwit_heads')).toEqual([{ revision: 'merge_0003' }]);
    const down = JSON.parse(agent(['downgrade', '-1', ...target(ws, db, bundle), '--no-backup', '--json']).stdout);
    expect(down.to.split(',').sort()).toEqual(['pins_0002', 'tags_0002']);
  });

  it('resolves unique prefixes and refuses short or unknown targets as usage errors', () => {
    const db = ws.path('prefix.db');
    expect(agent(['upgrade', 'bas', ...target(ws, db, bundle), '--no-backup']).code).toBe(2);
    expect(agent(['upgrade', 'nope_9999', ...target(ws, db, bundle), '--no-backup']).code).toBe(2);
    expect(agent(['upgrade', 'base_', ...target(ws, db, bundle), '--no-backup']).code).toBe(0);
    expect(JSON.parse(agent(['current', '--db', db, '--json']).stdout).revision).toBe('base_0001');
  });
});
