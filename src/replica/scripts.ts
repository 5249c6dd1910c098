/**
 * The shell scripts and configuration files of the read layer, as text. Pure. Every value that
 * reaches a script comes from the validated topology (names match [a-z][a-z0-9_]*) or from
 * env.sh, whose variables a run may override.
 */
import { quoteLiteral } from '../ident.ts';
import { envPrefix, REPLICA_HEADER, slotName, subscriptionName, type NodeDeclaration, type ReadNodeDeclaration, type Topology } from './topology.ts';

/** Lines of `# ` comments. */
export function hash(...lines: string[]): string {
  return lines.map((l) => (l ? `# ${l}` : '#')).join('\n');
}

const script = (lines: string[]): string => `#!/usr/bin/env bash\n${lines.join('\n')}\n`;

/** Sizes the primary's replication settings from the topology (comments say why). */
export function replicationSizing(topology: Topology): { walSenders: number; slots: number } {
  const standbys = topology.standbys.length;
  const nodes = topology.readNodes.length;
  // A standby streams on one sender; a subscription on one, plus one per table it copies at once
  // (max_sync_workers_per_subscription = 2); a pg_basebackup -X stream takes two; two spare.
  const walSenders = Math.max(10, standbys + nodes * 3 + 2 + 2);
  // A slot per standby and per subscription, plus the temporary slots of the initial copy; two spare.
  const slots = Math.max(10, standbys + nodes * 3 + 2);
  return { walSenders, slots };
}

/** The replication settings shared by the primary and its standbys (a standby may become the primary). */
function replicationSettings(topology: Topology): string[] {
  const { walSenders, slots } = replicationSizing(topology);
  const standbys = topology.standbys.map((s) => s.name).join(', ');
  const nodes = topology.readNodes.map((n) => n.name).join(', ');
  return [
    hash(
      '"logical" rather than "replica": read nodes decode the WAL into row changes (logical',
      'replication); physical standbys need only "replica", which "logical" includes.',
    ),
    'wal_level = logical',
    hash(
      `One sender per standby (${standbys}), one per read node's subscription (${nodes}) and one per table`,
      'it copies at once (2), two for a pg_basebackup -X stream, and two spare.',
    ),
    `max_wal_senders = ${walSenders}`,
    hash('One slot per standby and per read node, plus the temporary slots of an initial copy, and spare.'),
    `max_replication_slots = ${slots}`,
    hash(
      'A slot keeps WAL until its standby or node has it. Cap what a dead one can hold, so that it',
      'cannot fill the disk: past the cap its slot is invalidated and the node must be rebuilt.',
    ),
    'max_slot_wal_keep_size = 4GB',
    hash('Ignored while the server is a primary; a base backup of it starts as a read-only standby.'),
    'hot_standby = on',
    hash('Passwords are kept as SCRAM verifiers (pg_hba.conf asks for scram-sha-256).'),
    'password_encryption = scram-sha-256',
  ];
}

/** primary/replication.conf: included from the primary's postgresql.conf by setup.sh. */
export function primaryConf(topology: Topology): string {
  return [
    hash(`Replication settings of the primary "${topology.primary.name}", included from its postgresql.conf by setup.sh.`, REPLICA_HEADER),
    '',
    `listen_addresses = '${topology.primary.host}'`,
    ...replicationSettings(topology),
    '',
  ].join('\n');
}

/** standby/postgresql.conf: the primary's settings (it may be promoted) and the standby's own. */
export function standbyConf(topology: Topology, standby: NodeDeclaration): string {
  return [
    hash(`Settings of the physical standby "${standby.name}", included from its postgresql.conf by setup.sh.`, REPLICA_HEADER),
    '',
    `listen_addresses = '${standby.host}'`,
    hash('Shown as application_name in the primary\'s pg_stat_replication.'),
    `cluster_name = '${standby.name}'`,
    hash('The primary\'s settings, so that this standby can become the primary (and must match it: a hot', 'standby refuses to start with fewer WAL senders or worker processes than its primary).'),
    ...replicationSettings(topology),
    hash(
      'Tell the primary which rows this standby\'s queries still read, so that VACUUM there keeps them',
      'and long BI queries here are not cancelled; the price is some bloat on the primary.',
    ),
    'hot_standby_feedback = on',
    hash('How long replay may wait for a query that conflicts with it before cancelling the query.'),
    'max_standby_streaming_delay = 30s',
    '',
  ].join('\n');
}

