/**
 * The partition planner: from the declared layout (schema/partitions.ts), a snapshot of the
 * database (catalog.ts) and today's month, the SQL that brings the database to the layout.
 * Pure: SQL as data, run by run.ts, printed by `partition plan`, written by `partition generate`.
 *
 * Four plans:
 * - apply:  rebuild each plain region-scoped table as a partitioned one (LIST by region, then
 *           RANGE by month for the monthly tables), copying every row and carrying over keys,
 *           indexes, checks, foreign keys in and out, comments, row-level security, grants,
 *           publications, sequences, triggers and the views that read them; then add missing
 *           sites and months.
 * - add:    give a site its own partitions, moving its rows out of DEFAULT in two phases so that
 *           the strong locks are held only for the short second one (see addSitePlan).
 * - detach: take a site's partitions out of the live tables, as plain tables of their own.
 * - months: create the month partitions from now to now + ahead.
 */
import { EcomdbError } from '../errors.ts';
import { quoteIdent, quoteLiteral, quoteQualified } from '../ident.ts';
import { PARTITION_LAYOUT, type PartitionLayout } from '../../schema/partitions.ts';
import { REGION_COLUMN } from '../../schema/regions.ts';
import { parseSite, type SiteId } from '../../schema/values.ts';
import type { CatalogSnapshot, DependentView, ForeignKey, Partition, TableState } from './catalog.ts';
import { addMonths, maxMonth, minMonth, monthRange, monthStart, monthSuffix, type Month } from './months.ts';

export interface Step {
  /** One line: what the step does. */
  readonly title: string;
  /** Why, for people reading the SQL; rendered as comments. */
  readonly why?: string;
  readonly table?: string;
  /** A short file-name slug for steps that concern no single table. */
  readonly slug?: string;
  /**
   * `move` runs while only DEFAULT partitions are locked (against writes); `attach` is the short
   * phase that takes strong locks on the live tables. Plans other than add use `main` only.
   */
  readonly phase: 'main' | 'move' | 'attach';
  readonly sql: readonly string[];
}

export interface PartitionPlan {
  readonly kind: 'apply' | 'add' | 'detach' | 'months';
  readonly steps: readonly Step[];
  /** Things the plan leaves alone on purpose, for the user to know. */
  readonly notes: readonly string[];
}

export interface PlanOptions {
  /** The current month (`YYYY-MM`, UTC). */
  readonly month: Month;
  readonly layout?: PartitionLayout;
}

// ---------------------------------------------------------------------------------------------
// Names

const q = quoteIdent;

/** The partition of `table` that holds `site` (`orders_mla`), or DEFAULT (`orders_default`). */
export function sitePartitionName(table: string, site: string | 'default'): string {
  return checkedName(`${table}_${site.toLowerCase()}`);
}

export function monthPartitionName(parent: string, month: Month): string {
  return checkedName(`${parent}_${monthSuffix(month)}`);
}

/** Names are built here and checked at once: quoteIdent refuses anything over 63 bytes. */
function checkedName(name: string): string {
  quoteIdent(name);
  return name;
}

function qualified(t: { schema: string; name: string }, name = t.name): string {
  return quoteQualified(t.schema, name);
}

function parseId(id: string): { schema: string; name: string } {
  const [schema, name] = id.split('.');
  return { schema: schema!, name: name! };
}

// ---------------------------------------------------------------------------------------------
// Validation of user input (before any SQL exists)

/** A site id the schema knows; anything else is refused (E_PARTITION_REGION) with the list of valid ones. */
export function checkSite(site: string): SiteId {
  return parseSite(site, 'E_PARTITION_REGION');
}

// ---------------------------------------------------------------------------------------------
// Shared pieces

function monthlyColumn(layout: PartitionLayout, t: { id: string }): string | null {
  return layout.monthly[t.id]?.column ?? null;
}

function monthBound(month: Month): string {
  return `FOR VALUES FROM (${monthStart(month)}) TO (${monthStart(addMonths(month, 1))})`;
}

function createMonths(t: TableState, parent: string, months: readonly Month[], currentUser: string): string[] {
  return months.flatMap((m) => [
    `CREATE TABLE ${qualified(t, monthPartitionName(parent, m))} PARTITION OF ${qualified(t, parent)}\n  ${monthBound(m)};`,
    ...ownedBy(t, monthPartitionName(parent, m), currentUser),
    ...rowSecurity(t, monthPartitionName(parent, m)),
  ]);
}

/**
 * The table's row-level security and policies on relation `name` (the table itself, or one of
 * its partitions). A query that names a partition is filtered by the partition's own policies,
 * never the parent's: every partition gets the parent's, at every level.
 */
