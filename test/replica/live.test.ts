/**
 * The read layer, live: one topology (primary, two physical standbys, the MLA+MLU read node) built
 * by `ecomdb replica up --local` with the generated scripts, shared by the tests of this file in
 * order, and removed afterwards even when a test fails. Promotion comes last: it changes roles.
 */
import { join } from 'node:path';
import type postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planReplicaFiles } from '../../src/replica/plan.ts';
import { createRouter } from '../../src/replica/router.ts';
import { ORDER_ACTORS_SQL, orderParams, PLACE_ORDER_SQL, type OrderActor } from '../../src/replica/sample.ts';
import { nodePublications, residencyQuery } from '../../src/replica/sql.ts';
import { qualified, replicatedTables } from '../../src/replica/tables.ts';
import { startNode, stopNode, nodeUrl } from '../../src/replica/local.ts';
import { sitePublicationName, subscriptionName, TOPOLOGY } from '../../src/replica/topology.ts';
import { buildLab, psqlFile, waitFor, type TestLab } from './lab.ts';
import { DB_ROLES, REGION_TABLES, ROW_POLICIES } from '../../schema/security.ts';

let lab: TestLab;
let primary: postgres.Sql;
let actors: Map<string, OrderActor>;

/** Commit one new order of `region` on `sql` (the primary); returns its id. */
async function placeOrder(sql: postgres.Sql, region: string): Promise<string> {
  const [row] = await sql.unsafe<{ id: string }[]>(PLACE_ORDER_SQL, orderParams(actors.get(region)!));
  return String(row!.id);
}

async function orderExists(sql: postgres.Sql, region: string, id: string): Promise<boolean> {
  const rows = await sql`select 1 from order_processing.orders where region = ${region} and id = ${id}`;
  return rows.length === 1;
}

beforeAll(async () => {
  lab = await buildLab(54400);
  primary = lab.sql('primary');
  const rows = await primary.unsafe<OrderActor[]>(ORDER_ACTORS_SQL);
  actors = new Map(rows.map((r) => [r.region, r]));
}, 240_000);

afterAll(async () => {
  await lab?.teardown();
}, 120_000);

describe('replica up --local', () => {
  it('ran every generated script but promote.sh, and so every generated SQL file, on the servers', () => {
    const { scripts } = JSON.parse(lab.up.stdout) as { scripts: string[] };
    const planned = planReplicaFiles().map((f) => f.path);
    const setupScripts = planned.filter((p) => p.endsWith('.sh') && p !== 'env.sh' && !p.endsWith('/promote.sh'));
    expect([...scripts].sort()).toEqual([...setupScripts].sort());
    for (const sqlFile of planned.filter((p) => p.endsWith('.sql'))) {
      const [dir, name] = sqlFile.split('/');
      const runner = planReplicaFiles().filter((f) => f.path.startsWith(`${dir}/`) && f.path.endsWith('.sh'));
      expect(runner.some((f) => f.text.includes(`"$HERE/${name}"`)), `${sqlFile} is run by a script of ${dir}/`).toBe(true);
    }
  });

  it('builds every node on its own port', () => {
    const nodes = lab.state().nodes;
    expect(nodes.map((n) => n.name)).toEqual(['primary', 'standby1', 'standby2', 'rioplatense']);
    expect(new Set(nodes.map((n) => n.port)).size).toBe(4);
  });
});

