/**
 * The local lab: the declared topology built on this machine with PostgreSQL's own programs, by
 * the generated scripts, in one working folder (clusters, sockets, logs, the scripts it ran and a
 * state file), on free loopback ports. `labDown` stops every cluster and removes the folder.
 *
 * The state file (state.json, readable by its owner only) holds the ports and the two passwords
 * the lab made up: the superuser's (TCP logins of ecomdb, the router and the tests) and the
 * replication role's.
 */
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import type { SiteId } from '../../schema/values.ts';
import { openPostgres } from '../db/postgres.ts';
import { EcomdbError } from '../errors.ts';
import { PROJECT_ROOT } from '../generate/run.ts';
import type { MigrationFile } from '../migrations/files.ts';
import { runMigrations } from '../migrations/run.ts';
import { writeReplicaFiles } from './files.ts';
import { planReplicaFiles } from './plan.ts';
import { CLUSTER_OS_USER, isRoot, run, runScript, tail } from './process.ts';
import { LAB_SAMPLE, sampleDataSql, type SampleSize } from './sample.ts';
import { envPrefix, nodesOf, TOPOLOGY, validateTopology, type NodeKind, type Topology } from './topology.ts';

export const DEFAULT_LAB_DIR = join('.ecomdb', 'replicas');
export const DEFAULT_PG_BIN = '/usr/lib/postgresql/15/bin';
export const DEFAULT_FIRST_PORT = 54320;
const STATE_FILE = 'state.json';
/** A Unix socket path longer than this is refused by the kernel (sun_path is 108 bytes). */
const MAX_SOCKET_PATH = 107;

export interface LabNode {
  readonly name: string;
  /** What the node is now: a promoted standby becomes `primary`, the primary it replaced `former-primary`. */
  kind: NodeKind | 'former-primary';
  readonly port: number;
  readonly data: string;
  readonly sites?: readonly SiteId[];
}

export interface LabState {
  readonly version: 1;
  readonly dir: string;
  readonly pgBin: string;
  readonly database: string;
  readonly adminPassword: string;
  readonly replicationPassword: string;
  /** False until every script ran: a folder left half-built is still removed by labDown. */
  built: boolean;
  readonly nodes: LabNode[];
}

export interface LabUpOptions {
  /** The working folder (created; must be empty or absent). */
  readonly dir: string;
  readonly migrations: readonly MigrationFile[];
  readonly firstPort?: number;
  readonly pgBin?: string;
  /** Rows loaded on the primary before the read node subscribes; false for none. */
  readonly sample?: SampleSize | false;
  readonly topology?: Topology;
  /** Progress lines. */
  readonly onStep?: (line: string) => void;
  /** Leave a half-built folder for inspection instead of removing it. */
  readonly keepOnFailure?: boolean;
}

export interface LabUpResult {
  readonly state: LabState;
  /** The generated scripts it ran, in order, relative to the scripts folder. */
  readonly scripts: readonly string[];
  readonly ms: number;
}

const statePath = (dir: string) => join(dir, STATE_FILE);
export const scriptsDir = (state: LabState) => join(state.dir, 'scripts');

/** postgres://postgres:PASSWORD@127.0.0.1:PORT/DATABASE for a node of the lab. */
export function nodeUrl(state: LabState, name: string, database = state.database): string {
  const node = labNode(state, name);
  return `postgres://postgres:${encodeURIComponent(state.adminPassword)}@127.0.0.1:${node.port}/${database}`;
}

export function labNode(state: LabState, name: string): LabNode {
  const node = state.nodes.find((n) => n.name === name);
  if (!node) {
    throw new EcomdbError('E_REPLICA_NOT_FOUND', `no node "${name}" in the read layer in ${state.dir}`, {
      hint: `use one of: ${state.nodes.map((n) => n.name).join(', ')}`,
    });
  }
  return node;
}