function rowSecurity(t: TableState, name: string): string[] {
  return [
    ...(t.rowSecurity.enabled ? [`ALTER TABLE ${qualified(t, name)} ENABLE ROW LEVEL SECURITY;`] : []),
    ...(t.rowSecurity.forced ? [`ALTER TABLE ${qualified(t, name)} FORCE ROW LEVEL SECURITY;`] : []),
    ...t.policies.map((p) => `CREATE POLICY ${q(p.name)} ON ${qualified(t, name)} ${p.body};`),
  ];
}

/**
 * The months a monthly table should have: every month from the first that holds rows (or
 * exists, or `span.from`) to the last of those and now + ahead, without gaps.
 */
function wantedMonths(t: TableState, options: PlanOptions, layout: PartitionLayout, span?: { from: Month; to: Month }): Month[] {
  const existing = t.partitions.flatMap(monthsOf);
  const first = minMonth(t.dataMonths?.first, options.month, span?.from, ...existing);
  const last = maxMonth(t.dataMonths?.last, addMonths(options.month, layout.monthsAhead), span?.to, ...existing);
  return monthRange(first, last);
}

/** The months of a site partition's month partitions. */
function monthsOf(p: Partition): Month[] {
  return p.children.flatMap((c) => (c.bound.kind === 'month' ? [c.bound.month] : []));
}

/** The site partitions (including DEFAULT) of a partitioned table. */
function sitePartitions(t: TableState): Partition[] {
  return t.partitions.filter((p) => p.bound.kind === 'list' || p.bound.kind === 'default');
}

function siteOf(p: Partition): string | null {
  return p.bound.kind === 'list' && p.bound.values.length === 1 ? p.bound.values[0]! : null;
}

/**
 * Region-scoped tables ordered so that every table comes after the tables it references
 * (roots first). Foreign keys between region tables form no cycle in this schema; a cycle is a
 * planning error rather than a silent wrong order.
 */
export function rootsFirst(tables: readonly TableState[], fks: readonly ForeignKey[]): TableState[] {
  const ids = new Set(tables.map((t) => t.id));
  const deps = new Map(tables.map((t) => [t.id, new Set(fks.filter((k) => k.table === t.id && k.references !== t.id && ids.has(k.references)).map((k) => k.references))]));
  const out: TableState[] = [];
  const done = new Set<string>();
  while (out.length < tables.length) {
    const next = tables.find((t) => !done.has(t.id) && [...deps.get(t.id)!].every((d) => done.has(d)));
    if (!next) throw new EcomdbError('E_PARTITION_STATE', 'the foreign keys between region-scoped tables form a cycle', { hint: 'break the cycle in the schema; partitions are attached in reference order' });
    out.push(next);
    done.add(next.id);
  }
  return out;
}

/**
 * A new partition belongs to whoever runs the command, and ALTER TABLE ... OWNER TO on the
 * parent does not reach its partitions: give each one the table's owner, or that owner could no
 * longer add partitions under it (`partition months` from the owner's cron would fail).
 */
function ownedBy(t: TableState, name: string, currentUser: string): string[] {
  return t.owner === currentUser ? [] : [`ALTER TABLE ${qualified(t, name)} OWNER TO ${q(t.owner)};`];
}

/** Rows keep their identity values when copied. */
function overriding(t: TableState): string {
  return t.alwaysIdentity ? ' OVERRIDING SYSTEM VALUE' : '';
}

/** `INSERT ... SELECT` column list, the same on both sides (generated columns are computed again). */
function columnList(t: TableState): string {
  return t.columns.map(q).join(', ');
}

/** The index definition re-targeted at another table, letting PostgreSQL choose its name. */
function indexOn(definition: string, target: string): string {
  const m = /^CREATE (UNIQUE )?INDEX \S+ ON (?:ONLY )?\S+ (USING .*)$/s.exec(definition);
  if (!m) throw new EcomdbError('E_PARTITION_STATE', `cannot read index definition: ${definition}`);
  return `CREATE ${m[1] ?? ''}INDEX ON ${target} ${m[2]};`;
}

// ---------------------------------------------------------------------------------------------
// apply

