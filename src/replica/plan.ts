/**
 * Planning the read layer: the topology declaration and the schema's tables in, the files of
 * replicas/ out (scripts, settings, SQL, README), as plain data. Pure and deterministic: the same
 * declaration gives the same bytes, which is what the staleness check relies on.
 */
import { comment, nodePublications, publicationsSql, replicationRoleSql, residencyCheckSql, servedSites, subscriptionSql } from './sql.ts';
import {
  envScript,
  primaryConf,
  primaryHba,
  primaryPublish,
  primarySetup,
  readNodeConf,
  readNodeHba,
  readNodeSetup,
  standbyConf,
  standbyPromote,
  standbySetup,
} from './scripts.ts';
import { replicatedTables, type ReplicatedTable } from './tables.ts';
import { REFERENCE_PUBLICATION, REPLICA_HEADER, sitePublicationName, TOPOLOGY, validateTopology, type Topology } from './topology.ts';

export interface ReplicaFile {
  /** Relative to the replicas folder, with forward slashes. */
  readonly path: string;
  readonly text: string;
  /** Shell scripts are executable. */
  readonly executable: boolean;
  /** One line for the README. */
  readonly summary: string;
}

function sqlFile(title: string, runBy: string, body: string): string {
  return `${comment(title, REPLICA_HEADER, `Run by ${runBy} with psql (it uses psql's \\gexec, \\if and variables).`)}\n\n${body}`;
}

/** Every file of the replicas folder, in a stable order. Throws E_REPLICA_TOPOLOGY for an invalid declaration. */
export function planReplicaFiles(topology: Topology = TOPOLOGY, tables: readonly ReplicatedTable[] = replicatedTables()): ReplicaFile[] {
  validateTopology(topology);
  const primary = topology.primary.name;
  const files: ReplicaFile[] = [];
  const add = (path: string, summary: string, text: string) =>
    files.push({ path, summary, text, executable: path.endsWith('.sh') && path !== 'env.sh' });

  add('env.sh', 'settings (addresses, ports, folders) and helpers every script sources; each can be overridden from the environment', envScript(topology));

  add(`${primary}/setup.sh`, 'step 1: create or configure the primary, start it, create the database and the replication role', primarySetup(topology));
  add(`${primary}/replication.conf`, 'wal_level, WAL senders, slots, hot_standby: included from the primary\'s postgresql.conf', primaryConf(topology));
  add(`${primary}/pg_hba.conf`, 'who may connect: the replication role only from the declared standbys and read nodes', primaryHba(topology));
  add(
    `${primary}/replication-role.sql`,
    'the replication role, with the least privilege replication needs',
    sqlFile('The role standbys and read nodes connect to the primary as.', `${primary}/setup.sh`, replicationRoleSql(topology)),
  );
  add(`${primary}/publish.sh`, 'step 2 (after ecomdb migrate): the publications', primaryPublish(topology));
  add(
    `${primary}/publications.sql`,
    'one publication of the reference tables, and one per site with a row filter on region',
    sqlFile('What the read nodes may subscribe to, and what the replication role may read.', `${primary}/publish.sh`, publicationsSql(topology, tables)),
  );

  for (const standby of topology.standbys) {
    const dir = standby.name;
    add(`${dir}/setup.sh`, 'step 3: slot, pg_basebackup -R, settings, start, check', standbySetup(topology, standby));
    add(`${dir}/postgresql.conf`, 'hot standby settings, and the primary\'s (it may be promoted)', standbyConf(topology, standby));
    add(`${dir}/pg_hba.conf`, 'the primary\'s rules: after a promotion, the others connect here', primaryHba(topology));
    add(`${dir}/promote.sh`, 'failover: make this standby the primary', standbyPromote(topology, standby));
  }

  for (const node of topology.readNodes) {
    const dir = node.name;
    add(`${dir}/setup.sh`, `step 4: a cluster holding ${node.sites.join(' and ')}: schema from the migrations, subscription, residency check`, readNodeSetup(topology, node));
    add(`${dir}/postgresql.conf`, 'logical replication workers of a subscriber', readNodeConf(node));
    add(`${dir}/pg_hba.conf`, 'no replication connections', readNodeHba(node));
    add(
      `${dir}/subscription.sql`,
      `empty the freshly migrated tables once, then subscribe to the reference tables and to ${node.sites.join(' and ')}, with an initial copy`,
      sqlFile(`The subscription of the read node "${node.name}" to the primary.`, `${dir}/setup.sh`, subscriptionSql(node, tables)),
    );
    add(
      `${dir}/residency-check.sql`,
      'fails if the node stores a row of another site; run it any time',
      sqlFile(`Data residency check of the read node "${node.name}".`, `${dir}/setup.sh`, residencyCheckSql(node, tables)),
    );
  }

  files.unshift({ path: 'README.md', summary: 'this file', executable: false, text: readme(topology, tables, files) });
  return files;
}

function readme(topology: Topology, tables: readonly ReplicatedTable[], files: readonly ReplicaFile[]): string {
  const p = topology.primary.name;
  const rows = files.map((f) => `| \`${f.path}\` | ${f.summary} |`);
  const code = (x: string) => `\`${x}\``;
  const reference = tables.filter((t) => !t.regional).map((t) => code(t.name));
  const subscriptions = topology.readNodes.map(
    (n) => `${code(n.name)} subscribes to ${nodePublications(n).map(code).join(', ')} (${code(`${n.name}/subscription.sql`)}).`,
  );
  const site = topology.readNodes[0]?.sites[0] ?? 'MLA';
  const nodes = [
    `- **${p}** (port ${topology.primary.port}): takes every write.`,
    ...topology.standbys.map((s) => `- **${s.name}** (port ${s.port}): physical streaming standby; reads, and failover.`),
    ...topology.readNodes.map((n) => `- **${n.name}** (port ${n.port}): regional read node for ${n.sites.join(' and ')} (logical replication).`),
  ];
  return `# replicas/

The read layer of the paper: scripts that build it, generated by \`ecomdb replica generate\` from the
topology declared in \`src/replica/topology.ts\`. Do not edit these files: change the topology and
generate again; a test fails when they differ from a fresh generation.

${nodes.join('\n')}

Run the steps in order, as root or as the \`postgres\` OS user (as root, PostgreSQL's programs run as
\`postgres\`). Settings come from \`env.sh\` and can be overridden from the environment:

\`\`\`sh
export ECOMDB_REPLICATION_PASSWORD=...   # the replication role's password
export ECOMDB_ADMIN_PASSWORD=...         # the superuser's password on new clusters (ecomdb migrate uses it)
${p}/setup.sh
DATABASE_URL=postgres://postgres@127.0.0.1:${topology.primary.port}/${topology.database} PGPASSWORD=$ECOMDB_ADMIN_PASSWORD ecomdb migrate
${p}/publish.sh
${topology.standbys.map((s) => `${s.name}/setup.sh`).join('\n')}
${topology.readNodes.map((n) => `${n.name}/setup.sh`).join('\n')}
\`\`\`

\`ecomdb replica up --local\` does exactly this on one machine, in a working folder, on free ports;
\`ecomdb replica status\` then shows each node's role, lag, slot and subscription, \`ecomdb replica promote
standby1\` fails over, and \`ecomdb replica down --local\` removes it all.

## Data residency

A regional read node holds the reference tables and the rows of its own sites; the rows of other
sites never leave the primary. \`${p}/publications.sql\` creates:

- ${code(REFERENCE_PUBLICATION)}: every row of the global reference tables (${reference.join(', ')});
- one publication per site a read node serves (${servedSites(topology).map(sitePublicationName).map(code).join(', ')}): every
  region-scoped table with that site's row filter, e.g. \`WHERE (region = '${site}')\`.

A read node subscribes to the reference publication and to the publications of its own sites:
${subscriptions.join('\n')}

The primary evaluates the row filters itself, in a subscription's initial copy and on every change
it streams, so a row of another site is never sent. A node that serves several sites receives a row
when any of its publications' filters matches it (PostgreSQL ORs them); a region-scoped table must
therefore never be published without a filter, which is why the reference publication holds only
tables without a \`region\` column. Two properties of the schema make the filters possible:
\`region\` is \`text\` with a CHECK on the site ids (a row filter refuses user-defined types such as
an enum), and it leads every primary key (for UPDATE and DELETE a filter may only use columns of the
replica identity). Every publication sets \`publish_via_partition_root = true\`: once the tables are
partitioned by site, a node receives each change as a change of the table itself, filtered by the
table's row filter.

\`residency-check.sql\` counts, in every region-scoped table of a read node, the rows of other sites
and fails if there is one: \`setup.sh\` runs it after the initial copy, and it can be run any time.

## Files

| file | what it does |
|---|---|
${rows.join('\n')}
`;
}
