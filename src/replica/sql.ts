/**
 * The SQL of the read layer, as text: the replication role, the publications on the primary (one
 * per site, with a row filter), and a read node's subscription and residency check. Pure: planning
 * turns these into the files under replicas/, executors and tests run them. Every name goes through
 * quoteIdent / quoteLiteral. The files are psql scripts (\gexec, \if, \getenv) so that they can be
 * run again safely and keep secrets off command lines.
 */
import { SITE_IDS, type SiteId } from '../../schema/values.ts';
import { quoteIdent, quoteLiteral } from '../ident.ts';
import { REGION_COLUMN } from '../../schema/regions.ts';
import { qualified, type ReplicatedTable } from './tables.ts';
import {
  REFERENCE_PUBLICATION,
  sitePublicationName,
  subscriptionName,
  type ReadNodeDeclaration,
  type Topology,
} from './topology.ts';

/** Lines of `-- ` comments. */
export function comment(...lines: string[]): string {
  return lines.map((l) => (l ? `-- ${l}` : '--')).join('\n');
}

const list = (items: readonly string[], indent = '  '): string => items.map((i) => `${indent}${i}`).join(',\n');
const sitesLiteral = (sites: readonly SiteId[]): string => sites.map(quoteLiteral).join(', ');

/** The sites some read node serves, in the order of SITE_IDS. */
export function servedSites(topology: Topology): SiteId[] {
  const served = new Set(topology.readNodes.flatMap((n) => n.sites));
  return SITE_IDS.filter((s) => served.has(s));
}

/** The publications a read node subscribes to: the reference tables, and one per site it serves. */
export function nodePublications(node: ReadNodeDeclaration): string[] {
  return [REFERENCE_PUBLICATION, ...node.sites.map(sitePublicationName)];
}

/** `SELECT 'CREATE ...' WHERE NOT EXISTS (...) \gexec`: create once, as CREATE has no IF NOT EXISTS. */
function createOnce(create: string, exists: string): string {
  return `SELECT ${quoteLiteral(create)} WHERE NOT EXISTS (${exists}) \\gexec`;
}

/** replication-role.sql: the role standbys and read nodes connect as. */
export function replicationRoleSql(topology: Topology): string {
  const role = quoteIdent(topology.replicationRole);
  return [
    comment('psql reads the password from the environment, so that it never appears on a command line;', 'the server keeps only its SCRAM verifier.'),
    '\\getenv replication_password ECOMDB_REPLICATION_PASSWORD',
    '',
    createOnce(`CREATE ROLE ${role}`, `SELECT FROM pg_roles WHERE rolname = ${quoteLiteral(topology.replicationRole)}`),
    '',
    comment(
      'REPLICATION lets it stream WAL (standbys) and decode it (read nodes); no superuser, no CREATEDB',
      'or CREATEROLE, no inherited privileges. BYPASSRLS: a read node\'s first copy of a table is a',
      'SELECT under row-level security, which shows a role without a policy no row; the publications\'',
      'row filters, not policies, decide which sites it receives.',
      'REPLICATION alone already lets a role copy the whole cluster with pg_basebackup: guard its',
      'password like a superuser\'s. pg_hba.conf admits it only from the declared standbys and read nodes.',
    ),
    `ALTER ROLE ${role} WITH LOGIN REPLICATION NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT BYPASSRLS PASSWORD :'replication_password';`,
    '',
  ].join('\n');
}

/** A publication created if missing, then set to exactly these tables and options (re-runnable). */
function publication(name: string, why: string[], tables: readonly string[]): string {
  const pub = quoteIdent(name);
  return [
    comment(`${name}: ${why[0]}`, ...why.slice(1)),
    createOnce(`CREATE PUBLICATION ${pub}`, `SELECT FROM pg_publication WHERE pubname = ${quoteLiteral(name)}`),
    `ALTER PUBLICATION ${pub} SET TABLE\n${list(tables)};`,
    `ALTER PUBLICATION ${pub} SET (publish = 'insert, update, delete', publish_via_partition_root = true);`,
    '',
  ].join('\n');
}

/** The row filter of a site: `WHERE ("region" = 'MLA')`. */
const siteFilter = (site: SiteId): string => `WHERE (${quoteIdent(REGION_COLUMN)} = ${quoteLiteral(site)})`;

/** One publication per site some read node serves: every region-scoped table, filtered to that site's rows. */
function sitePublicationsSql(topology: Topology, tables: readonly ReplicatedTable[]): string {
  const regional = tables.filter((t) => t.regional);
  return servedSites(topology)
    .map((site) =>
      publication(
        sitePublicationName(site),
        [`the rows of site ${site} in every region-scoped table.`, 'The row filter runs on the primary: rows of other sites never leave it.'],
        regional.map((t) => `${qualified(t)} ${siteFilter(site)}`),
      ),
    )
    .join('\n');
}