export function applyPlan(snapshot: CatalogSnapshot, options: PlanOptions): PartitionPlan {
  const layout = options.layout ?? PARTITION_LAYOUT;
  const steps: Step[] = [];
  const notes: string[] = [];
  const plain = snapshot.tables.filter((t) => !t.partitioned);
  const blocked = plain.filter((t) => t.dependents.length > 0);
  if (blocked.length > 0) {
    throw new EcomdbError('E_PARTITION_STATE', `${blocked[0]!.id} cannot be rebuilt: ${blocked[0]!.dependents.join(', ')} depend(s) on it`, {
      hint: 'drop the dependent rules, run `ecomdb partition apply`, then create them again',
      details: { blocked: blocked.map((t) => ({ table: t.id, dependents: t.dependents })) },
    });
  }
  const lost = plain.find((t) => t.unsupported.length > 0);
  if (lost) {
    throw new EcomdbError('E_PARTITION_STATE', `${lost.id} cannot be rebuilt: its ${lost.unsupported[0]} has no equivalent on a partitioned table in PostgreSQL 15`, {
      hint: 'drop it (or replace it by a trigger), run `ecomdb partition apply`, then enforce it per partition',
      details: { unsupported: plain.filter((t) => t.unsupported.length > 0).map((t) => ({ table: t.id, definitions: t.unsupported })) },
    });
  }
  for (const t of plain) {
    // Without publish_via_partition_root a partitioned table is published under the names of its
    // partitions (orders_mla_2026_11, ...), which the subscribers do not have; with a row filter
    // or a column list PostgreSQL refuses it outright.
    const pub = t.publications.find((p) => !p.viaRoot);
    if (pub) {
      const why = pub.rowFilter !== null || pub.columns !== null ? 'with a row filter or column list, which PostgreSQL allows on a partitioned table only' : 'and once partitioned its changes would be published as its partitions\' unless it publishes';
      throw new EcomdbError('E_PARTITION_STATE', `publication ${pub.name} publishes ${t.id} ${why} with publish_via_partition_root`, {
        hint: `ALTER PUBLICATION ${quoteIdent(pub.name)} SET (publish_via_partition_root = true), then apply again (subscribers then see changes as the parent table's)`,
        details: { publication: pub.name, table: t.id },
      });
    }
  }
  for (const t of snapshot.tables) {
    if (t.partitioned && t.partitionKey !== `LIST (${REGION_COLUMN})`) {
      throw new EcomdbError('E_PARTITION_STATE', `${t.id} is partitioned by ${t.partitionKey}, not by LIST (${REGION_COLUMN})`, {
        hint: 'ecomdb only manages the layout of schema/partitions.ts; undo the other partitioning first',
      });
    }
  }

  if (plain.length > 0) {
    const converting = new Set(plain.map((t) => t.id));
    const touching = snapshot.foreignKeys.filter((k) => converting.has(k.table) || converting.has(k.references));
    const views = snapshot.views.filter((v) => v.tables.some((t) => converting.has(t)));
    if (views.length > 0) {
      steps.push({
        phase: 'main',
        slug: 'drop_views',
        title: 'Drop the views that read the tables being rebuilt',
        why: 'A view reads one physical table. Each is created again, with the same definition, indexes, comments, owner and grants, once every table is rebuilt.',
        sql: [...views].reverse().map((v) => `DROP ${v.materialized ? 'MATERIALIZED VIEW' : 'VIEW'} ${qualified(v)};`),
      });
    }
    if (touching.length > 0) {
      steps.push({
        phase: 'main',
        slug: 'drop_foreign_keys',
        title: 'Drop the foreign keys that touch the tables being rebuilt',
        why: 'A foreign key points at one physical table. Each is dropped here and added again, unchanged, once every table is rebuilt; adding it back checks every row again.',
        sql: touching.map((k) => `ALTER TABLE ${quoteId(k.table)} DROP CONSTRAINT ${q(k.name)};`),
      });
    }
    for (const t of plain) steps.push(rebuildStep(t, options, layout, snapshot.currentUser));
    if (touching.length > 0) {
      steps.push({
        phase: 'main',
        slug: 'add_foreign_keys',
        title: 'Add the foreign keys back',
        why: 'The same definitions as before. On a partitioned table PostgreSQL adds the key to every partition and validates all rows.',
        sql: touching.flatMap((k) => [
          `ALTER TABLE ${quoteId(k.table)} ADD CONSTRAINT ${q(k.name)} ${k.definition};`,
          ...(k.comment === null ? [] : [`COMMENT ON CONSTRAINT ${q(k.name)} ON ${quoteId(k.table)} IS ${quoteLiteral(k.comment)};`]),
        ]),
      });
    }
    steps.push({
      phase: 'main',
      slug: 'analyze',
      title: 'Refresh the planner statistics of the rebuilt tables',
      why: 'New tables start without statistics; without them the first queries are planned blind.',
      sql: plain.map((t) => `ANALYZE ${qualified(t)};`),
    });
    if (views.length > 0) {
      steps.push({
        phase: 'main',
        slug: 'create_views',
        title: 'Create the views again',
        why: 'The definitions read before the rebuild, now over the partitioned tables (after ANALYZE, so a materialized view is filled with good plans).',
        sql: views.flatMap((v) => createView(v, snapshot.currentUser)),
      });
    }
  }

  // Tables already partitioned: declared sites and months that are missing.
  // (The tables rebuilt above get every declared site and month in their rebuild step.)
  const partitioned = snapshot.tables.filter((t) => t.partitioned);
  const already = { ...snapshot, tables: partitioned };
  const missingSites = layout.sites.filter((s) => partitioned.some((t) => !sitePartitions(t).some((p) => siteOf(p) === s)));
  for (const site of missingSites) {
    const add = addSitePlan(already, site, options);
    steps.push(...add.steps);
  }
  steps.push(...monthsPlan(already, { ...options, ahead: layout.monthsAhead }).steps);
  for (const t of partitioned) {
    const extra = sitePartitions(t).map(siteOf).filter((s): s is string => s !== null && !layout.sites.includes(s as never));
    if (extra.length > 0) notes.push(`${t.id} also has partitions for ${extra.join(', ')}, which schema/partitions.ts does not declare; left as they are`);
  }
  return { kind: 'apply', steps, notes: [...new Set(notes)] };
}

