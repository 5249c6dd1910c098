/**
 * npm run bench:seed — how fast ecomdb seeds, against its own ceiling and against drizzle-seed,
 * measured in one run on this machine. Not a test: it prints figures, it asserts nothing.
 *
 *   (a) raw ceiling: the very rows ecomdb produced, pre-rendered to files beforehand, streamed by
 *       COPY into the same layout by the same loading method (one transaction, secondary
 *       constraints dropped and rebuilt) — what the server can take with no generation at all;
 *   (b) ecomdb seed end to end (a child process, as a user runs it), all constraints valid at the
 *       end, without and with the consistency checks;
 *   (c) drizzle-seed 0.3.1 on the same schema (users only: see bench/drizzle-seed-users.ts).
 *   (e) ecomdb seed --no-check into the partitioned layout (`ecomdb partition apply` first) and into
 *       plain tables, in --pairs pairs run one after the other (the machine's other load moves
 *       both alike): the ratio partitioned/plain of the best of each.
 *
 * Options: --scale N (default 84: about 5 million rows), --drizzle-rows N (default 100000),
 * --small-scale N (default 10: a second ecomdb run to show that memory does not grow with scale),
 * --skip-checked (no seed with the consistency checks), --pairs N (default 2: plain and partitioned seeds for the ratio), --jobs N (passed to every
 * `ecomdb seed`; default: seed's own, 2 lanes on a server, which loads plain tables in phases too).
 * The server is BENCH_DATABASE_URL (default the local server as postgres); databases are created
 * and dropped by the bench.
 */
import { spawn } from 'node:child_process';
import { chmodSync, createReadStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import postgres from 'postgres';
import { openPostgres } from '../src/db/postgres.ts';
import { dropAll, freshDatabase, SERVER_SHOWN, urlFor } from './server.ts';
import { loadIntoBareTables, seededTables } from '../src/seed/load.ts';
import { hash } from 'argon2';
import { seededPasswordHashes } from '../seeds/passwords.ts';
import { Layout } from '../seeds/world.ts';
import { SITES } from '../schema/values.ts';
import { PASSWORD_COST } from '../src/access/user-management.ts';
import { DATA_RULES } from '../src/verify/data-rules.ts';

const { values } = parseArgs({
  options: { scale: { type: 'string', default: '84' }, 'drizzle-rows': { type: 'string', default: '100000' }, 'small-scale': { type: 'string', default: '10' }, pairs: { type: 'string', default: '2' }, jobs: { type: 'string' }, 'skip-checked': { type: 'boolean', default: false } },
});
const BIN = fileURLToPath(new URL('../bin/ecomdb.js', import.meta.url));
const UNTIL = '2026-11-01';

function child(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, NO_COLOR: '1' } });
    let out = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`${args.join(' ')} exited ${code}`))));
  });
}

interface Measure {
  label: string;
  rows: number;
  ms: number;
  peakRssMb: number | null;
}

/** A fresh migrated database partitioned as declared (`ecomdb partition apply`, as `ecomdb up` does). */
async function partitionedDatabase(name: string): Promise<string> {
  const url = await freshDatabase(name);
  await child([BIN, 'partition', 'apply', '--url', url]);
  return url;
}

async function ecomdbSeed(label: string, url: string, scale: string, check: boolean): Promise<Measure> {
  process.stderr.write(`\n[bench] ${label}\n`);
  // As the ecomdb executable runs itself (its shebang and the npm scripts pass the heap cap).
  const out = await child(['--max-old-space-size=128', BIN, 'seed', '--url', url, '--scale', scale, '--until', UNTIL, '--json', ...(check ? [] : ['--no-check']), ...(values.jobs === undefined ? [] : ['--jobs', values.jobs])]);
  const r = JSON.parse(out) as { rows: number; ms: number; peakRssMb: number };
  return { label, rows: r.rows, ms: r.ms, peakRssMb: r.peakRssMb };
}

/**
 * Pre-render: every seeded table of `url` to a COPY text file (not timed). The server writes the
 * files itself (COPY TO a file needs a superuser, as the bench's local server user is).
 */
async function dump(url: string, dir: string): Promise<Map<string, string>> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  const files = new Map<string, string>();
  chmodSync(dir, 0o777);
  for (const table of seededTables()) {
    const file = join(dir, `${table.replaceAll('"', '')}.copy`);
    await sql.unsafe(`COPY ${table} TO '${file}'`);
    files.set(table, file);
  }
  await sql.end();
  return files;
}