/** read-node/postgresql.conf. */
export function readNodeConf(node: ReadNodeDeclaration): string {
  return [
    hash(`Settings of the regional read node "${node.name}", included from its postgresql.conf by setup.sh.`, REPLICA_HEADER),
    '',
    `listen_addresses = '${node.host}'`,
    `cluster_name = '${node.name}'`,
    hash('A subscription runs one apply worker, and up to two table-copy workers during its initial copy.'),
    'max_logical_replication_workers = 4',
    'max_sync_workers_per_subscription = 2',
    hash('Background workers, logical replication workers included.'),
    'max_worker_processes = 8',
    hash('On a subscriber this bounds the replication origins that track what was applied.'),
    'max_replication_slots = 10',
    'password_encryption = scram-sha-256',
    '',
  ].join('\n');
}

const hbaRow = (cells: string[], note = ''): string =>
  `${cells.map((c, i) => (i < cells.length - 1 ? c.padEnd([8, 13, 19, 17][i] ?? 0) : c)).join('')}${note ? `  # ${note}` : ''}`;

export const HBA_BEGIN = '# BEGIN ecomdb replication';
export const HBA_END = '# END ecomdb replication';

/** pg_hba.conf of the primary and its standbys. */
export function primaryHba(topology: Topology): string {
  const role = topology.replicationRole;
  return [
    hash(`Client authentication of the primary and of its standbys (any of them may become the primary).`, REPLICA_HEADER),
    hash('The first line that matches a connection decides; there is no fall-through.'),
    '',
    hbaRow(['# TYPE', 'DATABASE', 'USER', 'ADDRESS', 'METHOD']),
    hash('The DBA: the postgres OS user, through the local socket.'),
    hbaRow(['local', 'all', 'postgres', '', 'peer']),
    HBA_BEGIN,
    hash('Physical standbys stream the whole cluster: "replication" matches physical replication only.'),
    ...topology.standbys.map((s) => hbaRow(['host', 'replication', role, `${s.host}/32`, 'scram-sha-256'], s.name)),
    hash('Read nodes subscribe to publications of one database (a logical replication connection names', 'its database, so "replication" does not match it).'),
    ...topology.readNodes.map((n) => hbaRow(['host', topology.database, role, `${n.host}/32`, 'scram-sha-256'], n.name)),
    hash('The replication role may connect from nowhere else, and to nothing else.'),
    hbaRow(['host', 'all', role, 'all', 'reject']),
    HBA_END,
    hash('Applications and the DBA over TCP on this machine, with a password.'),
    hbaRow(['host', 'all', 'all', '127.0.0.1/32', 'scram-sha-256']),
    '',
  ].join('\n');
}

/** pg_hba.conf of a read node: no replication connections at all. */
export function readNodeHba(node: ReadNodeDeclaration): string {
  return [
    hash(`Client authentication of the read node "${node.name}": it accepts no replication connection.`, REPLICA_HEADER),
    '',
    hbaRow(['# TYPE', 'DATABASE', 'USER', 'ADDRESS', 'METHOD']),
    hash('The DBA: the postgres OS user, through the local socket.'),
    hbaRow(['local', 'all', 'postgres', '', 'peer']),
    hash('Readers (and ecomdb migrate) over TCP on this machine, with a password.'),
    hbaRow(['host', 'all', 'all', '127.0.0.1/32', 'scram-sha-256']),
    '',
  ].join('\n');
}

