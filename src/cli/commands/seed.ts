/** `ecomdb seed`: load a realistic, consistent, deterministic marketplace, all or nothing. */
import { Command } from 'commander';
import { openTarget } from '../../db/open.ts';
import { readMigrations } from '../../migrations/files.ts';
import { contextOf } from '../context.ts';
import { DEFAULT_REGIONS, MAX_SCALE, SEED_DAYS, seedOptions, type SeedFlags } from '../flags.ts';
import { onInterrupt } from '../../signals.ts';
import { Progress, PROGRESS_MARKER } from '../progress.ts';
import { DEFAULT_JOBS, MAX_JOBS, stopLanes } from '../../seed/lanes.ts';

export function seedCommand(): Command {
  return new Command('seed')
    .description('load realistic marketplace data into every table (all or nothing: a failed seed keeps nothing, an interrupted one is refused by every command until seed runs again)')
    .option('--scale <n>', `size: 1 is a demo of ~60k rows; rows grow linearly (at most ${MAX_SCALE}, and what the disk can hold)`, '1')
    .option('--seed <n>', 'random seed: the same seed, scale, regions and --until give identical data', '1')
    .option('--regions <list>', 'comma-separated site ids', DEFAULT_REGIONS.join(','))
    .option('--until <date>', 'end of the simulated history, YYYY-MM-DD from 2000-01-01 to a year from today (default: today, UTC)')
    .option('--days <n>', `days of order history before --until (${SEED_DAYS.min} to ${SEED_DAYS.max})`, '180')
    .option('--truncate', 'empty the seeded tables first (reference rows stay)')
    .option('--no-check', 'skip the business consistency checks before commit')
    .option(
      '--partitioned-keys <how>',
      'keys of partitioned tables: auto (on a server, load in phases that each commit; embedded, rebuild them in the one transaction when that fits in half of the lock table), or one transaction that must rebuild them after the load (locks every partition) or keep them during it (checked row by row, slow)',
      'auto',
    )
    .option('--jobs <n>', `lanes on a server, 1 to ${MAX_JOBS} (default ${DEFAULT_JOBS} on the partitioned layout, 1 on plain tables, which then load in one transaction): tables generated and loaded by that many threads, keys rebuilt over that many sessions; the embedded database always loads on one`)
    .addHelpText(
      'after',
      `
Examples:
  $ ecomdb seed                                   # the embedded database, scale 1
  $ ecomdb seed --url postgres://postgres@localhost/shop --scale 80 --seed 7
  $ ecomdb seed --regions MLA,MLU --truncate --json

A seed that cannot fit (more rows than the free space of the embedded database's folder, or
than ecomdb loads into a server) is refused before anything runs. When stderr is not a terminal,
a progress line (starting with ${PROGRESS_MARKER}) is printed at most every ECOMDB_PROGRESS_SECONDS (10).

A seed that fails (a refused row, a broken rule) keeps nothing: exit 7, the seeded tables empty.
Interrupted (Ctrl-C, killed), a seed into the embedded database, or into plain tables on a
server with one lane (the default there), leaves the database exactly as it was (one transaction). Otherwise (a
partitioned database, or more than one lane) a server is loaded in phases that each commit;
interrupted, it keeps a marker (ecomdb_seed.state) that makes verify, bench, up, migrate and
partition refuse it (E_SEED_UNFINISHED, exit 19) until ecomdb seed runs again, which cleans up
and reseeds. The same seed gives the same bytes whatever --jobs. (The empty month partitions of the history window are created
first and stay: the layout wants them anyway.)`,
    )
    .action(async (flags: SeedFlags, command: Command) => {
      const { target, migrationsDir, output, env } = contextOf(command);
      const options = seedOptions(flags, { fault: env.seedFault });
      const files = readMigrations(migrationsDir);
      // Loaded on demand: faker and the generators are only needed by this command.
      const { seedDatabase } = await import('../../seed/load.ts');
      const { assertSeedFits } = await import('../../seed/size.ts');
      const size = await assertSeedFits(target, options);
      // Seeding needs a migrated database: a new store would only be refused as unmigrated.
      const db = await openTarget(target, { create: false });
      const progress = new Progress(output, { everyMs: env.progressEveryMs });
      // Leaving mid-load is safe: one transaction never committed, or a marker that the next seed cleans up; say which.
      let phased = false;
      const stopListening = onInterrupt(() => {
        progress.stop();
        output.warn(
          phased
            ? 'interrupted: the seed is unfinished; other commands refuse this database until you run ecomdb seed again, which cleans up and reseeds'
            : 'interrupted: the seed transaction is rolled back, the database is as it was',
        );
      }, stopLanes);
      try {
        output.info(`seeding ${db.label}: scale ${options.scale} (~${size.rows.toLocaleString('en-US')} rows), seed ${options.seed}, regions ${options.regions.join(',')}`);
        const result = await seedDatabase(db, files, {
          ...options,
          ...progress.seedCallbacks(),
          onPhase: (phase) => output.step(phase),
          onPhased: () => (phased = true),
          pauseAt: env.seedPauseAt,
          onPause: (phase) => output.warn(`paused at the ${phase} phase (ECOMDB_SEED_PAUSE_AT)`),
        });
        const rate = Math.round(result.rows / (result.ms / 1000));
        output.success(
          `seeded ${result.rows.toLocaleString('en-US')} rows in ${(result.ms / 1000).toFixed(1)}s (${rate.toLocaleString('en-US')} rows/s); ` +
            `constraints rebuilt in ${(result.constraintsMs / 1000).toFixed(1)}s; ${result.checks.length} consistency checks clean`,
        );
        output.data({ target: db.label, ...options, fault: undefined, ...result });
      } finally {
        stopListening();
        progress.stop();
        await db.close();
      }
    });
}