/** Chunks of a file, split at line ends (a few hundred KB each). */
async function* fileChunks(file: string): AsyncGenerator<string> {
  let rest = '';
  for await (const piece of createReadStream(file, { encoding: 'utf8', highWaterMark: 256 * 1024 })) {
    const text = rest + (piece as string);
    const cut = text.lastIndexOf('\n') + 1;
    rest = text.slice(cut);
    if (cut > 0) yield text.slice(0, cut);
  }
  if (rest) yield rest;
}

async function ceiling(url: string, files: Map<string, string>): Promise<Measure> {
  process.stderr.write('\n[bench] raw ceiling: pre-rendered rows, same COPY, same loading method\n');
  // Read every file into memory first: the ceiling must not pay for disk reads ecomdb does not do.
  const rendered = new Map<string, string[]>();
  for (const [table, file] of files) {
    const chunks: string[] = [];
    for await (const c of fileChunks(file)) chunks.push(c);
    rendered.set(table, chunks);
  }
  const db = await openPostgres(url);
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  const started = Date.now();
  let rows = 0;
  await db.session(async (session) => {
    await session.exec('BEGIN');
    await loadIntoBareTables(session, seededTables(), async () => {
      for (const [table, chunks] of rendered) await session.copyFrom(table, chunks);
    });
    await session.exec('COMMIT');
  });
  const ms = Date.now() - started;
  for (const table of files.keys()) rows += Number((await sql.unsafe(`select count(*) as n from ${table}`))[0]!.n);
  await sql.end();
  await db.close();
  return { label: '(a) raw ceiling: pre-rendered COPY, same method', rows, ms, peakRssMb: null };
}

async function drizzleSeed(url: string, count: string): Promise<Measure> {
  process.stderr.write(`\n[bench] drizzle-seed 0.3.1, users table, ${count} rows\n`);
  const out = await child(['--import', 'tsx', fileURLToPath(new URL('./drizzle-seed-users.ts', import.meta.url)), url, count]);
  const r = JSON.parse(out.trim().split('\n').at(-1)!) as { rows: number; ms: number; peakRssMb: number };
  return { label: '(c) drizzle-seed 0.3.1 (users only)', rows: r.rows, ms: r.ms, peakRssMb: r.peakRssMb };
}

/**
 * (d) The seeded users' argon2id hashes alone, computed as the seed computes them (batches of 512
 * on the threadpool), with no database: the share of the seed that real password hashes cost.
 * And a few hashes at the production cost, to say what seeding at that cost would take.
 */
async function passwordHashes(scale: number): Promise<{ users: number; ms: number; productionMsEach: number }> {
  process.stderr.write('\n[bench] argon2id hashes of the seeded users, no database\n');
  const users = new Layout({ seed: 1, scale, regions: SITES.map((site) => site.id), until: Date.parse(UNTIL), windowDays: 365 }).total('users');
  const started = Date.now();
  for (let from = 0; from < users; from += 512) await seededPasswordHashes(1, from, Math.min(users, from + 512));
  const ms = Date.now() - started;
  const production = Date.now();
  await Promise.all(Array.from({ length: 8 }, (_, i) => hash(`password ${i}`, PASSWORD_COST)));
  return { users, ms, productionMsEach: (Date.now() - production) / 8 };
}