/** env.sh: the settings and helpers every script sources. */
export function envScript(topology: Topology): string {
  const nodes = [topology.primary, ...topology.standbys, ...topology.readNodes];
  return [
    hash('Settings and helpers shared by every script of the read layer (sourced, not run).', REPLICA_HEADER),
    hash('Every setting can be overridden from the environment, e.g.  PRIMARY_PORT=5432 primary/setup.sh'),
    '# shellcheck shell=bash',
    '',
    hash('PostgreSQL 15 or later (publications with row filters need 15): its programs.'),
    ': "${PG_BIN:=/usr/lib/postgresql/15/bin}"',
    hash('The folder of the clusters these scripts create: data directories, logs, sockets, pgpass.'),
    ': "${ECOMDB_CLUSTERS:=/var/lib/postgresql/ecomdb}"',
    hash('How to run ecomdb (read nodes get their schema from ecomdb\'s migrations).'),
    ': "${ECOMDB:=npx --no-install ecomdb}"',
    hash('The marketplace database, the same on every node (pg_hba.conf names it).'),
    `ECOMDB_DATABASE=${topology.database}`,
    hash('The role standbys and read nodes connect to the primary as (primary/replication-role.sql).'),
    `REPLICATION_ROLE=${topology.replicationRole}`,
    '',
    hash('Each node: its address, its port and its data directory.'),
    ...nodes.flatMap((n) => {
      const p = envPrefix(n);
      return [`: "\${${p}_HOST:=${n.host}}"`, `: "\${${p}_PORT:=${n.port}}"`, `: "\${${p}_DATA:=$ECOMDB_CLUSTERS/${n.name}}"`];
    }),
    '',
    hash('The clusters\' Unix sockets; the postgres OS user administers them through these.'),
    ': "${SOCKET_DIR:=$ECOMDB_CLUSTERS/run}"',
    hash('libpq reads the replication password from this file (write_pgpass), never from a command line.'),
    'export PGPASSFILE="$ECOMDB_CLUSTERS/pgpass"',
    '',
    'step() { printf \'==> %s\\n\' "$*" >&2; }',
    'fail() { printf \'error: %s\\n\' "$*" >&2; exit 1; }',
    '',
    hash('PostgreSQL refuses to run as root: as root, run its programs as the postgres OS user.'),
    'as_postgres() {',
    '  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- env PGPASSFILE="$PGPASSFILE" "$@"; else "$@"; fi',
    '}',
    '',
    hash('psql_at PORT ARGS...: psql as the postgres superuser through the socket of the cluster on PORT.'),
    'psql_at() {',
    '  local port=$1',
    '  shift',
    '  as_postgres "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$SOCKET_DIR" -p "$port" -U postgres "$@"',
    '}',
    '',
    hash('The clusters\' folder and its socket folder, owned by the postgres OS user and private to it.'),
    'make_clusters_dir() {',
    '  if [ "$(id -u)" -eq 0 ]; then',
    '    install -d -o postgres -g postgres -m 0700 "$ECOMDB_CLUSTERS" "$SOCKET_DIR"',
    '  else',
    '    mkdir -p -m 0700 "$ECOMDB_CLUSTERS" "$SOCKET_DIR"',
    '  fi',
    '}',
    '',
    hash('Store the replication password for libpq (pg_basebackup, standbys, subscriptions); : and \\ escaped.'),
    'write_pgpass() {',
    '  : "${ECOMDB_REPLICATION_PASSWORD:?set ECOMDB_REPLICATION_PASSWORD to the password of the replication role}"',
    '  local escaped=${ECOMDB_REPLICATION_PASSWORD//\\\\/\\\\\\\\}',
    '  escaped=${escaped//:/\\\\:}',
    '  printf \'*:*:*:%s:%s\\n\' "$REPLICATION_ROLE" "$escaped" | as_postgres sh -c \'umask 077 && cat > "$1"\' sh "$PGPASSFILE"',
    '}',
    '',
    hash(
      'new_cluster DATA: initdb a cluster. Its superuser "postgres" logs in by peer through the socket,',
      'and over TCP with ECOMDB_ADMIN_PASSWORD when that is set (it is written to a private file for initdb).',
    ),
    'new_cluster() {',
    '  local data=$1',
    '  local password=()',
    '  if [ -n "${ECOMDB_ADMIN_PASSWORD:-}" ]; then',
    '    printf \'%s\\n\' "$ECOMDB_ADMIN_PASSWORD" | as_postgres sh -c \'umask 077 && cat > "$1"\' sh "$data.pw"',
    '    password=(--pwfile="$data.pw")',
    '  fi',
    '  as_postgres "$PG_BIN/initdb" -D "$data" -U postgres -E UTF8 --locale=C \\',
    '    --auth-local=peer --auth-host=scram-sha-256 "${password[@]}" >/dev/null',
    '  rm -f "$data.pw"',
    '}',
    '',
    hash('install_conf FILE DATA NAME: copy FILE to DATA/NAME and include it from DATA/postgresql.conf (once).'),
    'install_conf() {',
    '  local file=$1 data=$2 name=$3',
    '  as_postgres cp "$file" "$data/$name"',
    '  if ! grep -qxF "include \'$name\'" "$data/postgresql.conf" 2>/dev/null; then',
    '    printf "include \'%s\'\\n" "$name" | as_postgres tee -a "$data/postgresql.conf" >/dev/null',
    '  fi',
    '}',
    '',
    hash('start_cluster DATA PORT: start the cluster on PORT (TCP and a socket in SOCKET_DIR); wait until it accepts connections.'),
    'start_cluster() {',
    '  as_postgres "$PG_BIN/pg_ctl" -D "$1" -l "$1.log" -w -t 60 -o "-p $2 -k \'$SOCKET_DIR\'" start >/dev/null',
    '}',
    '',
    hash('wait_for SECONDS WHAT COMMAND...: run COMMAND every 0.2 s until it succeeds; fail after SECONDS.'),
    'wait_for() {',
    '  local seconds=$1 what=$2 i',
    '  shift 2',
    '  for ((i = 0; i < seconds * 5; i++)); do',
    '    if "$@" >/dev/null 2>&1; then return 0; fi',
    '    sleep 0.2',
    '  done',
    '  fail "timed out after ${seconds}s waiting for $what"',
    '}',
    '',
  ].join('\n');
}

