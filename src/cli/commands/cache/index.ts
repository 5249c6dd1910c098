/** `ecomdb cache ...`: the Redis cache layer in front of the marketplace's hot reads. */
import { Command } from 'commander';
import { EXIT } from '../../../errors.ts';
import { flush } from './flush.ts';
import { status } from './status.ts';
import { warm } from './warm.ts';

export function cacheCommand(): Command {
  const root = new Command('cache')
    .description('the Redis cache of hot reads (product pages, rankings, recommendations) and sessions: status, flush, warm')
    .addHelpText(
      'after',
      `
Redis: --redis-url, else REDIS_URL, else redis://127.0.0.1:6379. Keys: ECOMDB_CACHE_PREFIX, else
ecomdb:<database>: (one prefix per database, so databases can share a Redis).

Examples:
  $ ecomdb cache status --url postgres://postgres@localhost/shop --json
  $ ecomdb cache warm --url $DB --products 100
  $ ecomdb cache flush --url $DB

Exits ${EXIT.cache} (E_CACHE_UNREACHABLE, E_CACHE_FAILED) when Redis cannot be reached or refuses a command.`,
    );
  for (const sub of [status(), flush(), warm()]) root.addCommand(sub);
  return root;
}
