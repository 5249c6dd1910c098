/** `ecomdb cache status`: is Redis there, what this database holds in it, and how far behind invalidation is. */
import { Command } from 'commander';
import { maskRedisUrl } from '../../../cache/client.ts';
import { outboxBacklog } from '../../../cache/invalidator.ts';
import { postgresClient } from '../../../db/postgres.ts';
import { errorMessage } from '../../../replica/health.ts';
import { contextOf } from '../../context.ts';
import { connectCache } from './common.ts';

/** The kind of a key under the prefix, by its first segment (src/cache/keys.ts). */
const KINDS: Record<string, string> = { v: 'values', tk: 'tags', tv: 'tags', fl: 'floors', s: 'sessions' };

export function status(): Command {
  return new Command('status')
    .description("Redis's version and memory, this database's keys by kind, the epoch, and the invalidations waiting in the outbox")
    .action(async (_options: unknown, command: Command) => {
      const context = contextOf(command);
      const { output } = context;
      const client = await connectCache(context);
      try {
        const info = await client.info();
        const keys = client.keys;
        const counts: Record<string, number> = { values: 0, tags: 0, floors: 0, sessions: 0, other: 0 };
        const epoch = await client.command(async (r) => {
          for await (const batch of r.scanIterator({ MATCH: keys.pattern, COUNT: 1000 })) {
            for (const key of batch) {
              const kind = KINDS[key.slice(keys.prefix.length).split(':')[0]!] ?? 'other';
              counts[kind] = (counts[kind] ?? 0) + 1;
            }
          }
          return r.get(keys.epoch);
        });
        let outbox: { rows: number; oldestSeconds: number | null } | null = null;
        let outboxError: string | null = null;
        if (context.target.kind === 'postgres') {
          const sql = postgresClient(context.target.url, { max: 1, connectTimeoutSeconds: 5 });
          try {
            outbox = await outboxBacklog(sql);
            if (!outbox) outboxError = 'no ecomdb_cache outbox in this database (run ecomdb migrate)';
          } catch (error) {
            outboxError = errorMessage(error);
          } finally {
            await sql.end({ timeout: 1 });
          }
        } else outboxError = 'the embedded database has no cache';
        const report = { redis: { url: maskRedisUrl(context.redis.url), version: info.version, usedMemory: info.usedMemory }, prefix: keys.prefix, epoch, keys: counts, outbox, outboxError };
        output.success(`Redis ${info.version} at ${report.redis.url}, ${(info.usedMemory / 1048576).toFixed(1)} MiB used`);
        output.info(`prefix ${keys.prefix}: ${counts.values} values, ${counts.tags} tag keys, ${counts.floors} floors, ${counts.sessions} sessions${counts.other ? `, ${counts.other} other` : ''}; epoch ${epoch ?? '(none yet)'}`);
        if (outbox) output.info(`outbox: ${outbox.rows} invalidation(s) waiting${outbox.oldestSeconds === null ? '' : `, oldest ${outbox.oldestSeconds.toFixed(1)} s`}${outbox.rows > 0 ? ' (is an invalidator running? bench --cache and applications using the cache layer run one)' : ''}`);
        else output.warn(`outbox: ${outboxError}`);
        output.data(report);
      } finally {
        await client.close();
      }
    });
}
