import { describe, expect, it } from 'vitest';
import type { Operations } from './operation.js';
import { OperationError, recordOperations } from './recorder.js';

/** Calls `fn` through the recorder and returns the error it throws. */
function recordingError(fn: (op: Operations) => void, context = { revision: 'a1b2c3d4e5f6', file: 'a1b2_x.ts', direction: 'up' as const }): OperationError {
  try {
    recordOperations(fn, context);
  } catch (error) {
    expect(error).toBeInstanceOf(OperationError);
    return error as OperationError;
  }
  throw new Error('expected the recorder to refuse');
}

describe('recordOperations', () => {
  it('records every operation of the contract as plain data, in call order', () => {
    const ops = recordOperations((op) => {
      op.execute("UPDATE events SET status = 'new'");
      op.createTable(
        'events',
        [
          { name: 'id', type: 'INTEGER', primaryKey: true, autoincrement: true },
          { name: 'device', type: 'TEXT', notNull: true, references: { table: 'devices', column: 'id', onDelete: 'CASCADE' } },
          { name: 'status', type: 'TEXT', default: "'pending'", collate: 'NOCASE', check: "status <> ''" },
        ],
        { constraints: ['UNIQUE (device, status)'], strict: true },
      );
      op.dropTable('old');
      op.renameTable('a', 'b');
      op.addColumn('events', 'at', 'INTEGER', { notNull: true, default: '(unixepoch())' });
      op.dropColumn('events', 'at');
      op.renameColumn('events', 'status', 'state');
      op.alterColumn('events', 'price', { type: 'INTEGER', default: null, using: 'CAST(price AS INTEGER)' });
      op.createIndex('events_state', 'events', ['state', 'lower(device)'], { unique: true, where: 'state IS NOT NULL' });
      op.dropIndex('events_state');
      op.addCheck('events', 'positive', 'price > 0');
      op.dropCheck('events', 'positive');
      op.addForeignKey('events', 'fk_device', ['device'], 'devices', ['id'], { onDelete: 'SET NULL', onUpdate: 'NO ACTION' });
      op.dropForeignKey('events', 'fk_device');
    });
    expect(ops).toEqual([
      { kind: 'execute', sql: "UPDATE events SET status = 'new'" },
      {
        kind: 'createTable',
        table: 'events',
        columns: [
          { name: 'id', type: 'INTEGER', primaryKey: true, autoincrement: true },
          { name: 'device', type: 'TEXT', notNull: true, references: { table: 'devices', column: 'id', onDelete: 'CASCADE' } },
          { name: 'status', type: 'TEXT', default: "'pending'", collate: 'NOCASE', check: "status <> ''" },
        ],
        options: { constraints: ['UNIQUE (device, status)'], strict: true },
      },
      { kind: 'dropTable', table: 'old' },
      { kind: 'renameTable', from: 'a', to: 'b' },
      { kind: 'addColumn', table: 'events', column: { name: 'at', type: 'INTEGER', notNull: true, default: '(unixepoch())' } },
      { kind: 'dropColumn', table: 'events', column: 'at' },
      { kind: 'renameColumn', table: 'events', from: 'status', to: 'state' },
      { kind: 'alterColumn', table: 'events', column: 'price', changes: { type: 'INTEGER', default: null, using: 'CAST(price AS INTEGER)' } },
      { kind: 'createIndex', name: 'events_state', table: 'events', columns: ['state', 'lower(device)'], unique: true, where: 'state IS NOT NULL' },
      { kind: 'dropIndex', name: 'events_state' },
      { kind: 'addCheck', table: 'events', name: 'positive', expr: 'price > 0' },
      { kind: 'dropCheck', table: 'events', name: 'positive' },
      {
        kind: 'addForeignKey',
        table: 'events',
        name: 'fk_device',
        columns: ['device'],
        refTable: 'devices',
        refColumns: ['id'],
        onDelete: 'SET NULL',
        onUpdate: 'NO ACTION',
      },
      { kind: 'dropForeignKey', table: 'events', name: 'fk_device' },
    ]);
  });

  it('returns copies: changing the caller’s objects afterwards changes nothing, and no undefined keys appear', () => {
    const columns = [{ name: 'id', type: 'INTEGER', notNull: undefined }];
    const constraints = ['CHECK (id > 0)'];
    const ops = recordOperations((op) => op.createTable('t', columns, { constraints }));
    columns[0]!.name = 'changed';
    constraints.push('UNIQUE (id)');
    expect(ops).toEqual([{ kind: 'createTable', table: 't', columns: [{ name: 'id', type: 'INTEGER' }], options: { constraints: ['CHECK (id > 0)'] } }]);
    expect(Object.keys((ops[0] as { columns: object[] }).columns[0]!)).toEqual(['name', 'type']);
    expect(recordOperations((op) => op.createIndex('i', 't', ['a']))).toEqual([{ kind: 'createIndex', name: 'i', table: 't', columns: ['a'], unique: false }]);
  });

  it('normalizes foreign-key actions to upper case', () => {
    const ops = recordOperations((op) => {
      op.addColumn('t', 'p', 'INTEGER', { references: { table: 'p', column: 'id', onDelete: 'set  null' as never, onUpdate: 'cascade' as never } });
      op.addForeignKey('t', 'fk', ['p'], 'p', ['id'], { onDelete: 'Set Default' as never });
    });
    expect(ops[0]).toMatchObject({ column: { references: { onDelete: 'SET NULL', onUpdate: 'CASCADE' } } });
    expect(ops[1]).toMatchObject({ onDelete: 'SET DEFAULT' });
  });

  it('refuses an unknown option key, naming the revision, the operation and the key', () => {
    const error = recordingError((op) => op.addColumn('events', 'status', 'TEXT', { notnull: true } as never));
    expect(error.code).toBe('unknown-option');
    expect(error.operation).toBe('addColumn');
    expect(error.key).toBe('notnull');
    expect(error.message).toContain('revision a1b2c3d4e5f6');
    expect(error.message).toContain('a1b2_x.ts');
    expect(error.message).toContain('op.addColumn');
    expect(error.message).toContain('"notnull"');
    expect(error.message).toContain('did you mean "notNull"');
  });

  it('refuses unknown keys in columns, references, table, alter, index and foreign-key options', () => {
    const cases: [(op: Operations) => void, string][] = [
      [(op) => op.createTable('t', [{ name: 'a', type: 'TEXT', nullable: true } as never]), 'nullable'],
      [(op) => op.createTable('t', [{ name: 'a', type: 'TEXT', references: { table: 'p', column: 'id', ondelete: 'CASCADE' } } as never]), 'ondelete'],
      [(op) => op.createTable('t', [{ name: 'a', type: 'TEXT' }], { strictly: true } as never), 'strictly'],
      [(op) => op.alterColumn('t', 'a', { nullable: false } as never), 'nullable'],
      [(op) => op.createIndex('i', 't', ['a'], { partial: 'a > 0' } as never), 'partial'],
      [(op) => op.addForeignKey('t', 'fk', ['a'], 'p', ['id'], { on_delete: 'CASCADE' } as never), 'on_delete'],
    ];
    for (const [fn, key] of cases) {
      const error = recordingError(fn);
      expect(error.code).toBe('unknown-option');
      expect(error.key).toBe(key);
    }
  });

  it('refuses empty names, non-arrays, empty arrays and wrongly typed values', () => {
    const cases: [(op: Operations) => void, string][] = [
      [(op) => op.dropTable(''), 'name'],
      [(op) => op.dropTable('   '), 'name'],
      [(op) => op.renameTable('a', undefined as never), 'to'],
      [(op) => op.createTable('t', 'id INTEGER' as never), 'columns'],
      [(op) => op.createTable('t', []), 'columns'],
      [(op) => op.createTable('t', [{ name: 'a' } as never]), 'columns[0].type'],
      [(op) => op.createTable('t', [{ name: 'a', type: 'TEXT', notNull: 'yes' } as never]), 'columns[0].notNull'],
      [(op) => op.createTable('t', [{ name: 'a', type: 'TEXT' }, { name: 'A', type: 'TEXT' }]), 'columns'],
      [(op) => op.addColumn('t', 'a', 'TEXT', { default: 0 } as never), 'default'],
      [(op) => op.addColumn('t', 'a', 'TEXT', { references: { table: 'p', column: 'id', onDelete: 'DELETE' } } as never), 'references.onDelete'],
      [(op) => op.alterColumn('t', 'a', {}), 'changes'],
      [(op) => op.createIndex('i', 't', []), 'columns'],
      [(op) => op.addForeignKey('t', 'fk', ['a', 'b'], 'p', ['id']), 'refColumns'],
      [(op) => op.execute('   '), 'sql'],
      [(op) => op.execute("UPDATE t SET a = 'unterminated"), 'sql'],
    ];
    for (const [fn, key] of cases) {
      const error = recordingError(fn);
      expect(error.code, key).toBe('invalid-argument');
      expect(error.key).toBe(key);
    }
  });

  it('refuses SQL that controls the transaction or the foreign_keys pragma', () => {
    const forbidden = [
      'BEGIN',
      'begin immediate transaction',
      'COMMIT',
      'END TRANSACTION',
      'ROLLBACK',
      'SAVEPOINT s1',
      'RELEASE s1',
      'PRAGMA foreign_keys = OFF',
      'pragma main.foreign_keys=1',
      'VACUUM',
      "UPDATE t SET a = 1; COMMIT; UPDATE t SET a = 2",
      '/* comment */ -- line\n  commit',
    ];
    for (const sql of forbidden) {
      const error = recordingError((op) => op.execute(sql));
      expect(error.code, sql).toBe('transaction-control');
      expect(error.message).toContain('the engine owns the transaction');
    }
  });

  it('allows statements that only mention those words', () => {
    const allowed = [
      "UPDATE jobs SET state = 'BEGIN' WHERE note = 'COMMIT; ROLLBACK'",
      'CREATE TRIGGER t_ai AFTER INSERT ON t BEGIN UPDATE t SET n = CASE WHEN n > 0 THEN n ELSE 0 END; SELECT RAISE(ROLLBACK, \'no\') WHERE 0; END; UPDATE t SET n = 1',
      'INSERT OR ROLLBACK INTO t VALUES (1)',
      'SELECT "commit", [begin] FROM t',
      'PRAGMA foreign_key_check',
      'PRAGMA defer_foreign_keys = ON',
    ];
    for (const sql of allowed) {
      expect(recordOperations((op) => op.execute(sql))).toEqual([{ kind: 'execute', sql }]);
    }
  });

  it('refuses an async up, whose operations after an await would be lost', async () => {
    const error = recordingError((async (op: Operations) => {
      await Promise.resolve();
      op.dropTable('t');
    }) as never);
    expect(error.code).toBe('async-revision');
    expect(error.message).toContain('up must be synchronous');
  });

  it('hands the revision a frozen facade', () => {
    recordOperations((op) => {
      expect(Object.isFrozen(op)).toBe(true);
    });
  });
});