const prologue = (): string[] => ['set -euo pipefail', 'HERE=$(cd "$(dirname "$0")" && pwd)', '# shellcheck source=../env.sh', 'source "$HERE/../env.sh"'];

/** primary/setup.sh. */
export function primarySetup(topology: Topology): string {
  const p = envPrefix(topology.primary);
  return script([
    hash(
      `The primary "${topology.primary.name}": the one server that takes every write.`,
      '  1. create the cluster if PRIMARY_DATA holds none (a new server, or the local lab);',
      '  2. turn on what replication needs (replication.conf) and admit the standbys and read nodes',
      '     (pg_hba.conf: the whole file for a new cluster, our marked block appended to an existing one);',
      '  3. start it, or restart it so that wal_level applies;',
      '  4. create the database and the replication role (replication-role.sql).',
      'Next: migrate the database (ecomdb migrate), then run publish.sh.',
      'Needs ECOMDB_REPLICATION_PASSWORD; ECOMDB_ADMIN_PASSWORD (optional) lets the superuser log in over TCP.',
      'On a Debian server whose configuration lives in /etc/postgresql, include replication.conf and merge',
      'the marked block of pg_hba.conf there by hand, and restart with pg_ctlcluster instead.',
      REPLICA_HEADER,
    ),
    ...prologue(),
    ': "${ECOMDB_REPLICATION_PASSWORD:?set ECOMDB_REPLICATION_PASSWORD to the password of the replication role}"',
    `DATA=$${p}_DATA`,
    `PORT=$${p}_PORT`,
    'make_clusters_dir',
    '',
    'new=0',
    'if [ ! -f "$DATA/PG_VERSION" ]; then',
    '  step "1/4 create the cluster in $DATA"',
    '  new_cluster "$DATA"',
    '  new=1',
    'fi',
    '',
    'step "2/4 replication settings and client authentication"',
    'install_conf "$HERE/replication.conf" "$DATA" ecomdb-replication.conf',
    'if [ "$new" -eq 1 ]; then',
    '  as_postgres cp "$HERE/pg_hba.conf" "$DATA/pg_hba.conf"',
    `elif ! grep -qxF '${HBA_BEGIN}' "$DATA/pg_hba.conf"; then`,
    `  sed -n '/^${HBA_BEGIN}$/,/^${HBA_END}$/p' "$HERE/pg_hba.conf" | as_postgres tee -a "$DATA/pg_hba.conf" >/dev/null`,
    'fi',
    '',
    'if as_postgres "$PG_BIN/pg_ctl" -D "$DATA" status >/dev/null; then',
    '  step "3/4 restart (wal_level changes need a restart)"',
    '  as_postgres "$PG_BIN/pg_ctl" -D "$DATA" -l "$DATA.log" -w -t 60 -m fast -o "-p $PORT -k \'$SOCKET_DIR\'" restart >/dev/null',
    'else',
    '  step "3/4 start on port $PORT"',
    '  start_cluster "$DATA" "$PORT"',
    'fi',
    '',
    'step "4/4 database $ECOMDB_DATABASE and role $REPLICATION_ROLE"',
    'psql_at "$PORT" -d postgres -v db="$ECOMDB_DATABASE" <<\'SQL\'',
    "SELECT format('CREATE DATABASE %I', :'db') WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'db') \\gexec",
    'SQL',
    'psql_at "$PORT" -d postgres -f "$HERE/replication-role.sql"',
    '[ "$(psql_at "$PORT" -d postgres -tAc \'SHOW wal_level\')" = logical ] || fail "wal_level is not logical after the restart"',
    'step "primary ready on port $PORT; next: ecomdb migrate, then publish.sh"',
  ]);
}