/** publications.sql: the grants of the replication role and the publications read nodes subscribe to. */
export function publicationsSql(topology: Topology, tables: readonly ReplicatedTable[]): string {
  const role = quoteIdent(topology.replicationRole);
  const schemas = [...new Set(tables.map((t) => t.schema))].map(quoteIdent);
  const reference = tables.filter((t) => !t.regional).map(qualified);
  return [
    comment(
      'The initial copy of a subscription reads each table with COPY as the replication role: it may',
      'read the replicated tables, and nothing else.',
    ),
    `GRANT USAGE ON SCHEMA ${schemas.join(', ')} TO ${role};`,
    `GRANT SELECT ON TABLE\n${list(tables.map(qualified))}\nTO ${role};`,
    '',
    comment(
      'Every publication below publishes inserts, updates and deletes, not TRUNCATE: truncating one',
      'site\'s partition on the primary must not empty a node\'s copy of the whole table.',
      'publish_via_partition_root: a partitioned table (partitions by site) is published as itself, so',
      'that a node whose tables are partitioned differently, or not at all, can apply its changes.',
      'The root\'s row filter is then the one that applies to its partitions. It changes nothing for a',
      'table that is not partitioned.',
    ),
    '',
    publication(REFERENCE_PUBLICATION, ['the global reference tables, every row, for every read node.'], reference),
    comment(
      'Data residency: a read node subscribes to the publications of its own sites only. Each holds',
      'every region-scoped table with a row filter, WHERE (region = \'<site>\'), that the primary',
      'evaluates itself, in the initial copy (COPY (SELECT ... WHERE ...)) and on every change it',
      'decodes from its WAL. A row of another site is never sent to the node: it never leaves the primary.',
      '- A node subscribed to several sites receives a row when any of their filters matches it',
      '  (PostgreSQL ORs the filters of one table across a subscription\'s publications). So a region-',
      '  scoped table must never be in a publication without a filter: one unfiltered entry sends the',
      `  whole table. This is why ${REFERENCE_PUBLICATION} holds the tables without a region column only.`,
      '- A row filter may use built-in types only ("User-defined types are not allowed"): this is why',
      '  region is text with a CHECK on the site ids, not an enum.',
      '- For UPDATE and DELETE the filter may use replica identity columns only (the primary key, by',
      '  default), or the primary refuses those statements on the table: region leads every primary',
      '  key of a region-scoped table. An UPDATE that moves a row out of a node\'s sites reaches the',
      '  node as a DELETE, one that moves a row in as an INSERT.',
    ),
    '',
    sitePublicationsSql(topology, tables),
  ].join('\n');
}

/** subscription.sql: empty the node's tables once, then subscribe with an initial copy. */
export function subscriptionSql(node: ReadNodeDeclaration, tables: readonly ReplicatedTable[]): string {
  const name = subscriptionName(node);
  return [
    comment('psql variable (set by setup.sh): primary_conninfo, the libpq connection string to the primary.'),
    `SELECT NOT EXISTS (SELECT FROM pg_subscription WHERE subname = ${quoteLiteral(name)}) AS fresh \\gset`,
    '\\if :fresh',
    '',
    comment(
      'ecomdb migrate created the tables and also inserted the reference rows (roles, statuses, methods).',
      'The primary\'s rows are the truth: empty every replicated table, then let the initial copy',
      '(copy_data) bring every row this node may hold, reference rows included. Keeping the migration\'s',
      'rows would make the copy of those tables fail on duplicate keys, and the subscription retry forever.',
      'This runs once, before the subscription exists; never on a node that holds data.',
    ),
    `TRUNCATE TABLE\n${list(tables.map(qualified))};`,
    '',
    comment(
      'The subscription creates its slot on the primary, copies what its publications let through',
      '(every reference row, and the rows of this node\'s sites, filtered on the primary), then applies',
      'the primary\'s changes as they commit, in commit order.',
    ),
    `CREATE SUBSCRIPTION ${quoteIdent(name)}`,
    "  CONNECTION :'primary_conninfo'",
    `  PUBLICATION ${nodePublications(node).map(quoteIdent).join(', ')}`,
    `  WITH (copy_data = true, create_slot = true, slot_name = ${quoteLiteral(name)});`,
    '',
    '\\else',
    `\\echo 'subscription ${name} exists already: nothing to do'`,
    '\\endif',
    '',
  ].join('\n');
}

/** One row per region-scoped table: how many rows of sites other than the node's it holds. */
export function residencyQuery(node: ReadNodeDeclaration, tables: readonly ReplicatedTable[]): string {
  const sites = `ARRAY[${sitesLiteral(node.sites)}]`;
  return tables
    .filter((t) => t.regional)
    .map(
      (t) =>
        `SELECT ${quoteLiteral(`${t.schema}.${t.name}`)} AS table_name, count(*) AS rows_of_other_sites FROM ${qualified(t)} WHERE ${quoteIdent(REGION_COLUMN)} <> ALL (${sites})`,
    )
    .join('\nUNION ALL\n');
}

/** residency-check.sql: list any row of another site, and fail if there is one. */
export function residencyCheckSql(node: ReadNodeDeclaration, tables: readonly ReplicatedTable[]): string {
  const sites = node.sites.join(', ');
  return [
    `CREATE TEMPORARY VIEW residency AS\n${residencyQuery(node, tables)};`,
    '',
    'SELECT table_name, rows_of_other_sites FROM residency WHERE rows_of_other_sites > 0;',
    'SELECT coalesce(sum(rows_of_other_sites), 0) = 0 AS resident FROM residency \\gset',
    '\\if :resident',
    `\\echo 'data residency holds: ${node.name} stores rows of ${sites} only'`,
    '\\else',
    `DO $$ BEGIN RAISE EXCEPTION 'data residency violated: ${node.name} stores rows of sites other than ${sites} (listed above)'; END $$;`,
    '\\endif',
    '',
  ].join('\n');
}