/** A view as it was: definition, data, indexes, comments, owner and grants. */
function createView(v: DependentView, currentUser: string): string[] {
  const kind = v.materialized ? 'MATERIALIZED VIEW' : 'VIEW';
  const options = v.options.length > 0 ? ` WITH (${v.options.join(', ')})` : '';
  const data = v.materialized ? (v.populated ? '\n  WITH DATA' : '\n  WITH NO DATA') : '';
  return [
    `CREATE ${kind} ${qualified(v)}${options} AS\n${v.definition}${data};`,
    ...v.indexes.map((i) => `${i.definition};`),
    ...(v.owner === currentUser ? [] : [`ALTER ${kind} ${qualified(v)} OWNER TO ${q(v.owner)};`]),
    ...(v.comment === null ? [] : [`COMMENT ON ${kind} ${qualified(v)} IS ${quoteLiteral(v.comment)};`]),
    ...v.columnComments.map((c) => `COMMENT ON COLUMN ${qualified(v)}.${q(c.column)} IS ${quoteLiteral(c.comment)};`),
    ...v.indexes.flatMap((i) => (i.comment === null ? [] : [`COMMENT ON INDEX ${qualified(v, i.name)} IS ${quoteLiteral(i.comment)};`])),
    ...v.grants,
  ];
}

function quoteId(id: string): string {
  const { schema, name } = parseId(id);
  return quoteQualified(schema, name);
}

/** Rebuild one plain table as a partitioned one, rows and all. */
function rebuildStep(t: TableState, options: PlanOptions, layout: PartitionLayout, currentUser: string): Step {
  const old = checkedName(`${t.name}_unpartitioned`);
  const column = monthlyColumn(layout, t);
  const months = column ? wantedMonths(t, options, layout) : [];
  const keys = t.constraints.filter((k) => k.type === 'p' || k.type === 'u');
  const sql: string[] = [];
  sql.push(`-- Set the old table aside. Its keys and indexes go first: their names are needed again.`);
  for (const k of keys) sql.push(`ALTER TABLE ${qualified(t)} DROP CONSTRAINT ${q(k.name)};`);
  for (const i of t.indexes) sql.push(`DROP INDEX ${qualified(t, i.name)};`);
  sql.push(`ALTER TABLE ${qualified(t)} RENAME TO ${q(old)};`);
  sql.push(`-- The new parent: the same columns, defaults, NOT NULLs, checks and column comments.`);
  sql.push(
    `CREATE TABLE ${qualified(t)} (LIKE ${qualified(t, old)} INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING COMMENTS\n` +
      `  INCLUDING STORAGE INCLUDING COMPRESSION INCLUDING GENERATED INCLUDING IDENTITY INCLUDING STATISTICS)\n` +
      `  PARTITION BY LIST (${q(REGION_COLUMN)});`,
  );
  // The new table belongs to whoever runs apply; give it back to the old owner (before its
  // sequences are attached to it: a sequence must have its table's owner).
  sql.push(...ownedBy(t, t.name, currentUser));
  const partitions: { name: string; bound: string; site: string }[] = [
    ...layout.sites.map((s) => ({ name: sitePartitionName(t.name, s), bound: `FOR VALUES IN (${quoteLiteral(s)})`, site: s })),
    { name: sitePartitionName(t.name, 'default'), bound: 'DEFAULT', site: 'every other site' },
  ];
  sql.push(column ? `-- One partition per site, each split by month on ${column}; DEFAULT takes the other sites.` : `-- One partition per site; DEFAULT takes the other sites.`);
  for (const p of partitions) {
    sql.push(`CREATE TABLE ${qualified(t, p.name)} PARTITION OF ${qualified(t)} ${p.bound}${column ? `\n  PARTITION BY RANGE (${q(column)})` : ''};`);
    sql.push(...ownedBy(t, p.name, currentUser));
    sql.push(...rowSecurity(t, p.name));
    if (column) sql.push(...createMonths(t, p.name, months, currentUser));
  }
  sql.push(`-- Every row moves; each lands in its site's (and month's) partition.`);
  sql.push(`INSERT INTO ${qualified(t)} (${columnList(t)})${overriding(t)}\n  SELECT ${columnList(t)} FROM ${qualified(t, old)};`);
  sql.push(`-- Keys and indexes, built once over the copied rows, on the parent and every partition.`);
  for (const k of keys) sql.push(`ALTER TABLE ${qualified(t)} ADD CONSTRAINT ${q(k.name)} ${k.definition};`);
  for (const i of t.indexes) sql.push(`${i.definition};`);
  for (const k of t.constraints) {
    if (k.comment !== null && k.type !== 'f') sql.push(`COMMENT ON CONSTRAINT ${q(k.name)} ON ${qualified(t)} IS ${quoteLiteral(k.comment)};`);
  }
  for (const i of t.indexes) if (i.comment !== null) sql.push(`COMMENT ON INDEX ${qualified(t, i.name)} IS ${quoteLiteral(i.comment)};`);
  if (t.comment !== null) sql.push(`COMMENT ON TABLE ${qualified(t)} IS ${quoteLiteral(t.comment)};`);
  for (const s of t.sequences) {
    // A serial's sequence is kept (it would go with the old table); an identity column got a new
    // sequence from LIKE ... INCLUDING IDENTITY, which must go on where the old one stopped.
    if (!s.identity) sql.push(`ALTER SEQUENCE ${s.sequence} OWNED BY ${qualified(t)}.${q(s.column)};`);
    else {
      sql.push(
        `SELECT setval(pg_get_serial_sequence(${quoteLiteral(`${q(t.schema)}.${q(t.name)}`)}, ${quoteLiteral(s.column)}), last_value, is_called) FROM ${s.sequence};`,
      );
    }
  }
  sql.push(...rowSecurity(t, t.name));
  sql.push(...t.grants, ...t.triggers);
  for (const p of t.publications) {
    const cols = p.columns ? ` (${p.columns.map(q).join(', ')})` : '';
    sql.push(`ALTER PUBLICATION ${q(p.name)} ADD TABLE ${qualified(t)}${cols}${p.rowFilter ? ` WHERE (${p.rowFilter})` : ''};`);
  }
  sql.push(`DROP TABLE ${qualified(t, old)};`);
  return {
    phase: 'main',
    table: t.id,
    title: `Rebuild ${t.id} partitioned by site${column ? ` and by month on ${column}` : ''}`,
    why: column
      ? `Sites ${layout.sites.join(', ')} get partitions of their own and the rest share DEFAULT; inside each, one partition per month from ${months[0]} to ${months.at(-1)}.`
      : `Sites ${layout.sites.join(', ')} get partitions of their own and the rest share DEFAULT.`,
    sql,
  };
}