/** primary/publish.sh. */
export function primaryPublish(topology: Topology): string {
  const p = envPrefix(topology.primary);
  return script([
    hash(
      'Publish the tables read nodes subscribe to (publications.sql), on the migrated primary.',
      'Safe to run again, e.g. after a migration adds a table.',
      REPLICA_HEADER,
    ),
    ...prologue(),
    `PORT=$${p}_PORT`,
    'migrated=$(psql_at "$PORT" -d "$ECOMDB_DATABASE" -tAc "SELECT to_regclass(\'order_processing.orders\') IS NOT NULL")',
    '[ "$migrated" = t ] || fail "the schema is missing on the primary: run ecomdb migrate first"',
    'step "publications on port $PORT"',
    'psql_at "$PORT" -d "$ECOMDB_DATABASE" -f "$HERE/publications.sql"',
  ]);
}

/** <standby>/setup.sh: slot, pg_basebackup -R, configuration, start, check. */
export function standbySetup(topology: Topology, standby: NodeDeclaration): string {
  const p = envPrefix(standby);
  const primary = envPrefix(topology.primary);
  const slot = slotName(standby);
  return script([
    hash(
      `The physical standby "${standby.name}": a byte-for-byte copy of the primary that replays its WAL,`,
      'serves read-only queries, and can be promoted (promote.sh) when the primary is lost.',
      `  1. a physical slot on the primary (${slot}), so that it keeps the WAL this standby has not received;`,
      '  2. pg_basebackup -R: copy the primary\'s data directory and write the recovery settings',
      '     (primary_conninfo and primary_slot_name in postgresql.auto.conf, and standby.signal);',
      '  3. its own settings and pg_hba.conf (a base backup of a Debian server carries none);',
      '  4. start;',
      '  5. check: it is in recovery, refuses writes, and streams from the primary.',
      'Needs ECOMDB_REPLICATION_PASSWORD. A data directory that holds a cluster already is kept (steps 1-2 skipped).',
      REPLICA_HEADER,
    ),
    ...prologue(),
    `DATA=$${p}_DATA`,
    `PORT=$${p}_PORT`,
    'make_clusters_dir',
    'write_pgpass',
    `primary=(-h "$${primary}_HOST" -p "$${primary}_PORT" -U "$REPLICATION_ROLE" -w)`,
    '',
    'if [ -f "$DATA/PG_VERSION" ]; then',
    '  step "$DATA holds a cluster already: no new base backup"',
    'else',
    `  step "1/5 slot ${slot} on the primary"`,
    `  as_postgres "$PG_BIN/pg_receivewal" "\${primary[@]}" --slot=${slot} --create-slot --if-not-exists`,
    '  step "2/5 base backup into $DATA"',
    `  as_postgres "$PG_BIN/pg_basebackup" "\${primary[@]}" -D "$DATA" -R -X stream -S ${slot} -c fast`,
    'fi',
    '',
    'step "3/5 settings and client authentication"',
    'install_conf "$HERE/postgresql.conf" "$DATA" ecomdb-standby.conf',
    'as_postgres cp "$HERE/pg_hba.conf" "$DATA/pg_hba.conf"',
    '',
    'step "4/5 start on port $PORT"',
    'start_cluster "$DATA" "$PORT"',
    '',
    'step "5/5 check"',
    '[ "$(psql_at "$PORT" -d postgres -tAc \'SELECT pg_is_in_recovery()\')" = t ] || fail "not in recovery: this is not a standby"',
    '[ "$(psql_at "$PORT" -d postgres -tAc \'SHOW transaction_read_only\')" = on ] || fail "it accepts writes"',
    `streaming() { [ "$(psql_at "$PORT" -d postgres -tAc 'SELECT status FROM pg_stat_wal_receiver')" = streaming ]; }`,
    `wait_for 30 "${standby.name} to stream from the primary" streaming`,
    `step "${standby.name} streams from the primary and serves reads on port $PORT"`,
  ]);
}

