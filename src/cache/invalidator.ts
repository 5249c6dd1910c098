/**
 * The invalidator: LISTENs on the primary for the triggers' NOTIFY, drains the outbox and applies
 * each batch to Redis (docs/design.md, 'The cache layer'). A batch is deleted from the outbox in a
 * transaction that commits only after Redis applied it, so a batch Redis could not take stays for
 * the next try; it also polls, so a notification lost with a connection is caught up, and a
 * process that was down finds on start every row it missed.
 *
 * The floor a batch raises is the primary's WAL insert position read after the batch's rows were
 * seen committed: every commit that wrote them lies before it, so a replica that has replayed it
 * holds the new rows.
 */
import type postgres from 'postgres';
import { postgresClient } from '../db/postgres.ts';
import { Histogram } from '../bench/histogram.ts';
import type { CacheClient } from './client.ts';
import { invalidationOf, lsnKey, type OutboxRow } from './keys.ts';
import { NOTIFY_CHANNEL, OUTBOX } from './outbox.ts';
import { INVALIDATE_SCRIPT, TAG_TTL_MS } from './scripts.ts';

/** How soon a batch Redis did not take is tried again. */
const RETRY_MS = 50;

export interface InvalidatorOptions {
  /** The primary. */
  readonly url: string;
  readonly client: CacheClient;
  /** Outbox rows per transaction (default 1000). */
  readonly batch?: number;
  /** How often to look at the outbox without a notification (default 1000 ms). */
  readonly pollMs?: number;
}

export interface InvalidatorCounters {
  /** Outbox rows applied. */
  rows: number;
  /** Batches applied. */
  batches: number;
  /** Cached values deleted. */
  deleted: number;
  /** Batches Redis could not take (kept in the outbox, tried again). */
  failures: number;
}

export class Invalidator {
  readonly counters: InvalidatorCounters = { rows: 0, batches: 0, deleted: 0, failures: 0 };
  /** Milliseconds from an outbox row's write to its invalidation in Redis. */
  readonly lag = new Histogram();
  private draining: Promise<void> | null = null;
  private again = false;
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;
  private listening: { unlisten(): Promise<void> } | undefined;

  private constructor(
    private readonly sql: postgres.Sql,
    private readonly options: InvalidatorOptions,
  ) {}

  /** Listen, catch up with the outbox, and keep draining until stop(). */
  static async start(options: InvalidatorOptions): Promise<Invalidator> {
    const sql = postgresClient(options.url, { max: 1, idle_timeout: 0, connection: { application_name: 'ecomdb cache invalidator' } });
    const inv = new Invalidator(sql, options);
    try {
      // onlisten runs on the first LISTEN and after every reconnection: a gap is caught up.
      inv.listening = await sql.listen(NOTIFY_CHANNEL, () => inv.wake(), () => inv.wake());
      await inv.wake();
    } catch (error) {
      await sql.end({ timeout: 1 });
      throw error;
    }
    inv.timer = setInterval(() => void inv.wake(), options.pollMs ?? 1000);
    inv.timer.unref();
    return inv;
  }

  /** Drain now (or once more after the drain in progress); resolves when the outbox was found empty or Redis failed. */
  wake(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (this.draining) {
      this.again = true;
      return this.draining;
    }
    this.draining = this.drainAll().finally(() => (this.draining = null));
    return this.draining;
  }

  private async drainAll(): Promise<void> {
    const batch = this.options.batch ?? 1000;
    do {
      this.again = false;
      for (;;) {
        if (this.stopped) return;
        let n: number;
        try {
          n = await this.drainOnce(batch);
        } catch {
          // Redis or the database failed: the rows stay in the outbox; tried again shortly (and by the poll).
          this.counters.failures++;
          if (!this.stopped) setTimeout(() => void this.wake(), RETRY_MS).unref();
          return;
        }
        if (n < batch) break;
      }
    } while (this.again);
  }

  private async drainOnce(batch: number): Promise<number> {
    const client = this.options.client;
    if (!client.up) throw new Error('redis is down');
    return this.sql.begin(async (tx) => {
      const rows = await tx.unsafe<{ entity: OutboxRow['entity']; region: string; entity_id: string; age_ms: number }[]>(
        `DELETE FROM ${OUTBOX} WHERE id IN (SELECT id FROM ${OUTBOX} ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED)
         RETURNING entity, region, entity_id::text, (extract(epoch FROM clock_timestamp() - created_at) * 1000)::float8 AS age_ms`,
        [batch],
      );
      if (rows.length === 0) return 0;
      const [position] = await tx.unsafe<{ lsn: string }[]>('SELECT pg_current_wal_insert_lsn()::text AS lsn');
      const change = invalidationOf(rows.map((r) => ({ entity: r.entity, region: r.region, entityId: r.entity_id })));
      const keys = client.keys;
      let deleted: number | undefined = 0;
      if (change.all) {
        // Everything goes: a new epoch hides every value written so far.
        const done = await client.run(async () => (await client.newEpoch(), true));
        if (!done) deleted = undefined;
      }
      if (deleted !== undefined && (change.tags.length > 0 || change.floors.length > 0)) {
        const result = await client.run((r) =>
          r.eval(INVALIDATE_SCRIPT, {
            keys: [keys.seq, ...change.tags.flatMap((t) => [keys.tagVersion(t), keys.tagMembers(t)]), ...change.floors.map((f) => keys.tagFloor(f))],
            arguments: [lsnKey(position!.lsn), String(change.tags.length), String(change.floors.length), String(TAG_TTL_MS)],
          }),
        );
        deleted = result === undefined ? undefined : deleted + Number(result);
      }
      // Redis did not take it: roll back, so the rows stay for the next try.
      if (deleted === undefined) throw new Error('redis did not apply the batch');
      this.counters.rows += rows.length;
      this.counters.batches++;
      this.counters.deleted += deleted;
      for (const r of rows) this.lag.record(Math.max(0, r.age_ms));
      return rows.length;
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.draining?.catch(() => {});
    await this.listening?.unlisten().catch(() => {});
    await this.sql.end({ timeout: 2 });
  }
}

/** The outbox's backlog: rows waiting and the age of the oldest (for `cache status`). */
export async function outboxBacklog(sql: postgres.Sql): Promise<{ rows: number; oldestSeconds: number | null } | null> {
  const [exists] = await sql.unsafe<{ present: boolean }[]>(`SELECT to_regclass('${OUTBOX.replaceAll("'", "''")}') IS NOT NULL AS present`);
  if (!exists?.present) return null;
  const [row] = await sql.unsafe<{ rows: string; oldest: number | null }[]>(
    `SELECT count(*)::text AS rows, extract(epoch FROM clock_timestamp() - min(created_at))::float8 AS oldest FROM ${OUTBOX}`,
  );
  return { rows: Number(row!.rows), oldestSeconds: row!.oldest === null ? null : Number(row!.oldest) };
}