// ---------------------------------------------------------------------------------------------
// months

/**
 * The month partitions missing from now to now + ahead (and, with `span`, over that span too:
 * the seeder asks for the months of its history window before it loads).
 */
export function monthsPlan(snapshot: CatalogSnapshot, options: PlanOptions & { ahead: number; span?: { from: Month; to: Month } }): PartitionPlan {
  const layout = { ...(options.layout ?? PARTITION_LAYOUT), monthsAhead: options.ahead };
  const steps: Step[] = [];
  for (const t of snapshot.tables) {
    const column = monthlyColumn(layout, t);
    if (!t.partitioned || !column) continue;
    const wanted = wantedMonths(t, options, layout, options.span);
    const sql: string[] = [];
    for (const p of sitePartitions(t)) {
      const have = new Set(monthsOf(p));
      sql.push(...createMonths(t, p.name, wanted.filter((m) => !have.has(m)), snapshot.currentUser));
    }
    if (sql.length > 0) {
      steps.push({
        phase: 'main',
        table: t.id,
        title: `Create the missing months of ${t.id}`,
        why: `Every site partition gets one partition per month up to ${wanted.at(-1)}. There is no DEFAULT month: a row for a month without a partition would be refused.`,
        sql,
      });
    }
  }
  for (const t of snapshot.monthlyOnly ?? []) {
    // Rows of these tables are written now (an audit row records the present): from the first
    // month they have, or now, to now + ahead, without gaps.
    const wanted = monthRange(minMonth(options.month, ...t.months), maxMonth(addMonths(options.month, layout.monthsAhead), ...t.months));
    const have = new Set(t.months);
    const missing = wanted.filter((m) => !have.has(m));
    if (missing.length === 0) continue;
    steps.push({
      phase: 'main',
      table: t.id,
      title: `Create the missing months of ${t.id}`,
      why: `One partition per month up to ${wanted.at(-1)}: a row for a month without a partition would be refused, and with it the change it records.`,
      sql: missing.flatMap((m) => [
        `CREATE TABLE ${qualified(t, monthPartitionName(t.name, m))} PARTITION OF ${qualified(t)}\n  ${monthBound(m)};`,
        ...(t.owner === snapshot.currentUser ? [] : [`ALTER TABLE ${qualified(t, monthPartitionName(t.name, m))} OWNER TO ${q(t.owner)};`]),
        ...t.partitionTriggers.map((def) => def.replaceAll('{partition}', qualified(t, monthPartitionName(t.name, m)))),
      ]),
    });
  }
  return { kind: 'months', steps, notes: [] };
}

