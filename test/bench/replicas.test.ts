/**
 * `ecomdb bench --read-from replicas` on a local read layer (a primary and two physical standbys,
 * built by `ecomdb replica up --local`; needs root or the postgres OS user): the primary is
 * seeded, the reads go through the router, and a standby stopped in the middle of the run is
 * skipped, not fatal. Run alone: it builds its own clusters.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BenchReport } from '../../src/bench/run.ts';
import { DEFAULT_REGIONS, seedOptions } from '../../src/cli/flags.ts';
import { openPostgres } from '../../src/db/postgres.ts';
import { MIGRATIONS_DIR } from '../../src/generate/run.ts';
import { readMigrations } from '../../src/migrations/files.ts';
import { nodeUrl, stopNode } from '../../src/replica/local.ts';
import { seedDatabase } from '../../src/seed/load.ts';
import { spawnEcomdb } from '../helpers/cli.ts';
import { buildLab, waitFor, type TestLab } from '../replica/lab.ts';

let lab: TestLab;

beforeAll(async () => {
  lab = await buildLab(54460, { sample: false });
  const db = await openPostgres(nodeUrl(lab.state(), 'primary'));
  try {
    await seedDatabase(db, readMigrations(MIGRATIONS_DIR), seedOptions({ scale: '1', seed: '1', regions: DEFAULT_REGIONS.join(','), days: '180', check: true }));
  } finally {
    await db.close();
  }
  // Both standbys have replayed the seed before the bench reads from them.
  const [primaryLsn] = await lab.sql('primary')<{ lsn: string }[]>`select pg_current_wal_lsn()::text as lsn`;
  for (const standby of ['standby1', 'standby2']) {
    await waitFor(`${standby} to replay the seed`, async () => {
      const [r] = await lab.sql(standby)<{ caught: boolean }[]>`select pg_last_wal_replay_lsn() >= ${primaryLsn!.lsn}::pg_lsn as caught`;
      return r!.caught;
    }, 120_000);
  }
}, 300_000);

afterAll(async () => {
  await lab?.teardown();
}, 120_000);

/** Error codes that mean a node went away (the router should have kept them from the bench). */
const CONNECTION_ERROR = /^(SQLSTATE (08|57P0)|ECONN|EPIPE|ETIMEDOUT|EHOSTUNREACH|CONNECT|CONNECTION_)/;

describe('ecomdb bench --read-from replicas (acceptance 3)', () => {
  it('a standby stopped during the run is skipped, not fatal: exit 0, its reads went elsewhere, the check passed', async () => {
    const state = lab.state();
    const { child, done } = spawnEcomdb(
      ['bench', '--url', nodeUrl(state, 'primary'), '--read-from', 'replicas', '--replica', nodeUrl(state, 'standby1'), '--replica', nodeUrl(state, 'standby2'), '--time', '10', '--clients', '4', '--json'],
      { killAfterMs: 120_000 },
    );
    let stderr = '';
    // Two progress lines: the run is well under way, with reads on both standbys.
    await new Promise<void>((resolve) => {
      child.stderr!.on('data', (d: Buffer) => {
        stderr += d.toString();
        if ((stderr.match(/calls\/s/g) ?? []).length >= 2) resolve();
      });
      child.on('close', () => resolve());
    });
    expect(await stopNode(state, 'standby2')).toBe(true);
    const run = await done;
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as BenchReport;
    expect(report.options.readFrom).toBe('replicas');
    expect(report.replicas).toHaveLength(2);
    expect(report.replicas![0]!.healthy).toBe(true);
    expect(report.replicas![1]!.healthy).toBe(false);
    expect(Object.keys(report.errors).filter((code) => CONNECTION_ERROR.test(code))).toEqual([]);
    const reads = report.operations.filter((o) => o.readOnly);
    expect(reads.find((o) => o.operation === 'searchProducts')!.ok).toBeGreaterThan(0);
    expect(reads.find((o) => o.operation === 'productPage')!.ok).toBeGreaterThan(0);
    expect(report.check!.passed).toBe(true);
  });
});