/** The node that takes writes now. */
export function labPrimary(state: LabState): LabNode {
  return state.nodes.find((n) => n.kind === 'primary')!;
}

export function readLab(dir: string): LabState {
  const path = statePath(resolve(dir));
  if (!existsSync(path)) {
    throw new EcomdbError('E_REPLICA_NOT_FOUND', `no local read layer in ${resolve(dir)}`, {
      hint: 'build one with ecomdb replica up --local (or pass --dir)',
    });
  }
  return JSON.parse(readFileSync(path, 'utf8')) as LabState;
}

export function saveLab(state: LabState): void {
  const path = statePath(state.dir);
  writeFileSync(`${path}.tmp`, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  renameSync(`${path}.tmp`, path);
}

/** The environment the generated scripts run with: env.sh's variables, set for this lab. */
export function scriptEnv(state: LabState): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PG_BIN: state.pgBin,
    ECOMDB_CLUSTERS: state.dir,
    ECOMDB: `${process.execPath} ${join(PROJECT_ROOT, 'bin', 'ecomdb.js')}`,
    ECOMDB_REPLICATION_PASSWORD: state.replicationPassword,
    ECOMDB_ADMIN_PASSWORD: state.adminPassword,
    NO_COLOR: '1',
  };
  // The caller's libpq settings (PGPASSWORD, PGHOST, ...) must not reach the scripts' connections.
  for (const key of Object.keys(env)) if (key === 'DATABASE_URL' || (key.startsWith('PG') && key !== 'PG_BIN')) delete env[key];
  for (const node of state.nodes) {
    const prefix = envPrefix(node);
    env[`${prefix}_HOST`] = '127.0.0.1';
    env[`${prefix}_PORT`] = String(node.port);
    env[`${prefix}_DATA`] = node.data;
  }
  return env;
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((done) => {
    const server = createServer();
    server.once('error', () => done(false));
    server.listen({ host: '127.0.0.1', port, exclusive: true }, () => server.close(() => done(true)));
  });
}

async function freePorts(first: number, count: number): Promise<number[]> {
  const ports: number[] = [];
  for (let port = first; ports.length < count && port < first + 200; port++) {
    if (await portIsFree(port)) ports.push(port);
  }
  if (ports.length < count) {
    throw new EcomdbError('E_REPLICA_PREREQUISITE', `fewer than ${count} free ports on 127.0.0.1 from ${first}`, {
      hint: 'pass another --port',
    });
  }
  return ports;
}

function prerequisite(message: string, hint: string): EcomdbError {
  return new EcomdbError('E_REPLICA_PREREQUISITE', message, { hint });
}

async function checkPrerequisites(pgBin: string): Promise<void> {
  for (const program of ['initdb', 'pg_ctl', 'pg_basebackup', 'pg_receivewal', 'psql']) {
    if (!existsSync(join(pgBin, program))) {
      throw prerequisite(`${program} is not in ${pgBin}`, 'install PostgreSQL 15 or later, or pass --pg-bin');
    }
  }
  const version = await run(join(pgBin, 'pg_ctl'), ['--version']);
  const major = Number(/\(PostgreSQL\)\s+(\d+)/.exec(version.stdout)?.[1] ?? 0);
  if (major < 15) {
    throw prerequisite(`${pgBin} holds PostgreSQL ${major || 'of an unknown version'}; publications with row filters need 15 or later`, 'pass --pg-bin of PostgreSQL 15 or later');
  }
  if (isRoot() && (await run('id', ['-u', CLUSTER_OS_USER])).code !== 0) {
    throw prerequisite(`there is no "${CLUSTER_OS_USER}" OS user to run the clusters (PostgreSQL refuses to run as root)`, 'install PostgreSQL from your distribution, which creates it');
  }
}