// ---------------------------------------------------------------------------------------------
// add

/**
 * Give `site` its own partitions. Its rows sit in the DEFAULT partitions; PostgreSQL refuses a
 * new partition while DEFAULT holds rows for it, and DETACHing DEFAULT to empty it would hold an
 * ACCESS EXCLUSIVE lock on the whole table for the entire move.
 *
 * Phase 1 (move), tables that reference others last to first: lock only the DEFAULT partitions
 * against writes (SHARE mode: reads go on), build each new partition as a stand-alone table,
 * copy the site's rows into it, build its keys and indexes, and delete the rows from DEFAULT.
 * Referencing rows move before the rows they reference, so no ON DELETE action fires.
 * Phase 2 (attach), tables first to last: ATTACH each new table. A CHECK (region = site) on it
 * spares PostgreSQL a scan; it scans DEFAULT once to prove the site is gone, and checks the moved
 * rows' foreign keys. This is the only phase with strong locks, and `add` reports its duration.
 */
export function addSitePlan(snapshot: CatalogSnapshot, rawSite: string, options: PlanOptions): PartitionPlan {
  const site = checkSite(rawSite);
  const layout = options.layout ?? PARTITION_LAYOUT;
  requirePartitioned(snapshot, 'add');
  const todo = snapshot.tables.filter((t) => !sitePartitions(t).some((p) => siteOf(p) === site));
  if (todo.length === 0) return { kind: 'add', steps: [], notes: [`${site} already has its own partitions`] };
  // The move deletes the site's rows from DEFAULT (published) and inserts them into a table that
  // is in no publication until it is attached (not published): a subscriber that receives the
  // site's rows would lose them. Publications filtered to another site (the read layer's
  // ecomdb_site_* for the other sites) never see these rows and are no obstacle.
  for (const t of todo) {
    const pub = t.publications.find((p) => publishesSite(p.rowFilter, site));
    if (pub) {
      throw new EcomdbError('E_PARTITION_STATE', `cannot add ${site}: publication ${pub.name} publishes ${site}'s rows of ${t.id}, and its subscribers would see them deleted and never inserted again`, {
        hint: `remove ${t.id} from ${pub.name}, run add, add the table back and refresh the subscription (ALTER SUBSCRIPTION ... REFRESH PUBLICATION WITH (copy_data = true))`,
      });
    }
  }
  const ordered = rootsFirst(todo, snapshot.foreignKeys);
  const defaults = ordered.map((t) => ({ t, d: defaultOf(t) }));
  const move: Step[] = [
    {
      phase: 'move',
      title: `Stop writes to the DEFAULT partitions while ${site}'s rows leave them`,
      why: 'SHARE mode blocks INSERT, UPDATE and DELETE on DEFAULT only; reads go on, and the sites with partitions of their own are not touched.',
      sql: [`LOCK TABLE ${defaults.map(({ t, d }) => qualified(t, d.name)).join(', ')} IN SHARE MODE;`],
    },
  ];
  const attach: Step[] = [];
  for (const { t, d } of [...defaults].reverse()) {
    const name = sitePartitionName(t.name, site);
    const column = monthlyColumn(layout, t);
    // Every month the layout wants now; the range spans every existing month, DEFAULT's included.
    const months = column ? wantedMonths(t, options, layout) : [];
    const sql: string[] = [
      `CREATE TABLE ${qualified(t, name)} (LIKE ${qualified(t)} INCLUDING DEFAULTS INCLUDING CONSTRAINTS\n  INCLUDING STORAGE INCLUDING COMPRESSION INCLUDING GENERATED)${column ? `\n  PARTITION BY RANGE (${q(column)})` : ''};`,
      ...ownedBy(t, name, snapshot.currentUser),
      ...rowSecurity(t, name),
      ...(column ? createMonths(t, name, months, snapshot.currentUser) : []),
      `ALTER TABLE ${qualified(t, name)} ADD CONSTRAINT ${q(checkedName(`${name}_site_check`))} CHECK (${q(REGION_COLUMN)} = ${quoteLiteral(site)});`,
      `INSERT INTO ${qualified(t, name)} (${columnList(t)})${overriding(t)}\n  SELECT ${columnList(t)} FROM ${qualified(t, d.name)} WHERE ${q(REGION_COLUMN)} = ${quoteLiteral(site)};`,
      `DELETE FROM ${qualified(t, d.name)} WHERE ${q(REGION_COLUMN)} = ${quoteLiteral(site)};`,
      ...t.constraints.filter((k) => k.type === 'p' || k.type === 'u').map((k) => `ALTER TABLE ${qualified(t, name)} ADD ${k.definition};`),
      ...t.indexes.map((i) => indexOn(i.definition, qualified(t, name))),
    ];
    move.push({
      phase: 'move',
      table: t.id,
      title: `Build ${t.schema}.${name} from ${site}'s rows in ${t.schema}.${d.name}`,
      why: 'A stand-alone table for now, with the keys and indexes of the parent, so that ATTACH has nothing to build.',
      sql,
    });
  }
  for (const { t } of defaults) {
    const name = sitePartitionName(t.name, site);
    attach.push({
      phase: 'attach',
      table: t.id,
      title: `Attach ${t.schema}.${name} to ${t.id}`,
      sql: [
        `ALTER TABLE ${qualified(t)} ATTACH PARTITION ${qualified(t, name)} FOR VALUES IN (${quoteLiteral(site)});`,
        `ALTER TABLE ${qualified(t, name)} DROP CONSTRAINT ${q(checkedName(`${name}_site_check`))};`,
      ],
    });
  }
  // Analysed while still stand-alone, so that the strong-lock phase does not wait for it.
  move.push({ phase: 'move', title: 'Statistics for the new partitions', sql: defaults.map(({ t }) => `ANALYZE ${qualified(t, sitePartitionName(t.name, site))};`) });
  return { kind: 'add', steps: [...move, ...attach], notes: [] };
}

