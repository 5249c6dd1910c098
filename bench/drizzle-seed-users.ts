/**
 * The drizzle-seed baseline (run by bench/seed.ts in its own process): drizzle-seed 0.3.1 fills
 * user_management.users of the same schema with N rows, refined so that its values pass our
 * CHECKs. Only users: every other region-scoped table has a composite foreign key
 * (region, parent_id), which drizzle-seed fills column by column and so breaks; it also ignores
 * two-column primary keys (docs/design.md, 'drizzle-seed, the baseline'). Prints one JSON line:
 * rows, ms, peak RSS.
 */
import { drizzle } from 'drizzle-orm/postgres-js';
import { seed } from 'drizzle-seed';
import postgres from 'postgres';
import { users } from '../schema/index.ts';

const [url, count] = [process.argv[2]!, Number(process.argv[3] ?? 100_000)];
const sql = postgres(url, { onnotice: () => {} });
// A real argon2id hash (low cost) of `fixture password`, the same for every row.
const hash = '$argon2id$v=19$m=64,p=1,t=1$ZWNvbWRiLWZpeHR1cmUtMQ$HADeydS3OldCnzbTgLt7qfm29N2MLswiq6+jXMwZ0fA';
const started = Date.now();
await seed(drizzle(sql), { users }, { count, seed: 1 }).refine((f) => ({
  users: {
    columns: {
      region: f.valuesFromArray({ values: ['MLB', 'MLA', 'MLM', 'MCO'] }),
      roleId: f.valuesFromArray({ values: [1, 2] }),
      name: f.fullName(),
      email: f.email(),
      passwordHash: f.valuesFromArray({ values: [hash] }),
      phone: f.valuesFromArray({ values: ['+5511987654321', '+5491123456789'] }),
      birthDate: f.date({ minDate: '1950-01-01', maxDate: '2005-12-31' }),
      status: f.valuesFromArray({ values: ['active', 'suspended', 'closed'] }),
    },
  },
}));
const ms = Date.now() - started;
const [row] = await sql<{ n: number }[]>`select count(*)::int as n from user_management.users`;
await sql.end();
console.log(JSON.stringify({ rows: row!.n, ms, peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024) }));
