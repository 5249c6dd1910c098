/**
 * The write/read split of the paper in one place. Writes go to the primary. Reads go to the
 * replicas in turn (round robin), skipping a replica that is down, no longer a standby, or
 * further behind the primary than `maxLagBytes`, and fall back to the primary when no replica is
 * fit. A read that must see the caller's own write (read-your-writes) asks for the primary.
 *
 * Replicas are physical standbys: full copies. A regional read node holds only its sites' rows,
 * so it is not a replica for this router; region-aware code reads it directly.
 *
 * @example
 *   const router = await createRouter({ primary: PRIMARY_URL, replicas: [STANDBY1_URL, STANDBY2_URL] });
 *   await router.write((sql) => sql`insert into ...`);
 *   const rows = await router.read((sql) => sql`select ...`);            // a replica, or the primary
 *   const mine = await router.read((sql) => sql`select ...`, { consistent: true }); // the primary
 *   await router.close();
 */
import type postgres from 'postgres';
import { postgresClient } from '../db/postgres.ts';
import { maskUrl } from '../db/url.ts';
import { errorMessage, isConnectionError, lagBytes, lsnBytes, monitorClient } from './health.ts';

export interface RouterOptions {
  /** The primary's URL: every write, consistent reads, and reads when no replica is fit. */
  readonly primary: string;
  /** The replicas' URLs (physical standbys). */
  readonly replicas: readonly string[];
  /** A replica further behind than this many bytes of WAL gets no reads (default 16 MiB). */
  readonly maxLagBytes?: number;
  /** How often replicas are checked, in ms (default 1000); 0: only when refresh() is called. */
  readonly checkIntervalMs?: number;
  /** Connections per node (default 4). */
  readonly poolSize?: number;
  /** How long to wait for a node to accept a connection (default 2 s). */
  readonly connectTimeoutSeconds?: number;
}

export interface ReplicaHealth {
  /** The replica's URL, password masked. */
  readonly url: string;
  readonly healthy: boolean;
  /** Why it gets no reads, when it gets none. */
  readonly reason: string | null;
  /** Bytes of WAL behind the primary at the last check; null when unknown. */
  readonly lagBytes: number | null;
  /** The WAL position the replica had replayed at the last check (it only moves forward); null when unknown. */
  readonly replayLsn: string | null;
}

export interface ReadOptions {
  /** Read on the primary, to see the caller's own writes. */
  readonly consistent?: boolean;
  /**
   * Read only on a node that has replayed this WAL position (the primary, or a replica whose
   * replay position at the last check was at least this): what a cache refill needs after an
   * invalidation, so that it never brings back the row the invalidating write replaced.
   */
  readonly minLsn?: string;
}

export interface Router {
  /** The primary: the only connection that takes writes. */
  writer(): postgres.Sql;
  /** The next fit replica, or the primary (always for `consistent`). May be a node that went down since the last check: prefer read(). */
  reader(options?: ReadOptions): postgres.Sql;
  /** Run a read on reader(); if its node turns out to be down, mark it and run the read on the next one (reads are safe to retry). */
  read<T>(work: (sql: postgres.Sql) => Promise<T>, options?: ReadOptions): Promise<T>;
  /** Run a write on the primary. Never retried elsewhere. */
  write<T>(work: (sql: postgres.Sql) => Promise<T>): Promise<T>;
  /** Check every replica now. */
  refresh(): Promise<readonly ReplicaHealth[]>;
  /** The result of the last check. */
  health(): readonly ReplicaHealth[];
  close(): Promise<void>;
}

interface Replica {
  readonly url: string;
  readonly sql: postgres.Sql;
  readonly monitor: postgres.Sql;
  health: ReplicaHealth;
}

const DEFAULT_MAX_LAG = 16 * 1024 * 1024;