describe('physical standby (acceptance 1)', () => {
  it('shows a row committed on the primary within a bounded wait', async () => {
    const id = await placeOrder(primary, 'MLB');
    const standby = lab.sql('standby1');
    await waitFor('the order on standby1', () => orderExists(standby, 'MLB', id));
  });

  it('refuses writes', async () => {
    const standby = lab.sql('standby2');
    await expect(standby.unsafe(PLACE_ORDER_SQL, orderParams(actors.get('MLA')!))).rejects.toMatchObject({ code: '25006' });
  });

  it('status reports its lag, its slot and the read node\'s subscription', async () => {
    const result = await lab.cli(['replica', 'status', '--json']);
    expect(result.code, result.stderr).toBe(0);
    const status = JSON.parse(result.stdout) as { primary: string; nodes: Record<string, unknown>[] };
    expect(status.primary).toBe('primary');
    const byName = new Map(status.nodes.map((n) => [n.name, n]));
    for (const name of ['standby1', 'standby2']) {
      expect(byName.get(name)).toMatchObject({ up: true, role: 'standby', replication: 'streaming', slot: { name: `ecomdb_${name}`, active: true } });
      expect(typeof byName.get(name)!.lagBytes).toBe('number');
      expect(typeof byName.get(name)!.lagSeconds).toBe('number');
    }
    expect(byName.get('rioplatense')).toMatchObject({ up: true, role: 'read-node', subscription: { state: 'streaming', applyErrors: 0 } });
    expect(typeof byName.get('rioplatense')!.lagBytes).toBe('number');
  });
});

describe('regional read node MLA + MLU (acceptance 2)', () => {
  const readNode = TOPOLOGY.readNodes[0]!;
  const sites: readonly string[] = readNode.sites;
  const tables = replicatedTables();
  const regional = tables.filter((t) => t.regional);
  type Count = { region: string; n: number };
  const countBySite = (sql: postgres.Sql, table: string) =>
    sql.unsafe<Count[]>(`select region, count(*)::int as n from ${table} group by 1 order by 1`);

  it('holds the rows its sites had before it subscribed, in every region-scoped table, and every reference row', async () => {
    const node = lab.sql('rioplatense');
    // The sample written before the subscription has rows of two other sites as well.
    const [orders] = await primary<{ regions: string[] }[]>`select array_agg(distinct region order by region) as regions from order_processing.orders`;
    expect(orders!.regions).toEqual(['MLA', 'MLB', 'MLM', 'MLU']);
    for (const table of regional.map(qualified)) {
      const own = (await countBySite(primary, table)).filter((r) => sites.includes(r.region));
      expect(await countBySite(node, table), table).toEqual(own);
    }
    for (const table of ['order_processing.orders', 'order_processing.order_details', 'user_management.users', 'shipping_logistics.shipments']) {
      expect((await countBySite(node, table)).map((r) => r.region), table).toEqual(['MLA', 'MLU']);
    }
    for (const table of tables.filter((t) => !t.regional).map(qualified)) {
      const [p] = await primary.unsafe<{ n: number }[]>(`select count(*)::int as n from ${table}`);
      const [n] = await node.unsafe<{ n: number }[]>(`select count(*)::int as n from ${table}`);
      expect(p!.n, table).toBeGreaterThan(0);
      expect(n!.n, table).toBe(p!.n);
    }
  });

  it('the primary publishes to it only rows of its sites: every region-scoped table has its site\'s row filter in every publication it subscribes to', async () => {
    const node = lab.sql('rioplatense');
    const [subscription] = await node<{ publications: string[] }[]>`
      select subpublications as publications from pg_subscription where subname = ${subscriptionName(readNode)}`;
    expect([...subscription!.publications].sort()).toEqual([...nodePublications(readNode)].sort());

    type Published = { pubname: string; table: string; rowfilter: string | null };
    const byTableThenPublication = (a: Published, b: Published) => `${a.table} ${a.pubname}`.localeCompare(`${b.table} ${b.pubname}`);
    const published = async () =>
      (
        await primary<Published[]>`
          select pubname, schemaname || '.' || tablename as table, rowfilter
          from pg_publication_tables where pubname = any(${subscription!.publications}::text[])`
      ).sort(byTableThenPublication);
    const before = await published();
    const expected = tables
      .flatMap<Published>((t) =>
        t.regional
          ? readNode.sites.map((site) => ({ pubname: sitePublicationName(site), table: `${t.schema}.${t.name}`, rowfilter: `(region = '${site}'::text)` }))
          : [{ pubname: 'ecomdb_reference', table: `${t.schema}.${t.name}`, rowfilter: null }],
      )
      .sort(byTableThenPublication);
    expect(before).toHaveLength(19 * 2 + 6);
    expect(before).toEqual(expected);
    expect(before.filter((p) => regional.some((t) => `${t.schema}.${t.name}` === p.table) && p.rowfilter === null)).toEqual([]);

    const flags = await primary<{ pubname: string; pubviaroot: boolean; pubtruncate: boolean }[]>`
      select pubname, pubviaroot, pubtruncate from pg_publication where pubname = any(${subscription!.publications}::text[]) order by 1`;
    expect(flags).toEqual(nodePublications(readNode).sort().map((pubname) => ({ pubname, pubviaroot: true, pubtruncate: false })));

    // publications.sql, run again on the primary, publishes exactly the same (it is re-runnable).
    const again = await psqlFile(lab.state(), 'primary', join(lab.dir, 'scripts', 'primary', 'publications.sql'));
    expect(again.code, again.stderr).toBe(0);
    expect(await published()).toEqual(before);
  });

  it('receives new orders of MLA and MLU, and never a row of another site', async () => {
    const node = lab.sql('rioplatense');
    // Other sites' writes first (inserts, and an update that the row filter must hold back too),
    // then a row of the node's sites: once that later row is on the node, the apply worker, which
    // applies the primary's commits in commit order, has been sent everything before it.
    const mlb = await placeOrder(primary, 'MLB');
    const mlm = await placeOrder(primary, 'MLM');
    await primary`update order_processing.orders set status_id = (select id from order_processing.order_statuses where name = 'shipped') where region = 'MLB' and id = ${mlb}`;
    const mlu = await placeOrder(primary, 'MLU');
    const mla = await placeOrder(primary, 'MLA');
    await waitFor('the later MLA order on the read node', () => orderExists(node, 'MLA', mla));
    expect(await orderExists(node, 'MLU', mlu)).toBe(true);
    expect(await orderExists(node, 'MLB', mlb)).toBe(false);
    expect(await orderExists(node, 'MLM', mlm)).toBe(false);
    const [details] = await node<{ n: number }[]>`select count(*)::int as n from order_processing.order_details where region = 'MLA' and order_id = ${mla}`;
    expect(details!.n).toBe(1);

    // Not one row of another site in any region-scoped table.
    const residency = await node.unsafe<{ table_name: string; rows_of_other_sites: string }[]>(residencyQuery(readNode, tables));
    expect(residency).toHaveLength(19);
    expect(residency.filter((r) => Number(r.rows_of_other_sites) > 0)).toEqual([]);
    const check = await psqlFile(lab.state(), 'rioplatense', join(lab.dir, 'scripts', 'rioplatense', 'residency-check.sql'));
    expect(check.code, check.stderr).toBe(0);
    expect(check.stdout).toContain('data residency holds');
  });
});

