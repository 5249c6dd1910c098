/**
 * The cache layer assembled for a process: the Redis client (or the cache off, said once by the
 * caller), the cache-aside reads, and the invalidator draining the outbox of the primary.
 *
 * @example
 *   const layer = await openCacheLayer({ url: DATABASE_URL, redisUrl: 'redis://127.0.0.1:6379', prefix: 'ecomdb:shop:', reader: singleReader(db) });
 *   if (layer.client.offReason) console.warn(`cache off: ${layer.client.offReason}`);
 *   const page = await cachedProductPage(layer.reads, { region: 'MLA', productId: 42 });
 *   await layer.close();
 */
import { monitorClient } from '../replica/health.ts';
import { CacheClient } from './client.ts';
import { Invalidator } from './invalidator.ts';
import { ReadCache, type Reader } from './store.ts';

export interface CacheLayerOptions {
  /** The primary: its WAL position begins each epoch, and the invalidator drains its outbox. */
  readonly url: string;
  readonly redisUrl: string;
  readonly prefix: string;
  /** Where refills read (a single database, or the read/write router). */
  readonly reader: Reader;
  /** Redis command timeout (default 200 ms). */
  readonly timeoutMs?: number;
  /** Run an invalidator in this process (default true). */
  readonly invalidate?: boolean;
  /** Throw E_CACHE_UNREACHABLE instead of turning the cache off when Redis cannot be reached. */
  readonly required?: boolean;
}

export interface CacheLayer {
  readonly client: CacheClient;
  readonly reads: ReadCache;
  readonly invalidator: Invalidator | null;
  close(): Promise<void>;
}

export async function openCacheLayer(options: CacheLayerOptions): Promise<CacheLayer> {
  const monitor = monitorClient(options.url);
  const primaryLsn = async () => {
    const [row] = await monitor<{ lsn: string }[]>`select pg_current_wal_insert_lsn()::text as lsn`;
    return row?.lsn ?? null;
  };
  const clientOptions = { url: options.redisUrl, prefix: options.prefix, timeoutMs: options.timeoutMs, primaryLsn };
  let client: CacheClient;
  try {
    client = options.required ? await CacheClient.connect(clientOptions) : await CacheClient.connectOrOff(clientOptions);
  } catch (error) {
    await monitor.end({ timeout: 1 });
    throw error;
  }
  let invalidator: Invalidator | null = null;
  if (client.state !== 'off' && options.invalidate !== false) {
    try {
      invalidator = await Invalidator.start({ url: options.url, client });
    } catch (error) {
      await client.close();
      await monitor.end({ timeout: 1 });
      throw error;
    }
  }
  return {
    client,
    reads: new ReadCache(client, options.reader),
    invalidator,
    async close() {
      await invalidator?.stop();
      await client.close();
      await monitor.end({ timeout: 1 });
    },
  };
}
