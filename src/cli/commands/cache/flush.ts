/** `ecomdb cache flush`: drop this database's cached values (a new epoch, then their keys). */
import { Command } from 'commander';
import { contextOf } from '../../context.ts';
import { connectCache, primaryLsnOf } from './common.ts';

export function flush(): Command {
  return new Command('flush')
    .description("begin a new epoch (no value written before is served again) and delete this database's cached values; sessions stay unless --sessions")
    .option('--sessions', 'delete the sessions too (everyone signs in again)')
    .action(async (flags: { sessions?: boolean }, command: Command) => {
      const context = contextOf(command);
      const { output } = context;
      // The new epoch's floor: the primary's position now, when the database can be reached.
      const lsn = context.target.kind === 'postgres' ? primaryLsnOf(context.target.url) : undefined;
      const client = await connectCache(context, lsn ? () => lsn.read().catch(() => null) : undefined);
      try {
        const keys = client.keys;
        await client.command(() => client.newEpoch());
        // Values and their tag sets; invalidation numbers and floors stay (a read in flight may still check them).
        const kinds = ['v:', 'tk:', ...(flags.sessions ? ['s:'] : [])].map((k) => `${keys.prefix}${k}`);
        let deleted = 0;
        await client.command(async (r) => {
          for await (const batch of r.scanIterator({ MATCH: keys.pattern, COUNT: 1000 })) {
            const doomed = batch.filter((key) => kinds.some((k) => key.startsWith(k)));
            if (doomed.length > 0) deleted += await r.unlink(doomed);
          }
        });
        output.success(`flushed ${deleted} key(s) under ${keys.prefix}${flags.sessions ? ', sessions included' : ''}; a new epoch began`);
        output.data({ prefix: keys.prefix, deleted, sessions: flags.sessions === true });
      } finally {
        await client.close();
        await lsn?.close();
      }
    });
}