describe('router (acceptance 4)', () => {
  const portOf = (name: string) => lab.state().nodes.find((n) => n.name === name)!.port;
  const whoAmI = (sql: postgres.Sql) => sql<{ port: string }[]>`select current_setting('port') as port`.then((r) => Number(r[0]!.port));

  it('sends reads to the replicas in turn, writes and consistent reads to the primary, and skips a replica stopped mid-run', async () => {
    const state = lab.state();
    const router = await createRouter({
      primary: nodeUrl(state, 'primary'),
      replicas: [nodeUrl(state, 'standby1'), nodeUrl(state, 'standby2')],
      checkIntervalMs: 200,
    });
    try {
      const reads = await Promise.all(Array.from({ length: 20 }, () => router.read(whoAmI)));
      expect(new Set(reads)).toEqual(new Set([portOf('standby1'), portOf('standby2')]));
      expect(await router.write(whoAmI)).toBe(portOf('primary'));
      expect(await whoAmI(router.writer())).toBe(portOf('primary'));
      expect(await router.read(whoAmI, { consistent: true })).toBe(portOf('primary'));

      // Read-your-writes: a consistent read sees the order just written.
      const id = await router.write((sql) => placeOrder(sql, 'MLA'));
      expect(await router.read((sql) => orderExists(sql, 'MLA', id), { consistent: true })).toBe(true);

      // Stop standby2 while reads run: no read fails, later reads avoid it.
      const served: { port: number; afterStop: boolean }[] = [];
      let stopped = false;
      let readsAfterStop = 0;
      let failures = 0;
      const reading = (async () => {
        while (readsAfterStop < 300) {
          const afterStop = stopped;
          try {
            served.push({ port: await router.read(whoAmI), afterStop });
          } catch {
            failures++;
          }
          if (afterStop) readsAfterStop++;
        }
      })();
      await waitFor('reads under way', async () => served.length >= 50);
      expect(await stopNode(state, 'standby2')).toBe(true);
      stopped = true;
      await reading;
      expect(failures).toBe(0);
      expect(served.filter((s) => !s.afterStop).map((s) => s.port)).toContain(portOf('standby2'));
      const after = served.filter((s) => s.afterStop);
      expect(after.slice(-100).every((s) => s.port === portOf('standby1'))).toBe(true);
      expect(router.health()[1]).toMatchObject({ healthy: false });

      // It comes back: reads reach it again.
      await startNode(state, 'standby2');
      await waitFor('standby2 healthy again', async () => (await router.refresh())[1]!.healthy);
      const again = await Promise.all(Array.from({ length: 10 }, () => router.read(whoAmI)));
      expect(again).toContain(portOf('standby2'));
    } finally {
      await router.close();
    }
  });

  it('skips a replica that lags beyond the threshold, and falls back to the primary when none is fit', async () => {
    const state = lab.state();
    const router = await createRouter({
      primary: nodeUrl(state, 'primary'),
      replicas: [nodeUrl(state, 'standby1'), nodeUrl(state, 'standby2')],
      maxLagBytes: 1024,
      checkIntervalMs: 0,
    });
    const standby1 = lab.sql('standby1', 'postgres');
    const standby2 = lab.sql('standby2', 'postgres');
    try {
      await standby1`select pg_wal_replay_pause()`;
      for (let i = 0; i < 20; i++) await placeOrder(primary, 'MLU');
      const health = await waitFor('standby1 to count as lagging', async () => {
        const h = await router.refresh();
        return !h[0]!.healthy && h[1]!.healthy ? h : undefined;
      });
      expect(health[0]!.reason).toMatch(/^lags \d+ bytes/);
      const reads = await Promise.all(Array.from({ length: 6 }, () => router.read(whoAmI)));
      expect(new Set(reads)).toEqual(new Set([portOf('standby2')]));

      await standby2`select pg_wal_replay_pause()`;
      await placeOrder(primary, 'MLU');
      await waitFor('both standbys to count as lagging', async () => (await router.refresh()).every((h) => !h.healthy));
      expect(await router.read(whoAmI)).toBe(portOf('primary'));
    } finally {
      await standby1`select pg_wal_replay_resume()`;
      await standby2`select pg_wal_replay_resume()`;
      await router.close();
    }
  });
});

