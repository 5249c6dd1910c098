import { defineConfig } from 'drizzle-kit';

/**
 * drizzle-kit reads the schema and writes SQL migrations into migrations/. Only `generate` is
 * used: `push` and `pull` do not understand partitioned tables (docs/design.md, 'drizzle-kit'). Never run them.
 * Output folder can be redirected (the staleness test generates into a temporary copy).
 */
export default defineConfig({
  dialect: 'postgresql',
  schema: './schema/index.ts',
  out: process.env.ECOMDB_MIGRATIONS_OUT ?? './migrations',
  breakpoints: true,
  strict: true,
});
