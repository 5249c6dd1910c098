/**
 * Scratch databases on a server: made for one run (drift's reference, a rehearsal), named after
 * their age, dropped whatever happens — on success, on failure, on SIGINT/SIGTERM, and, after a
 * SIGKILL, by the next run's sweep of stale ones.
 */
import { randomBytes } from 'node:crypto';
import type { Database, Session } from './types.ts';
import { openPostgres } from './postgres.ts';
import { parseDatabaseUrl, type ConnectionOptions } from './url.ts';
import { quoteIdent } from '../ident.ts';
import { undoOnSignal } from '../signals.ts';

/** A scratch database older than this, with no session connected, was left by an interrupted run. */
export const SCRATCH_STALE_SECONDS = 3600;

/**
 * The name of a new scratch database: `<prefix><epoch>_<pid>_<random>`. Its age is in its name:
 * `epoch` is the server's clock (seconds) when it was made. A name is given atomically with the
 * database, so even a process killed right after CREATE DATABASE leaves a database whose age is
 * known; a COMMENT ON DATABASE would be a second statement (and a window without it), and the age
 * of its directory (pg_stat_file) is readable by superusers only. The server's clock, not ours, so
 * that runs from machines whose clocks disagree judge ages alike. The pid says which process made it.
 */
export function scratchName(prefix: string, epoch: number, pid = process.pid, random = randomBytes(3).toString('hex')): string {
  return `${prefix}${Math.floor(epoch)}_${pid}_${random}`;
}

/**
 * Drop the scratch databases of `prefix` that interrupted runs left behind (killed with SIGKILL,
 * or a machine that went down): older than SCRATCH_STALE_SECONDS by their name and with no
 * session connected. The DROP is without FORCE: a run still using its database (however long it
 * takes) makes it fail, and so does one that connects meanwhile; so do databases of other owners.
 * Those are skipped. Returns the names dropped.
 */
export async function sweepStaleScratch(session: Session, prefix: string): Promise<string[]> {
  const stale = await session.query<{ name: string }>(
    `select d.datname::text as name from pg_database d
      where d.datname ~ ('^' || $2 || '[0-9]+_[0-9]+_[0-9a-f]+$')
        and to_timestamp(substring(d.datname from ('^' || $2 || '([0-9]+)_'))::bigint) < now() - make_interval(secs => $1)
        and not exists (select 1 from pg_stat_activity a where a.datid = d.oid)
      order by 1`,
    [SCRATCH_STALE_SECONDS, prefix],
  );
  const dropped: string[] = [];
  for (const { name } of stale) {
    try {
      await session.exec(`drop database if exists ${quoteIdent(name)}`);
      dropped.push(name);
    } catch {
      // In use after all, or not ours to drop: leave it.
    }
  }
  return dropped;
}

export interface Scratch {
  readonly name: string;
  /** Connection options of the scratch database (the server's, with its name). */
  readonly connection: ConnectionOptions;
  /** Open on the scratch database; closed before the drop. */
  readonly db: Database;
  /** Stale scratch databases of the same prefix dropped before this one was made. */
  readonly swept: readonly string[];
  /**
   * Register what else `work` opened on the scratch database (clients, a monitor): on a signal it
   * is closed before the drop. Returns the remover, to call once it is closed normally.
   */
  closeOnSignal(close: () => Promise<unknown>): () => void;
}

export interface ScratchOptions {
  /** Name prefix, e.g. `ecomdb_drift_`. Only letters, digits and underscores. */
  readonly prefix: string;
  /**
   * How to make it: `create database <name>` by default; `fill` runs right after the CREATE,
   * before the database is opened (a restore that needs it empty, say), under the same cleanup.
   */
  readonly createSql?: (name: string) => string;
  readonly fill?: (connection: ConnectionOptions) => Promise<void>;
}

/**
 * Run `work` on a new scratch database on the server of `url`, dropped afterwards whatever
 * happens. On a signal, the drop waits for the CREATE to finish (a DROP before it would find
 * nothing, and the database would be made right after) and for our own connections to it to
 * close: the server would otherwise cut them in the middle of a write, and postgres.js then
 * throws outside any promise, which ends the process before the DROP is sent.
 */
export async function withScratchDatabase<T>(url: string, options: ScratchOptions, work: (scratch: Scratch) => Promise<T>): Promise<T> {
  const admin = await openPostgres(url);
  try {
    // A sweep that fails (a server that hides pg_stat_activity, say) must not cost the run.
    const swept = await admin.session((s) => sweepStaleScratch(s, options.prefix)).catch(() => [] as string[]);
    const [clock] = await admin.session((s) => s.query<{ epoch: number }>(`select extract(epoch from now())::float8 as epoch`));
    const name = scratchName(options.prefix, clock!.epoch);
    const connection = { ...parseDatabaseUrl(url), database: name };
    const drop = () => admin.session((s) => s.exec(`drop database if exists ${quoteIdent(name)} with (force)`));
    let creating: Promise<unknown> = Promise.resolve();
    let opening: Promise<Database> | null = null;
    const closers = new Set<() => Promise<unknown>>();
    const undo = async () => {
      await creating.catch(() => undefined);
      const scratch = await opening?.catch(() => null);
      await Promise.all([...closers].map((close) => close().catch(() => undefined)));
      await scratch?.close().catch(() => undefined);
      await drop();
    };
    return await undoOnSignal(undo, async () => {
      creating = admin.session((s) => s.exec(options.createSql ? options.createSql(name) : `create database ${quoteIdent(name)}`));
      await creating;
      try {
        if (options.fill) await options.fill(connection);
        opening = openPostgres(connection);
        const db = await opening;
        try {
          const closeOnSignal = (close: () => Promise<unknown>) => {
            closers.add(close);
            return () => void closers.delete(close);
          };
          return await work({ name, connection, db, swept, closeOnSignal });
        } finally {
          await db.close();
        }
      } finally {
        await drop();
      }
    });
  } finally {
    await admin.close();
  }
}
