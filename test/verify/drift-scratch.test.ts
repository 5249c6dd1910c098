/**
 * The scratch database of verify's drift rule does not outlive the run: SIGINT and SIGTERM drop it
 * before ecomdb exits (130, 143); after a SIGKILL, which cannot be caught, the next run drops it
 * once it is stale (by the age in its name), and leaves alone a younger one and one a session
 * still uses, such as that of a verify running at the same time.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scratchName, SCRATCH_STALE_SECONDS } from '../../src/verify/drift.ts';
import { ecomdb, spawnEcomdb, type CliResult } from '../helpers/cli.ts';
import { createMigratedDatabase, SERVER_URL, urlFor, type TestDatabase } from '../helpers/db.ts';

const DRIFT = ['--only', 'drift', '--format', 'json'];

describe('the scratch database of the drift rule', () => {
  let db: TestDatabase;
  let admin: postgres.Sql;
  beforeAll(async () => {
    db = await createMigratedDatabase('drift_scratch');
    admin = postgres(SERVER_URL, { max: 2, onnotice: () => {} });
  });
  afterAll(async () => {
    await admin?.end();
    await db?.drop();
  });

  const exists = async (name: string) => (await admin`select 1 from pg_database where datname = ${name}`).length > 0;
  const connections = async (name: string) => Number((await admin`select count(*) as n from pg_stat_activity where datname = ${name}`)[0]!.n);
  const serverEpoch = async () => Number((await admin`select extract(epoch from now())::float8 as epoch`)[0]!.epoch);

  /** The scratch database the ecomdb process `pid` made, once it exists; fails if the run ends first. */
  async function scratchOf(pid: number, run: Promise<CliResult>): Promise<string> {
    let ended: CliResult | null = null;
    void run.then((r) => (ended = r));
    for (;;) {
      const [row] = await admin`select datname::text as name from pg_database where datname ~ ${`^ecomdb_drift_[0-9]+_${pid}_`}`;
      if (row) return row.name as string;
      if (ended) throw new Error(`verify ended (${(ended as CliResult).code}) before its scratch database was seen: ${(ended as CliResult).stderr}`);
      await sleep(25);
    }
  }

  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)('%s while it exists: dropped before ecomdb exits with %i', async (signal, status) => {
    const run = spawnEcomdb(['verify', '--url', db.url, ...DRIFT]);
    try {
      const name = await scratchOf(run.child.pid!, run.done);
      run.child.kill(signal);
      const result = await run.done;
      expect(result.code, result.stderr).toBe(status);
      expect(await exists(name)).toBe(false);
    } finally {
      run.child.kill('SIGKILL');
    }
  });

  it('after a SIGKILL: the next run drops it once stale, never a younger one or one in use', async () => {
    const killed = spawnEcomdb(['verify', '--url', db.url, ...DRIFT]);
    const leftover = await scratchOf(killed.child.pid!, killed.done);
    killed.child.kill('SIGKILL');
    expect((await killed.done).code).toBe(-1);
    expect(await exists(leftover)).toBe(true);
    // Its server session ends once the server notices the client is gone.
    while ((await connections(leftover)) > 0) await sleep(25);

    // Aged past the limit, as if it had been left more than an hour ago.
    const now = await serverEpoch();
    const stale = scratchName(now - SCRATCH_STALE_SECONDS - 60, killed.child.pid!, 'dead01');
    await admin.unsafe(`alter database "${leftover}" rename to "${stale}"`);
    // Younger than the limit, no session: a run between its CREATE DATABASE and its first connection.
    const young = scratchName(now, 4_000_001, 'c0ffee');
    // Older than the limit, but a session uses it: a run that has been migrating for an hour.
    const busy = scratchName(now - 2 * SCRATCH_STALE_SECONDS, 4_000_002, 'beef02');
    await admin.unsafe(`create database "${young}"`);
    await admin.unsafe(`create database "${busy}"`);
    const holder = postgres(urlFor(busy), { max: 1, onnotice: () => {} });
    // A verify running at the same time, held still (SIGSTOP) while its scratch database exists.
    const concurrent = spawnEcomdb(['verify', '--url', db.url, ...DRIFT]);
    try {
      await holder`select 1`;
      const theirs = await scratchOf(concurrent.child.pid!, concurrent.done);
      concurrent.child.kill('SIGSTOP');

      const next = await ecomdb(['verify', '--url', db.url, ...DRIFT]);
      expect(next.code, next.stderr).toBe(0);
      expect(await exists(stale)).toBe(false);
      expect(await exists(young)).toBe(true);
      expect(await exists(busy)).toBe(true);
      expect(await exists(theirs)).toBe(true);

      concurrent.child.kill('SIGCONT');
      const resumed = await concurrent.done;
      expect(resumed.code, resumed.stderr).toBe(0);
      expect(await exists(theirs)).toBe(false);
    } finally {
      concurrent.child.kill('SIGCONT');
      concurrent.child.kill('SIGKILL');
      await holder.end();
      for (const name of [stale, young, busy]) await admin.unsafe(`drop database if exists "${name}" with (force)`);
    }
  });
});