/** <standby>/promote.sh. */
export function standbyPromote(topology: Topology, standby: NodeDeclaration): string {
  const p = envPrefix(standby);
  const others = topology.standbys.filter((s) => s.name !== standby.name).map((s) => s.name);
  return script([
    hash(
      `Promote the standby "${standby.name}": it stops replaying the primary's WAL and takes writes, on a new timeline.`,
      'Before: make sure the old primary is stopped (fencing). Two writable primaries diverge and cannot',
      'be merged. A clean stop of the old primary (pg_ctl stop -m fast) first sends its connected standbys',
      'every committed change, so none is lost; after a crash, the last changes committed on the old',
      'primary may be missing here (replication is asynchronous).',
      `After: ${others.length > 0 ? `the other standbys (${others.join(', ')}) must follow the new primary (primary_conninfo and a slot on it, or a new base backup);` : 'build new standbys from the new primary;'}`,
      'read nodes subscribe again to the new primary: PostgreSQL 15 keeps no logical slot on a standby,',
      'so their slots were lost with the old primary.',
      REPLICA_HEADER,
    ),
    ...prologue(),
    `DATA=$${p}_DATA`,
    `PORT=$${p}_PORT`,
    `[ "$(psql_at "$PORT" -d postgres -tAc 'SELECT pg_is_in_recovery()')" = t ] || fail "${standby.name} is not a standby (promoted already?)"`,
    `step "promote ${standby.name}"`,
    'as_postgres "$PG_BIN/pg_ctl" -D "$DATA" -w -t 60 promote >/dev/null',
    `[ "$(psql_at "$PORT" -d postgres -tAc 'SELECT pg_is_in_recovery()')" = f ] || fail "${standby.name} is still in recovery"`,
    `[ "$(psql_at "$PORT" -d postgres -tAc 'SHOW transaction_read_only')" = off ] || fail "${standby.name} still refuses writes"`,
    `step "${standby.name} is the primary now (port $PORT, WAL at $(psql_at "$PORT" -d postgres -tAc 'SELECT pg_current_wal_lsn()'))"`,
  ]);
}