async function osIds(user: string): Promise<{ uid: number; gid: number }> {
  const [uid, gid] = await Promise.all([run('id', ['-u', user]), run('id', ['-g', user])]);
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

function chownTree(path: string, ids: { uid: number; gid: number }): void {
  chownSync(path, ids.uid, ids.gid);
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    const child = join(path, entry.name);
    if (entry.isDirectory()) chownTree(child, ids);
    else chownSync(child, ids.uid, ids.gid);
  }
}

const secret = () => randomBytes(18).toString('base64url');

/** Build the topology in `options.dir`. On failure everything it started is stopped and removed (unless keepOnFailure). */
export async function labUp(options: LabUpOptions): Promise<LabUpResult> {
  const started = Date.now();
  const topology = validateTopology(options.topology ?? TOPOLOGY);
  const dir = resolve(options.dir);
  const pgBin = resolve(options.pgBin ?? DEFAULT_PG_BIN);
  const onStep = options.onStep ?? (() => {});
  await checkPrerequisites(pgBin);
  if (existsSync(statePath(dir))) {
    throw new EcomdbError('E_REPLICA_EXISTS', `a read layer is already built in ${dir}`, {
      hint: 'remove it first with ecomdb replica down --local, or pass another --dir',
    });
  }
  if (existsSync(dir) && readdirSync(dir).length > 0) {
    throw new EcomdbError('E_REPLICA_EXISTS', `${dir} is not empty`, { hint: 'pass an empty or new folder as --dir' });
  }
  const nodes = nodesOf(topology);
  const ports = await freePorts(options.firstPort ?? DEFAULT_FIRST_PORT, nodes.length);
  const longest = join(dir, 'run', `.s.PGSQL.${Math.max(...ports)}`);
  if (Buffer.byteLength(longest) > MAX_SOCKET_PATH) {
    throw prerequisite(`the socket path ${longest} is longer than ${MAX_SOCKET_PATH} bytes`, 'pass a shorter --dir');
  }

  // Only the working folder is private: the postgres OS user must be able to enter its parents.
  mkdirSync(dirname(dir), { recursive: true });
  if (!existsSync(dir)) mkdirSync(dir, { mode: 0o700 });
  const state: LabState = {
    version: 1,
    dir,
    pgBin,
    database: topology.database,
    adminPassword: secret(),
    replicationPassword: secret(),
    built: false,
    nodes: nodes.map(({ node, kind }, i) => ({
      name: node.name,
      kind,
      port: ports[i]!,
      data: join(dir, node.name),
      ...('sites' in node ? { sites: (node as { sites: readonly SiteId[] }).sites } : {}),
    })),
  };
  saveLab(state);
  const scripts: string[] = [];
  try {
    writeReplicaFiles(scriptsDir(state), planReplicaFiles(topology));
    if (isRoot()) {
      // The clusters refuse to run as root: their folder belongs to postgres. The state file, which
      // holds the passwords, stays root's (mode 0600).
      chownTree(dir, await osIds(CLUSTER_OS_USER));
      chownSync(statePath(dir), 0, 0);
      if ((await run('test', ['-w', dir], { asPostgres: true })).code !== 0) {
        throw prerequisite(`the ${CLUSTER_OS_USER} OS user cannot reach ${dir}: a folder above it is closed to others`, 'pass a --dir it can reach, e.g. under /tmp');
      }
    }
    const env = scriptEnv(state);
    const script = async (path: string) => {
      scripts.push(path);
      await runScript(join(scriptsDir(state), path), path, env, onStep);
    };

    await script(`${topology.primary.name}/setup.sh`);
    onStep('migrate the primary with ecomdb\'s migrations');
    const db = await openPostgres(nodeUrl(state, topology.primary.name));
    try {
      await runMigrations(db, options.migrations);
      if (options.sample !== false) {
        onStep('load sample rows on the primary (written before the read node subscribes)');
        const sql = sampleDataSql(options.sample ?? LAB_SAMPLE);
        await db.session((s) => s.exec(`BEGIN;\n${sql}\nCOMMIT;\n-- The planner must know the new sizes (the standbys receive the statistics with the WAL).\nANALYZE;`));
      }
    } finally {
      await db.close();
    }
    await script(`${topology.primary.name}/publish.sh`);
    for (const standby of topology.standbys) await script(`${standby.name}/setup.sh`);
    for (const node of topology.readNodes) await script(`${node.name}/setup.sh`);
    state.built = true;
    saveLab(state);
    return { state, scripts, ms: Date.now() - started };
  } catch (error) {
    if (error instanceof EcomdbError && error.code === 'E_REPLICA_SCRIPT') {
      (error.details as Record<string, unknown>).logs = serverLogs(state);
    }
    if (!options.keepOnFailure) await labDown(dir).catch(() => {});
    throw error;
  }
}

