/** `ecomdb cache warm`: fill the cache with each site's rankings and the pages of its best sellers. */
import { Command } from 'commander';
import { drizzle } from 'drizzle-orm/postgres-js';
import { SITES, type SiteId } from '../../../../schema/values.ts';
import type { AccessDb } from '../../../access/index.ts';
import { cachedProductPage, cachedStoreSalesRanking, cachedTopProducts } from '../../../cache/reads.ts';
import { ReadCache, singleReader } from '../../../cache/store.ts';
import { postgresClient } from '../../../db/postgres.ts';
import { contextOf } from '../../context.ts';
import * as parse from '../../options.ts';
import { connectCache, primaryLsnOf, serverUrl } from './common.ts';

export function warm(): Command {
  return new Command('warm')
    .description("read each site's top products and store ranking, and the pages of its best-selling products, into the cache")
    .option('--products <n>', 'product pages per site, best sellers of the last 30 days first (1 to 100)', '100')
    .action(async (flags: { products: string }, command: Command) => {
      const context = contextOf(command);
      const { output } = context;
      const perSite = parse.integer(flags.products, '--products', { min: 1, max: 100, example: 50 });
      const url = serverUrl(context, 'warm');
      const lsn = primaryLsnOf(url);
      const client = await connectCache(context, () => lsn.read().catch(() => null));
      const sql = postgresClient(url, { max: 4 });
      const started = performance.now();
      try {
        const cache = new ReadCache(client, singleReader(drizzle(sql) as unknown as AccessDb));
        const present = await sql<{ region: SiteId }[]>`
          select s.region from unnest(${SITES.map((s) => s.id)}::text[]) as s(region)
           where exists (select 1 from product_catalog.products p where p.region = s.region)`;
        const sites: { region: SiteId; pages: number }[] = [];
        for (const { region } of present) {
          await cachedStoreSalesRanking(cache, { region });
          await cachedTopProducts(cache, { region });
          const top = await cachedTopProducts(cache, { region, limit: perSite });
          await Promise.all(top.map((t) => cachedProductPage(cache, { region, productId: t.productId })));
          sites.push({ region, pages: top.length });
        }
        const counters = client.counters;
        const ms = performance.now() - started;
        if (!client.up) output.warn(`Redis failed during the warm-up (${counters.errors} error(s)): some values were not written`);
        output.success(`warmed ${sites.length} site(s) in ${(ms / 1000).toFixed(1)} s: ${counters.fills} value(s) written, ${counters.hits} already there`);
        output.data({ prefix: client.keys.prefix, sites, written: counters.fills, alreadyCached: counters.hits, errors: counters.errors, ms: Math.round(ms) });
      } finally {
        await sql.end({ timeout: 2 });
        await client.close();
        await lsn.close();
      }
    });
}