describe('unnamed constraints and removed collations', () => {
  it('records constraints known by what they are, unnamed additions and collate: null', () => {
    const ops = recordOperations((op) => {
      op.addCheck('events', null, 'price > 0');
      op.dropCheck('events', { expr: 'price > 0' });
      op.addUnique('events', null, ['device', 'state']);
      op.dropUnique('events', { columns: ['state', 'device'] });
      op.dropUnique('events', 'uq_named');
      op.addForeignKey('events', null, ['device'], 'devices', ['id']);
      op.dropForeignKey('events', { columns: ['device'], refTable: 'devices' });
      op.alterColumn('events', 'state', { collate: null });
    });
    expect(ops).toEqual([
      { kind: 'addCheck', table: 'events', name: null, expr: 'price > 0' },
      { kind: 'dropCheck', table: 'events', expr: 'price > 0' },
      { kind: 'addUnique', table: 'events', name: null, columns: ['device', 'state'] },
      { kind: 'dropUnique', table: 'events', columns: ['state', 'device'] },
      { kind: 'dropUnique', table: 'events', name: 'uq_named' },
      { kind: 'addForeignKey', table: 'events', name: null, columns: ['device'], refTable: 'devices', refColumns: ['id'] },
      { kind: 'dropForeignKey', table: 'events', columns: ['device'], refTable: 'devices' },
      { kind: 'alterColumn', table: 'events', column: 'state', changes: { collate: null } },
    ]);
  });

  it('refuses a misspelt match key, an empty column list and a column named twice', () => {
    expect(recordingError((op) => op.dropForeignKey('events', { columns: ['device'], reftable: 'devices' } as never)).code).toBe('unknown-option');
    expect(recordingError((op) => op.dropUnique('events', { columns: [] })).key).toBe('columns');
    expect(recordingError((op) => op.addUnique('events', null, ['a', 'A'])).message).toMatch(/"A" appears twice/);
    expect(recordingError((op) => op.dropCheck('events', {} as never)).key).toBe('expr');
  });
});