/** The last lines of every node's server log. */
export function serverLogs(state: LabState): Record<string, string> {
  const logs: Record<string, string> = {};
  for (const node of state.nodes) {
    const path = `${node.data}.log`;
    if (existsSync(path)) logs[node.name] = tail(readFileSync(path, 'utf8'), 8);
  }
  return logs;
}

export interface LabDownResult {
  readonly dir: string;
  /** Clusters that were running and were stopped. */
  readonly stopped: readonly string[];
  readonly removed: boolean;
}

/** Stop a node's cluster (immediate: no checkpoint; fast: a clean shutdown). Resolves false when it was not running. */
export async function stopCluster(pgBin: string, data: string, mode: 'immediate' | 'fast' = 'immediate'): Promise<boolean> {
  if (!existsSync(join(data, 'postmaster.pid'))) return false;
  const result = await run(join(pgBin, 'pg_ctl'), ['-D', data, '-m', mode, '-w', '-t', '60', 'stop'], { asPostgres: true });
  return result.code === 0;
}

export async function stopNode(state: LabState, name: string, mode: 'immediate' | 'fast' = 'immediate'): Promise<boolean> {
  return stopCluster(state.pgBin, labNode(state, name).data, mode);
}

/** Start a stopped node again, with the options its script started it with. */
export async function startNode(state: LabState, name: string): Promise<void> {
  const node = labNode(state, name);
  const result = await run(
    join(state.pgBin, 'pg_ctl'),
    ['-D', node.data, '-l', `${node.data}.log`, '-w', '-t', '60', '-o', `-p ${node.port} -k '${join(state.dir, 'run')}'`, 'start'],
    { asPostgres: true },
  );
  if (result.code !== 0) {
    throw new EcomdbError('E_REPLICA_NODE_DOWN', `cannot start ${name}: ${tail(result.stdout + result.stderr, 1)}`, {
      hint: `read ${node.data}.log`,
    });
  }
}

/**
 * Stop every cluster in `dir` and remove the folder. A folder without the lab's state file is
 * left alone (E_REPLICA_NOT_FOUND): down never removes a folder up did not create.
 */
export async function labDown(dir: string, pgBin: string = DEFAULT_PG_BIN): Promise<LabDownResult> {
  const root = resolve(dir);
  if (!existsSync(root)) return { dir: root, stopped: [], removed: false };
  if (!existsSync(statePath(root))) {
    throw new EcomdbError('E_REPLICA_NOT_FOUND', `${root} holds no local read layer (no ${STATE_FILE}); nothing was removed`, {
      hint: 'pass the --dir that replica up --local used',
    });
  }
  let bin = pgBin;
  try {
    bin = readLab(root).pgBin;
  } catch {
    // A state file cut short: stop what runs with the default binaries.
  }
  // Every cluster in the folder, known to the state file or not (a build that failed half-way).
  const stopped: string[] = [];
  for (const entry of readdirSync(root, { withFileTypes: true })) {
    const data = join(root, entry.name);
    if (entry.isDirectory() && existsSync(join(data, 'PG_VERSION')) && (await stopCluster(bin, data))) stopped.push(entry.name);
  }
  rmSync(root, { recursive: true, force: true });
  return { dir: root, stopped, removed: true };
}