/**
 * Indexes are named after their table (orders_mlc_pkey) and move with it into the archive, where
 * a later detach of the same site would bring indexes of the very same names: they take the new
 * table name too (orders_mlc_2026_pkey), or, when PostgreSQL had shortened the name, the new table
 * name and a hash. Index names are not in the snapshot, so the statement finds them as it runs.
 */
function renameIndexes(schema: string, renames: readonly { from: string; to: string }[]): string[] {
  const moved = renames.filter((r) => r.from !== r.to);
  if (moved.length === 0) return [];
  const pairs = moved.map((r) => `(${quoteLiteral(r.from)}, ${quoteLiteral(r.to)})`).join(', ');
  return [
    `DO $$ DECLARE i record; BEGIN
  FOR i IN SELECT ic.relname AS name,
                  CASE WHEN left(ic.relname, length(m.old_table)) = m.old_table
                            AND length(m.new_table) + length(ic.relname) - length(m.old_table) <= 63
                       THEN m.new_table || substr(ic.relname, length(m.old_table) + 1)
                       -- A name PostgreSQL shortened (long table and column names), or one that would not fit.
                       ELSE left(m.new_table, 50) || '_' || left(md5(m.new_table || '/' || ic.relname), 8) || '_idx' END AS new_name
             FROM (VALUES ${pairs}) m(old_table, new_table)
             JOIN pg_class t ON t.relname = m.old_table AND t.relnamespace = ${quoteLiteral(quoteIdent(schema))}::regnamespace
             JOIN pg_index x ON x.indrelid = t.oid JOIN pg_class ic ON ic.oid = x.indexrelid LOOP
    EXECUTE format('ALTER INDEX %I.%I RENAME TO %I', ${quoteLiteral(schema)}, i.name, i.new_name);
  END LOOP;
END $$;`,
  ];
}

/** Whether a publication with this row filter can carry `site`'s rows: only `region = 'OTHER'` is known not to. */
export function publishesSite(rowFilter: string | null, site: string): boolean {
  if (rowFilter === null) return true;
  const m = /^\(*\s*"?region"?\s*=\s*'([A-Z]+)'(?:::[a-z ]+)?\s*\)*$/.exec(rowFilter.trim());
  return m === null || m[1] === site;
}

function requirePartitioned(snapshot: CatalogSnapshot, verb: string): void {
  const plain = snapshot.tables.find((t) => !t.partitioned);
  if (plain) {
    throw new EcomdbError('E_PARTITION_STATE', `cannot ${verb}: ${plain.id} is not partitioned yet`, { hint: 'run `ecomdb partition apply` first' });
  }
}

function defaultOf(t: TableState): Partition {
  const d = t.partitions.find((p) => p.bound.kind === 'default');
  if (!d) throw new EcomdbError('E_PARTITION_STATE', `${t.id} has no DEFAULT partition`, { hint: 'run `ecomdb partition apply` to restore the declared layout' });
  return d;
}

// ---------------------------------------------------------------------------------------------
// detach

/** The name a --to-table template gives `table` of `site`. */
function toTableName(template: string, table: string, site: string): string {
  return template.replaceAll('{table}', table).replaceAll('{region}', site.toLowerCase());
}

/**
 * A --to-table template is usable: it names each table ({table}) and, filled with the longest
 * table name, still fits PostgreSQL's 63 bytes. Checked before the database is opened.
 */