describe('generated columns, positions and primary keys', () => {
  it('records them as plain data', () => {
    const ops = recordOperations((op) => {
      op.addColumn('t', 'g', 'TEXT', { generated: { expr: 'a || b', stored: true }, after: 'a' });
      op.alterColumn('t', 'g', { generated: null });
      op.addColumn('t', 'id', 'INTEGER', { primaryKey: true, autoincrement: true, before: 'a' });
      op.addPrimaryKey('t', null, ['a', 'b']);
      op.dropPrimaryKey('t', 'pk');
    });
    expect(ops).toEqual([
      { kind: 'addColumn', table: 't', column: { name: 'g', type: 'TEXT', generated: { expr: 'a || b', stored: true } }, after: 'a' },
      { kind: 'alterColumn', table: 't', column: 'g', changes: { generated: null } },
      { kind: 'addColumn', table: 't', column: { name: 'id', type: 'INTEGER', primaryKey: true, autoincrement: true }, before: 'a' },
      { kind: 'addPrimaryKey', table: 't', name: null, columns: ['a', 'b'] },
      { kind: 'dropPrimaryKey', table: 't', name: 'pk' },
    ]);
  });

  it('refuses what cannot be: two positions, AUTOINCREMENT without the key or on several columns, a generated column with a default or using', () => {
    expect(recordingError((op) => op.addColumn('t', 'c', 'TEXT', { before: 'a', after: 'b' })).message).toMatch(/before or after, not both/);
    expect(recordingError((op) => op.addColumn('t', 'c', 'INTEGER', { autoincrement: true })).message).toMatch(/autoincrement needs primaryKey/);
    expect(recordingError((op) => op.addPrimaryKey('t', null, ['a', 'b'], { autoincrement: true })).message).toMatch(/key of one column/);
    expect(recordingError((op) => op.alterColumn('t', 'c', { generated: { expr: 'a' }, using: 'b' })).message).toMatch(/neither "using" nor a default/);
    expect(recordingError((op) => op.addColumn('t', 'c', 'TEXT', { generated: { expr: 'a', mode: 'virtual' } as never })).key).toBe('mode');
  });
});
