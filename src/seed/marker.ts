/**
 * The marker of an unfinished seed (docs/design.md, 'Loading bare tables, then constraining').
 * A seed of the partitioned layout on a server runs in phases that each commit: while it runs,
 * and after it was killed, the table `ecomdb_seed.state` holds one row naming its phase and the
 * definitions of the keys and indexes it drops. Every command that reads seeded data refuses a
 * database with that row (E_SEED_UNFINISHED); the next `ecomdb seed` empties the seeded tables,
 * restores those definitions and seeds again. The seed drops the schema in its last transaction.
 *
 * Kept apart from load.ts (which imports the generators) so that verify, bench, up and the
 * partition commands can check for it cheaply.
 */
import type { Session } from '../db/types.ts';
import { EcomdbError } from '../errors.ts';

export const MARKER_SCHEMA = 'ecomdb_seed';
export const MARKER = `${MARKER_SCHEMA}.state`;

/** The phases of a phased seed, in order; each is recorded in the marker when it starts. */
export const SEED_PHASES = ['start', 'drop', 'load', 'constrain', 'check'] as const;
export type SeedPhase = (typeof SEED_PHASES)[number];

export interface Marker {
  readonly phase: SeedPhase;
  readonly startedAt: string;
  /** The keys and indexes the seed drops, as SQL that recreates them (see load.ts). */
  readonly definitions: unknown[];
}

/** The marker, or null when no seed is unfinished (no schema, no table or no row). */
export async function readMarker(session: Pick<Session, 'query'>): Promise<Marker | null> {
  const [exists] = await session.query<{ t: string | null }>(`select to_regclass('${MARKER}')::text as t`);
  if (!exists?.t) return null;
  // As text, parsed here: the drivers differ in what they make of jsonb.
  const [row] = await session.query<{ phase: SeedPhase; started_at: string; definitions: string }>(
    `select phase, started_at::text as started_at, definitions::text as definitions from ${MARKER} limit 1`,
  );
  if (!row) return null;
  const definitions: unknown = JSON.parse(row.definitions);
  return { phase: row.phase, startedAt: row.started_at, definitions: Array.isArray(definitions) ? definitions : [] };
}

export function unfinishedSeed(marker: Marker): EcomdbError {
  return new EcomdbError('E_SEED_UNFINISHED', `a seed started at ${marker.startedAt} did not finish (it stopped in its '${marker.phase}' phase): run \`ecomdb seed\` again to clean up and reseed`, {
    hint: 'ecomdb seed (with the scale and seed you want) empties the seeded tables, restores their keys and loads them again',
    details: { phase: marker.phase, startedAt: marker.startedAt },
  });
}

/** Refuse a database whose seed is unfinished: its tables hold a partial load, its keys may be missing. */
export async function assertSeedFinished(session: Pick<Session, 'query'>): Promise<void> {
  const marker = await readMarker(session);
  if (marker) throw unfinishedSeed(marker);
}