/** Open pools on every node and check the replicas once before returning. */
export async function createRouter(options: RouterOptions): Promise<Router> {
  const maxLag = options.maxLagBytes ?? DEFAULT_MAX_LAG;
  const pool = (url: string) =>
    postgresClient(url, { max: options.poolSize ?? 4, connectTimeoutSeconds: options.connectTimeoutSeconds ?? 2, idle_timeout: 30 });
  const primary = pool(options.primary);
  const primaryMonitor = monitorClient(options.primary, { connectTimeoutSeconds: options.connectTimeoutSeconds });
  const replicas: Replica[] = options.replicas.map((url) => ({
    url,
    sql: pool(url),
    monitor: monitorClient(url, { connectTimeoutSeconds: options.connectTimeoutSeconds }),
    health: { url: maskUrl(url), healthy: false, reason: 'not checked yet', lagBytes: null, replayLsn: null },
  }));
  let turn = 0;
  let checking: Promise<readonly ReplicaHealth[]> | null = null;

  const markDown = (replica: Replica, error: unknown) => {
    replica.health = { ...replica.health, healthy: false, reason: `down: ${errorMessage(error)}` };
  };

  async function checkReplica(replica: Replica): Promise<{ inRecovery: boolean; replayLsn: string | null } | Error> {
    try {
      const [row] = await replica.monitor<{ in_recovery: boolean; replay_lsn: string | null }[]>`
        select pg_is_in_recovery() as in_recovery, pg_last_wal_replay_lsn()::text as replay_lsn`;
      return { inRecovery: row!.in_recovery, replayLsn: row!.replay_lsn };
    } catch (error) {
      return error instanceof Error ? error : new Error(String(error));
    }
  }

  async function check(): Promise<readonly ReplicaHealth[]> {
    // Replicas first, then the primary: the lag measured can only overstate the real one.
    const facts = await Promise.all(replicas.map(checkReplica));
    let primaryLsn: string | null = null;
    try {
      const [row] = await primaryMonitor<{ lsn: string }[]>`select pg_current_wal_lsn()::text as lsn`;
      primaryLsn = row!.lsn;
    } catch {
      // The primary is down: lag cannot be measured, and a stale replica beats no answer.
    }
    replicas.forEach((replica, i) => {
      const f = facts[i]!;
      const url = maskUrl(replica.url);
      if (f instanceof Error) replica.health = { url, healthy: false, reason: `down: ${errorMessage(f)}`, lagBytes: null, replayLsn: null };
      else if (!f.inRecovery) replica.health = { url, healthy: false, reason: 'not a standby (promoted?)', lagBytes: null, replayLsn: null };
      else {
        const lag = primaryLsn && f.replayLsn ? lagBytes(primaryLsn, f.replayLsn) : null;
        const behind = lag !== null && lag > maxLag;
        replica.health = { url, healthy: !behind, reason: behind ? `lags ${lag} bytes (limit ${maxLag})` : null, lagBytes: lag, replayLsn: f.replayLsn };
      }
    });
    return replicas.map((r) => r.health);
  }

  function refresh(): Promise<readonly ReplicaHealth[]> {
    checking ??= check().finally(() => (checking = null));
    return checking;
  }

  /** Whether the replica had replayed `minLsn` at its last check (then it has now: replay only moves forward). */
  const replayed = (replica: Replica, minLsn: string | undefined) =>
    minLsn === undefined || (replica.health.replayLsn !== null && lsnBytes(replica.health.replayLsn) >= lsnBytes(minLsn));

  /** The next fit replica not in `skip` (and that has replayed `minLsn`), or undefined for the primary. */
  function pick(skip: ReadonlySet<Replica>, minLsn?: string): Replica | undefined {
    const fit = replicas.filter((r) => r.health.healthy && !skip.has(r) && replayed(r, minLsn));
    return fit.length === 0 ? undefined : fit[turn++ % fit.length];
  }

  await refresh();
  const timer = (options.checkIntervalMs ?? 1000) > 0 ? setInterval(() => void refresh(), options.checkIntervalMs ?? 1000) : undefined;
  timer?.unref();

  return {
    writer: () => primary,
    reader: (o = {}) => (o.consistent ? primary : (pick(new Set(), o.minLsn)?.sql ?? primary)),
    async read(work, o = {}) {
      if (o.consistent) return work(primary);
      const tried = new Set<Replica>();
      for (;;) {
        const replica = pick(tried, o.minLsn);
        if (!replica) return work(primary);
        try {
          return await work(replica.sql);
        } catch (error) {
          if (!isConnectionError(error)) throw error;
          markDown(replica, error);
          tried.add(replica);
        }
      }
    },
    write: (work) => work(primary),
    refresh,
    health: () => replicas.map((r) => r.health),
    async close() {
      if (timer) clearInterval(timer);
      await checking?.catch(() => {});
      await Promise.all([primary, primaryMonitor, ...replicas.flatMap((r) => [r.sql, r.monitor])].map((sql) => sql.end({ timeout: 2 })));
    },
  };
}
