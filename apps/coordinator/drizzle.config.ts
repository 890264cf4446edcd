import { defineConfig } from 'drizzle-kit';

// Migrations are generated from the table definitions in @godwit/schema; RLS FORCE is appended
// by hand to each generated file (drizzle-kit emits ENABLE and the policies, not FORCE).
export default defineConfig({
  dialect: 'postgresql',
  schema: '../../packages/schema/src/coordinator/index.ts',
  out: './drizzle',
});