export function checkToTable(template: string, site: string, tables: readonly string[]): void {
  if (!template.includes('{table}')) {
    throw new EcomdbError('E_USAGE', `--to-table "${template}" must contain {table}: every region-scoped table is detached`, {
      hint: 'for example --to-table {table}_{region}_2026',
    });
  }
  for (const table of tables) {
    const name = toTableName(template, table, site);
    quoteIdent(name);
    // Renamed in the live schema before it moves, it cannot take the name of the live table (or
    // of its site partition, which is what no --to-table means).
    if (name === table) {
      throw new EcomdbError('E_USAGE', `--to-table "${template}" gives ${table} the name of the live table`, { hint: 'for example --to-table {table}_{region}_2026' });
    }
  }
}

/**
 * Take `site`'s partitions out of the live tables and into the archive schema, where verify and
 * the application do not look. Referencing tables go first, and each detached table drops the
 * foreign keys it inherited (they point into the live tables, which no longer hold its rows'
 * parents); keys, checks and indexes stay. DETACH ... CONCURRENTLY would lock less, but
 * PostgreSQL refuses it while a DEFAULT partition exists, so each DETACH takes an ACCESS
 * EXCLUSIVE lock on its table until the COMMIT; it copies nothing, and for a referenced table
 * PostgreSQL checks that no row still points into the partition.
 */
export function detachSitePlan(snapshot: CatalogSnapshot, rawSite: string, toTable: string | undefined, layout: PartitionLayout = PARTITION_LAYOUT): PartitionPlan {
  const site = checkSite(rawSite);
  if (toTable !== undefined) checkToTable(toTable, site, snapshot.tables.map((t) => t.name));
  requirePartitioned(snapshot, 'detach');
  const have = snapshot.tables.filter((t) => sitePartitions(t).some((p) => siteOf(p) === site));
  if (have.length === 0) return { kind: 'detach', steps: [], notes: [`${site} has no partitions of its own (nothing to detach)`] };
  const archive = layout.archiveSchema;
  const steps: Step[] = [
    {
      phase: 'main',
      slug: 'archive_schema',
      title: `Make sure the ${archive} schema exists`,
      sql: [`CREATE SCHEMA IF NOT EXISTS ${q(archive)};`],
    },
  ];
  for (const t of rootsFirst(have, snapshot.foreignKeys).reverse()) {
    const p = sitePartitions(t).find((x) => siteOf(x) === site)!;
    const target = toTable ? checkedName(toTableName(toTable, t.name, site)) : p.name;
    const fks = snapshot.foreignKeys.filter((k) => k.table === t.id);
    // Renamed while still in the live schema, so that the names in the archive are the new ones;
    // the month partitions follow their parent's new name (orders_mco_2026 -> orders_mco_2026_2026_10).
    const children = p.children.map((c) => ({ from: c.name, to: c.bound.kind === 'month' ? monthPartitionName(target, c.bound.month) : c.name }));
    steps.push({
      phase: 'main',
      table: t.id,
      title: `Detach ${t.schema}.${p.name} from ${t.id} into ${archive}.${target}`,
      sql: [
        `ALTER TABLE ${qualified(t)} DETACH PARTITION ${qualified(t, p.name)};`,
        ...fks.map((k) => `ALTER TABLE ${qualified(t, p.name)} DROP CONSTRAINT ${q(k.name)};`),
        // Ids come from the live table's sequence; the archived rows keep theirs but no longer
        // draw new ones (and a dump of the archive restores without the live sequences).
        ...t.sequences.filter((x) => !x.identity).map((x) => `ALTER TABLE ${qualified(t, p.name)} ALTER COLUMN ${q(x.column)} DROP DEFAULT;`),
        ...renameIndexes(t.schema, [{ from: p.name, to: target }, ...children]),
        ...(target !== p.name ? [`ALTER TABLE ${qualified(t, p.name)} RENAME TO ${q(target)};`] : []),
        ...children.filter((c) => c.to !== c.from).map((c) => `ALTER TABLE ${qualified(t, c.from)} RENAME TO ${q(c.to)};`),
        `ALTER TABLE ${qualified(t, target)} SET SCHEMA ${q(archive)};`,
        ...children.map((c) => `ALTER TABLE ${qualified(t, c.to)} SET SCHEMA ${q(archive)};`),
      ],
    });
  }
  const declared = (layout.sites as readonly string[]).includes(site);
  return {
    kind: 'detach',
    steps,
    notes: [
      declared
        ? `${site} is still declared in schema/partitions.ts: the next \`ecomdb partition apply\` (or \`ecomdb up\`) gives it new, empty partitions again. Remove it from the sites there to keep its rows in DEFAULT.`
        : `${site}'s new rows will go to the DEFAULT partitions from now on`,
    ],
  };
}
