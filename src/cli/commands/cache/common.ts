/** What the cache commands share: the Redis client they must reach, and the database they may read. */
import { CacheClient } from '../../../cache/client.ts';
import { EcomdbError } from '../../../errors.ts';
import { monitorClient } from '../../../replica/health.ts';
import type { Context } from '../../context.ts';

/** Connect to the context's Redis, or fail with E_CACHE_UNREACHABLE (exit 17). */
export function connectCache(context: Context, primaryLsn?: () => Promise<string | null>): Promise<CacheClient> {
  return CacheClient.connect({ url: context.redis.url, prefix: context.cachePrefix, connectTimeoutMs: 2000, timeoutMs: 2000, primaryLsn });
}

/** The database URL of a server target; E_USAGE for the embedded one, which never uses the cache. */
export function serverUrl(context: Context, command: string): string {
  if (context.target.kind !== 'postgres') {
    throw new EcomdbError('E_USAGE', `ecomdb cache ${command} fronts a PostgreSQL server, not the embedded database`, {
      hint: 'pass --url (or set DATABASE_URL) to the server database the cache serves',
    });
  }
  return context.target.url;
}

/** The primary's WAL position, read through a short-lived monitoring connection. */
export function primaryLsnOf(url: string): { read: () => Promise<string | null>; close: () => Promise<void> } {
  const sql = monitorClient(url);
  return {
    read: async () => (await sql<{ lsn: string }[]>`select pg_current_wal_insert_lsn()::text as lsn`)[0]?.lsn ?? null,
    close: () => sql.end({ timeout: 1 }),
  };
}