describe('roles on the read layer', () => {
  const login = `t_replica_${process.pid}`;
  afterAll(async () => {
    await primary.unsafe(`DROP ROLE IF EXISTS "${login}"`).catch(() => {});
  });

  it('a standby receives the group roles, a login made on the primary, and row-level security with them', async () => {
    await primary.unsafe(`CREATE ROLE "${login}" LOGIN IN ROLE ecomdb_user`);
    const standby = lab.sql('standby1');
    await waitFor('the login on standby1', async () => (await standby`select 1 from pg_roles where rolname = ${login}`).length === 1);
    const groups = await standby<{ rolname: string }[]>`select rolname from pg_roles where rolname = any(${[...DB_ROLES]}) and not rolcanlogin order by 1`;
    expect(groups.map((r) => r.rolname)).toEqual([...DB_ROLES].sort());
    // Reading as a buyer on the standby: only that buyer's orders.
    const [buyer] = await primary<{ buyer_id: string }[]>`select buyer_id::text from order_processing.orders where region = 'MLB' limit 1`;
    const seen = await standby.begin(async (tx) => {
      await tx.unsafe('SET LOCAL ROLE ecomdb_user');
      await tx`select set_config('ecomdb.user_id', ${buyer!.buyer_id}, true)`;
      return tx<{ n: number; others: number }[]>`select count(*)::int as n, count(*) filter (where buyer_id <> ${buyer!.buyer_id})::int as others from order_processing.orders`;
    });
    expect(seen[0]!.n).toBeGreaterThan(0);
    expect(seen[0]!.others).toBe(0);
  });

  it('the regional node, a cluster of its own, gets the group roles, grants and policies from the migrations that build its schema', async () => {
    const node = lab.sql('rioplatense');
    const groups = await node<{ rolname: string }[]>`select rolname from pg_roles where rolname = any(${[...DB_ROLES]}) and not rolcanlogin order by 1`;
    expect(groups.map((r) => r.rolname)).toEqual([...DB_ROLES].sort());
    const [rls] = await node<{ without: number; policies: number }[]>`
      select count(*) filter (where not c.relrowsecurity)::int as without, (select count(*)::int from pg_policy) as policies
        from pg_class c join pg_namespace n on n.oid = c.relnamespace
       where n.nspname || '.' || c.relname = any(${[...REGION_TABLES]})`;
    expect(rls!.without).toBe(0);
    expect(rls!.policies).toBeGreaterThanOrEqual(ROW_POLICIES.length);
    const [grant] = await node<{ ok: boolean }[]>`select has_table_privilege('ecomdb_bi_analyst', 'user_management.users', 'SELECT') as ok`;
    expect(grant!.ok).toBe(false);
  });
});

