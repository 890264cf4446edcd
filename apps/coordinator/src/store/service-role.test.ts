import { describe, expect, it } from 'vitest';
import { openStore } from './store.js';
import { createTestDatabase } from './test-store.js';

/** Several replicas started at once on one fresh database: every one of them comes up. */
describe.skipIf(!process.env.DATABASE_URL)('replicas starting together (PostgreSQL)', () => {
  it('all open the store: migrations and the service role are set up one replica at a time', async () => {
    for (let round = 0; round < 3; round++) {
      const database = await createTestDatabase('pg');
      try {
        const opened = await Promise.allSettled(Array.from({ length: 6 }, () => openStore({ databaseUrl: database.url, dataDir: 'memory://' })));
        for (const result of opened) if (result.status === 'fulfilled') await result.value.close();
        expect(opened.filter((result) => result.status === 'rejected').map((result) => String((result as PromiseRejectedResult).reason))).toEqual([]);
      } finally {
        await database.drop();
      }
    }
  }, 120_000);
});
