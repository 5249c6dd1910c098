/**
 * How big a seed will be, known before anything runs, so that a load that cannot fit is refused
 * with one line instead of running for hours and failing at the end (it is one transaction: a
 * failure keeps nothing, but the hours are lost). Rows come from the seed plan itself; bytes from
 * a conservative size per row.
 */
import { statfs } from 'node:fs/promises';
import { dirname } from 'node:path';
import { TABLE_SEEDS, type WorldOptions } from '../../seeds/index.ts';
import { Layout } from '../../seeds/world.ts';
import type { Target } from '../db/open.ts';
import { EcomdbError } from '../errors.ts';

/**
 * Bytes a seeded row takes on disk, heap and indexes together, with room for the load itself.
 * Measured: about 230 bytes per row on PostgreSQL 15 (scale 2: 119,853 rows, 27.6 MB added by
 * pg_database_size); doubled for the WAL of the load and the sorts of the index rebuilds.
 */
export const BYTES_PER_ROW = 500;

/**
 * The SQL-derived tables (reviews, ads) have no estimate of their own: they add about 7 % to the
 * streamed rows (scale 2: 5,562 of 119,853); counted as 10 %.
 */
const DERIVED_SHARE = 1.1;

/**
 * The largest seed ecomdb runs on a server, whose free space it cannot see (PostgreSQL reports
 * the size of a database, not the room left in its tablespace): 100 GB, a seed of hours in one
 * transaction. A larger load wants tools of its own, not a demo seeder.
 */
export const SERVER_CEILING_BYTES = 100 * 2 ** 30;

export interface SeedSize {
  readonly rows: number;
  readonly bytes: number;
}

/** Rows and bytes of a seed with these options; pure, and cheap at any scale. */
export function seedSize(options: WorldOptions): SeedSize {
  const world = { layout: new Layout(options) };
  const streamed = TABLE_SEEDS.reduce((n, s) => n + (s.kind === 'copy' ? s.expected(world) : 0), 0);
  const rows = Math.ceil(streamed * DERIVED_SHARE);
  return { rows, bytes: rows * BYTES_PER_ROW };
}

/** Free bytes of the file system that holds `dir`, or of its nearest existing parent. */
async function freeBytes(dir: string): Promise<{ bytes: number; at: string }> {
  for (let at = dir; ; at = dirname(at)) {
    try {
      const fs = await statfs(at);
      return { bytes: fs.bavail * fs.bsize, at };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || dirname(at) === at) throw error;
    }
  }
}

const GB = 2 ** 30;
const human = (bytes: number) => (bytes >= 1024 * GB ? `${(bytes / 1024 / GB).toFixed(1)} TB` : `${(bytes / GB).toFixed(1)} GB`);

/**
 * Refuse a seed that cannot fit: on the embedded database, more than the free space of its
 * folder's file system; on a server, more than SERVER_CEILING_BYTES. The hint gives the largest
 * scale that fits.
 */
export async function assertSeedFits(target: Target, options: WorldOptions): Promise<SeedSize> {
  const size = seedSize(options);
  const room = target.kind === 'pglite' ? await freeBytes(target.dir) : { bytes: SERVER_CEILING_BYTES, at: null };
  if (size.bytes <= room.bytes) return size;
  const perScale = seedSize({ ...options, scale: 1 }).bytes;
  const fits = Math.floor((room.bytes / perScale) * 10) / 10;
  const where = room.at === null ? `the ${human(room.bytes)} ecomdb seeds on a server at most` : `the ${human(room.bytes)} free on the file system of ${room.at}`;
  throw new EcomdbError('E_SEED_TOO_LARGE', `--scale ${options.scale} would write about ${size.rows.toLocaleString('en-US')} rows (~${human(size.bytes)}), more than ${where}; nothing was written`, {
    hint: fits > 0 ? `use --scale ${fits} or less` : 'free some disk space first',
    details: { rows: size.rows, bytes: size.bytes, roomBytes: room.bytes, maxScale: fits },
  });
}