/** <read node>/setup.sh. */
export function readNodeSetup(topology: Topology, node: ReadNodeDeclaration): string {
  const p = envPrefix(node);
  const primary = envPrefix(topology.primary);
  const sub = subscriptionName(node);
  let n = 0;
  const step = (what: string) => `step "${++n}/5 ${what}"`;
  return script([
    hash(
      `The regional read node "${node.name}" (sites ${node.sites.join(', ')}): its own cluster, holding the reference`,
      'tables and the rows of its sites only, kept up to date by logical replication from the primary.',
      '  1. create the cluster (initdb) with its settings and pg_hba.conf, and start it;',
      '  2. create the database and copy the schema from ecomdb\'s migrations (ecomdb migrate):',
      '     a subscriber applies rows to tables it has already;',
      `  3. subscribe (subscription.sql) to the reference tables and to the publications of ${node.sites.join(', ')}, whose`,
      '     row filters run on the primary: an initial copy of their rows, then the stream;',
      '  4. wait for the initial copy of every table;',
      '  5. check data residency (residency-check.sql): no row of another site is stored here.',
      'Needs ECOMDB_REPLICATION_PASSWORD, and ECOMDB_ADMIN_PASSWORD: the superuser password of this node,',
      'which ecomdb migrate uses over TCP. The primary must have run publish.sh.',
      REPLICA_HEADER,
    ),
    ...prologue(),
    ': "${ECOMDB_ADMIN_PASSWORD:?set ECOMDB_ADMIN_PASSWORD: ecomdb migrate logs in to this node over TCP with it}"',
    `DATA=$${p}_DATA`,
    `PORT=$${p}_PORT`,
    'make_clusters_dir',
    'write_pgpass',
    '',
    step('cluster in $DATA, on port $PORT'),
    'if [ ! -f "$DATA/PG_VERSION" ]; then',
    '  new_cluster "$DATA"',
    'fi',
    'install_conf "$HERE/postgresql.conf" "$DATA" ecomdb-read-node.conf',
    'as_postgres cp "$HERE/pg_hba.conf" "$DATA/pg_hba.conf"',
    'if ! as_postgres "$PG_BIN/pg_ctl" -D "$DATA" status >/dev/null; then',
    '  start_cluster "$DATA" "$PORT"',
    'fi',
    '',
    step('database $ECOMDB_DATABASE and its schema'),
    'psql_at "$PORT" -d postgres -v db="$ECOMDB_DATABASE" <<\'SQL\'',
    "SELECT format('CREATE DATABASE %I', :'db') WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'db') \\gexec",
    'SQL',
    'export PGPASSWORD=$ECOMDB_ADMIN_PASSWORD',
    `# shellcheck disable=SC2086 # ECOMDB may be a command with arguments`,
    `$ECOMDB migrate --url "postgres://postgres@$${p}_HOST:$PORT/$ECOMDB_DATABASE"`,
    'unset PGPASSWORD',
    '',
    step(`subscription ${sub}`),
    `conninfo="host=$${primary}_HOST port=$${primary}_PORT dbname=$ECOMDB_DATABASE user=$REPLICATION_ROLE passfile=$PGPASSFILE"`,
    'psql_at "$PORT" -d "$ECOMDB_DATABASE" -v primary_conninfo="$conninfo" -f "$HERE/subscription.sql"',
    '',
    step('initial copy'),
    'copied() {',
    '  [ "$(psql_at "$PORT" -d "$ECOMDB_DATABASE" -tAc "SELECT count(*) > 0 AND bool_and(srsubstate = \'r\')',
    `    FROM pg_subscription_rel r JOIN pg_subscription s ON s.oid = r.srsubid WHERE s.subname = ${quoteLiteral(sub)}")" = t ]`,
    '}',
    `wait_for 120 "the initial copy of ${node.name}" copied`,
    '',
    step('data residency'),
    'psql_at "$PORT" -d "$ECOMDB_DATABASE" -f "$HERE/residency-check.sql"',
    `step "${node.name} serves ${node.sites.join(' and ')} on port $PORT"`,
  ]);
}