const rate = (m: Measure) => m.rows / (m.ms / 1000);
const dir = mkdtempSync(join(tmpdir(), 'ecomdb-bench-'));
try {
  const scale = values.scale!;
  const noCheck = await ecomdbSeed(`(b) ecomdb seed --scale ${scale} --no-check`, await freshDatabase('ecomdb_bench_seed'), scale, false);
  const withCheck = values['skip-checked'] ? null : await ecomdbSeed(`(b) ecomdb seed --scale ${scale} (with the ${DATA_RULES.length} consistency checks)`, await freshDatabase('ecomdb_bench_seed_checked'), scale, true);
  const pairs: { plain: Measure; partitioned: Measure }[] = [];
  for (let i = 1; i <= Number(values.pairs); i++) {
    const plain = await ecomdbSeed(`(e) pair ${i}: ecomdb seed --scale ${scale} --no-check, plain tables`, await freshDatabase('ecomdb_bench_seed_plain'), scale, false);
    const partitioned = await ecomdbSeed(`(e) pair ${i}: ecomdb seed --scale ${scale} --no-check, partitioned layout`, await partitionedDatabase('ecomdb_bench_seed_partitioned'), scale, false);
    pairs.push({ plain, partitioned });
  }
  const best = (which: 'plain' | 'partitioned') => pairs.map((p) => p[which]).reduce((a, b) => (b.ms < a.ms ? b : a));
  const small = await ecomdbSeed(`ecomdb seed --scale ${values['small-scale']} --no-check (memory at a smaller scale)`, await freshDatabase('ecomdb_bench_seed_small'), values['small-scale']!, false);
  const files = await dump(urlFor('ecomdb_bench_seed'), dir);
  const bytes = [...files.values()].reduce((n, f) => n + statSync(f).size, 0);
  const raw = await ceiling(await freshDatabase('ecomdb_bench_ceiling'), files);
  const baseline = await drizzleSeed(await freshDatabase('ecomdb_bench_drizzle'), values['drizzle-rows']!);
  const hashes = await passwordHashes(Number(scale));

  const rows = [raw, noCheck, ...(withCheck ? [withCheck] : []), ...pairs.flatMap((p) => [p.plain, p.partitioned]), small, baseline];
  console.log(`\nseed benchmark (PostgreSQL at ${SERVER_SHOWN}, ${(bytes / 2 ** 20).toFixed(0)} MB of COPY text, lanes: ${values.jobs ?? 'the default (2 partitioned, 1 plain)'})\n`);
  console.log(`${'method'.padEnd(72)} ${'rows'.padStart(10)} ${'seconds'.padStart(8)} ${'rows/s'.padStart(9)} ${'peak RSS'.padStart(9)}`);
  for (const m of rows) {
    console.log(`${m.label.padEnd(72)} ${m.rows.toLocaleString('en-US').padStart(10)} ${(m.ms / 1000).toFixed(1).padStart(8)} ${Math.round(rate(m)).toLocaleString('en-US').padStart(9)} ${(m.peakRssMb === null ? '-' : `${m.peakRssMb} MB`).padStart(9)}`);
  }
  console.log('');
  console.log(`ecomdb (no checks) / raw ceiling:   ${(rate(noCheck) / rate(raw)).toFixed(2)}  (target >= 2: past the one-connection method)`);
  if (withCheck) console.log(`ecomdb (with checks) / raw ceiling: ${(rate(withCheck) / rate(raw)).toFixed(2)}`);
  console.log(`partitioned / plain (seconds, no checks, best of ${pairs.length} each): ${(best('partitioned').ms / best('plain').ms).toFixed(2)}  (target <= 1.3); pair by pair: ${pairs.map((p) => (p.partitioned.ms / p.plain.ms).toFixed(2)).join(', ')}`);
  console.log(`ecomdb (no checks) / drizzle-seed:  ${(rate(noCheck) / rate(baseline)).toFixed(1)}x (target >= 30x)`);
  if (withCheck) console.log(`ecomdb (with checks) / drizzle-seed: ${(rate(withCheck) / rate(baseline)).toFixed(1)}x`);
  console.log(`ecomdb peak RSS: ${noCheck.peakRssMb} MB at ${noCheck.rows.toLocaleString('en-US')} rows, ${small.peakRssMb} MB at ${small.rows.toLocaleString('en-US')} rows (target < 300 MB)`);
  console.log('drizzle-seed fills users only: our other region-scoped tables have composite foreign keys it cannot satisfy.');
  console.log(
    `(d) argon2id (m=8 KiB, t=1, p=1) of the ${hashes.users.toLocaleString('en-US')} seeded users, no database: ${(hashes.ms / 1000).toFixed(1)} s, ` +
      `${((100 * hashes.ms) / noCheck.ms).toFixed(0)} % of ecomdb seed --no-check (overlapped with the COPY in the seed itself); ` +
      `at the production cost (m=19 MiB, t=2, p=1) ${hashes.productionMsEach.toFixed(0)} ms each with 8 in flight, ~${((hashes.users * hashes.productionMsEach) / 1000).toFixed(0)} s for those users`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
  await dropAll();
}