describe('promote (acceptance 3)', () => {
  it('makes standby1 a writable primary holding every committed row, while writes run until the old primary stops', async () => {
    const acknowledged: { region: string; id: string }[] = [];
    let writing = true;
    const writer = async (region: string) => {
      while (writing) {
        try {
          acknowledged.push({ region, id: await placeOrder(primary, region) });
        } catch {
          return; // the old primary is going away
        }
      }
    };
    const writers = [writer('MLB'), writer('MLA')];
    await waitFor('writes under way', async () => acknowledged.length >= 50);
    const promoted = await lab.cli(['replica', 'promote', 'standby1', '--json']);
    writing = false;
    await Promise.all(writers);
    expect(promoted.code, promoted.stderr).toBe(0);
    const result = JSON.parse(promoted.stdout) as { newPrimary: string; oldPrimary: string; fenced: boolean };
    expect(result).toMatchObject({ newPrimary: 'standby1', oldPrimary: 'primary', fenced: true });

    const newPrimary = lab.sql('standby1');
    const [recovery] = await newPrimary<{ in_recovery: boolean }[]>`select pg_is_in_recovery() as in_recovery`;
    expect(recovery!.in_recovery).toBe(false);
    const ids = acknowledged.map((a) => a.id);
    const present = await newPrimary<{ id: string }[]>`select id::text from order_processing.orders where id = any(${ids}::bigint[])`;
    expect(present.length).toBe(acknowledged.length);
    expect(await placeOrder(newPrimary, 'MLA')).toMatch(/^\d+$/);

    const status = JSON.parse((await lab.cli(['replica', 'status', '--json'])).stdout) as { primary: string; nodes: { name: string; role: string }[] };
    expect(status.primary).toBe('standby1');
    expect(status.nodes.find((n) => n.name === 'standby1')!.role).toBe('primary');
    expect(status.nodes.find((n) => n.name === 'primary')!.role).toBe('down');
  });
});
