/**
 * npm run bench:rls-calls — the cost of naming the role and user, call by call, without the
 * noise of a concurrent mix: one client calls three reads (a buyer's order history, an anonymous
 * catalogue search, a BI ranking) one at a time, cycling through the ways of running them so
 * that a shared machine's load falls on all alike: as the owner (no row-level security);
 * `await`ing the settings in postgres.js's transaction (how asUser first ran: BEGIN, set_config,
 * the read, COMMIT, four round trips); `begin`, the settings queued with the read in
 * postgres.js's transaction (how asUser ran next: BEGIN and COMMIT still awaited, three);
 * asUser (BEGIN and the settings queued with the read, COMMIT awaited: two); asUser with
 * `readOnly` (COMMIT queued ahead of the connection's next statement: the read's round trip
 * alone); and a role session (openRoleSession: the user set in the read's round trip, no
 * transaction). Prints each read's median and p95 per way, and its p95 over the owner's. Not a test.
 *
 * Options: --scale N (default 1), --calls N per read and way (400), --keep.
 */
import { parseArgs } from 'node:util';
import { sql as dsql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import { asUser, openRoleSession, orderHistory, refreshBiViews, searchProducts, storeSalesRanking, type AccessDb, type Acting } from '../src/access/index.ts';
import { dbRole } from '../schema/security.ts';
import type { SiteId } from '../schema/values.ts';
import { DEFAULT_REGIONS, seedOptions } from '../src/cli/flags.ts';
import { openPostgres, postgresClient } from '../src/db/postgres.ts';
import { MIGRATIONS_DIR } from '../src/generate/run.ts';
import { readMigrations } from '../src/migrations/files.ts';
import { seedDatabase } from '../src/seed/load.ts';
import { admin, dropAll, freshDatabase } from './server.ts';
import { log, median, percentile } from './stats.ts';

const { values } = parseArgs({ options: { scale: { type: 'string', default: '1' }, calls: { type: 'string', default: '400' }, keep: { type: 'boolean', default: false } } });
const CALLS = Number(values.calls);

type Way = 'owner' | 'awaited' | 'begin' | 'asUser' | 'readOnly' | 'session';
const WAYS: Way[] = ['owner', 'awaited', 'begin', 'asUser', 'readOnly', 'session'];

/** asUser as it was: the settings awaited on their own round trip. */
async function awaited<T>(db: AccessDb, acting: Acting, work: (tx: AccessDb) => Promise<T>): Promise<T> {
  return db.transaction(async (tx) => {
    await tx.execute(dsql`SELECT pg_catalog.set_config('role', ${dbRole(acting.role)}, true), pg_catalog.set_config('ecomdb.user_id', ${acting.userId === undefined ? '' : String(acting.userId)}, true)`);
    return work(tx as unknown as AccessDb);
  });
}

/** asUser as it ran next: the settings queued ahead of the work, in postgres.js's transaction (BEGIN and COMMIT awaited). */
async function queuedInBegin<T>(db: AccessDb, acting: Acting, work: (tx: AccessDb) => Promise<T>): Promise<T> {
  return db.transaction(async (tx) => {
    const client = (tx as unknown as { session: { client: { unsafe(text: string, params: string[]): { execute(): unknown } & PromiseLike<unknown> } } }).session.client;
    const settings = client.unsafe(`SELECT pg_catalog.set_config('role', $1, true), pg_catalog.set_config('ecomdb.user_id', $2, true)`, [dbRole(acting.role), acting.userId === undefined ? '' : String(acting.userId)]);
    settings.execute();
    const done = Promise.resolve(settings);
    done.catch(() => {});
    const result = await work(tx as unknown as AccessDb);
    await done;
    return result;
  });
}

async function main(): Promise<void> {
  const os = await import('node:os');
  log(`load average ${os.loadavg()[0]!.toFixed(1)} on ${os.cpus().length} cores`);
  const url = await freshDatabase('bench_rls_calls');
  const db0 = await openPostgres(url);
  try {
    log(`seed, scale ${values.scale}`);
    await seedDatabase(db0, readMigrations(MIGRATIONS_DIR), seedOptions({ scale: values.scale!, seed: '1', regions: DEFAULT_REGIONS.join(','), days: '180', check: false }));
  } finally {
    await db0.close();
  }
  const owner = postgresClient(url, { max: 1, idle_timeout: 0 });
  const buyerClient = postgresClient(url, { max: 1, idle_timeout: 0 });
  const biClient = postgresClient(url, { max: 1, idle_timeout: 0 });
  try {
    await owner.unsafe('VACUUM (ANALYZE)');
    const db = drizzle(owner) as unknown as AccessDb;
    await refreshBiViews(db, { concurrently: false });
    const [buyer] = await owner<{ region: string; id: string }[]>`SELECT region, buyer_id AS id FROM order_processing.orders GROUP BY 1, 2 ORDER BY count(*) DESC LIMIT 1`;
    const region = buyer!.region as SiteId;
    const buyerId = Number(buyer!.id);
    const sessions = { user: await openRoleSession(drizzle(buyerClient) as unknown as AccessDb, 'user'), bi_analyst: await openRoleSession(drizzle(biClient) as unknown as AccessDb, 'bi_analyst') };
    const reads: { name: string; acting: Acting; run: (db: AccessDb) => Promise<unknown> }[] = [
      { name: 'orderHistory', acting: { role: 'user', userId: buyerId }, run: (d) => orderHistory(d, { region, buyerId }) },
      { name: 'searchProducts', acting: { role: 'user' }, run: (d) => searchProducts(d, { region, words: 'celular' }) },
      { name: 'storeSalesRanking', acting: { role: 'bi_analyst' }, run: (d) => storeSalesRanking(d, { region }) },
    ];
    const call = (way: Way, r: (typeof reads)[number]) => {
      switch (way) {
        case 'owner': return r.run(db);
        case 'awaited': return awaited(db, r.acting, r.run);
        case 'begin': return queuedInBegin(db, r.acting, r.run);
        case 'asUser': return asUser(db, r.acting, r.run);
        case 'readOnly': return asUser(db, r.acting, r.run, { readOnly: true });
        case 'session': return sessions[r.acting.role as 'user' | 'bi_analyst'].run(r.acting.userId, r.run);
      }
    };
    const times = new Map<string, number[]>();
    // Warm up every way (plans, caches), then measure, rotating the order of the ways each round.
    for (let i = 0; i < 20; i++) for (const r of reads) for (const w of WAYS) await call(w, r);
    log(`${CALLS} calls per read and way, buyer ${buyerId} of ${region}`);
    for (let i = 0; i < CALLS; i++) {
      for (const r of reads) {
        for (let k = 0; k < WAYS.length; k++) {
          const w = WAYS[(i + k) % WAYS.length]!;
          const t0 = performance.now();
          await call(w, r);
          const ms = performance.now() - t0;
          const key = `${r.name} ${w}`;
          (times.get(key) ?? times.set(key, []).get(key)!).push(ms);
        }
      }
    }
    const fmt = (x: number) => (x >= 10 ? x.toFixed(1) : x.toFixed(2));
    const lines = [`| read | ${WAYS.map((w) => `${w} p50 / p95 (ms)`).join(' | ')} | p95 / owner: ${WAYS.slice(1).join(', ')} |`, `|---|${WAYS.map(() => '---').join('|')}|---|`];
    for (const r of reads) {
      const p95 = (w: Way) => percentile(times.get(`${r.name} ${w}`)!, 95);
      lines.push(`| ${r.name} | ${WAYS.map((w) => `${fmt(median(times.get(`${r.name} ${w}`)!))} / ${fmt(p95(w))}`).join(' | ')} | ${WAYS.slice(1).map((w) => fmt(p95(w) / p95('owner'))).join(', ')} |`);
    }
    process.stdout.write(`${lines.join('\n')}\n\n(load average ${os.loadavg()[0]!.toFixed(1)} at the end)\n`);
  } finally {
    await Promise.all([owner, buyerClient, biClient].map((c) => c.end({ timeout: 5 })));
  }
}

try {
  await main();
} finally {
  if (values.keep) await admin.end({ timeout: 2 });
  else await dropAll(log);
}
