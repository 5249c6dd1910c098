/** `ecomdb replica`: the read layer: generate its scripts, build it on this machine, watch it, fail over. */
import { resolve } from 'node:path';
import { Command, Option } from 'commander';
import { maskUrl } from '../../db/url.ts';
import { EcomdbError } from '../../errors.ts';
import { readMigrations } from '../../migrations/files.ts';
import { diffReplicaFiles, REPLICAS_DIR, writeReplicaFiles } from '../../replica/files.ts';
import { DEFAULT_FIRST_PORT, DEFAULT_LAB_DIR, DEFAULT_PG_BIN, labDown, labUp, nodeUrl, readLab } from '../../replica/local.ts';
import { planReplicaFiles } from '../../replica/plan.ts';
import { promoteLab } from '../../replica/promote.ts';
import { labStatus, type NodeStatus } from '../../replica/status.ts';
import { contextOf } from '../context.ts';
import * as parse from '../options.ts';

const dirOption = () => new Option('--dir <dir>', 'working folder of the local read layer').default(DEFAULT_LAB_DIR);
const sub = (name: string) => new Command(name).exitOverride().showSuggestionAfterError();

function requireLocal(local: boolean | undefined, verb: string): void {
  if (!local) {
    throw new EcomdbError('E_USAGE', `replica ${verb} needs --local: ecomdb ${verb === 'up' ? 'builds' : 'removes'} the read layer on this machine only`, {
      hint: 'for servers, run the scripts in replicas/ (see replicas/README.md)',
    });
  }
}

function generate(): Command {
  return sub('generate')
    .description('write the read layer\'s scripts, settings and SQL (replicas/) from src/replica/topology.ts')
    .option('--out <dir>', 'folder to write (default: the replicas/ folder of ecomdb)')
    .option('--check', 'write nothing; exit 4 (E_REPLICA_STALE) if the folder differs from a fresh generation')
    .addHelpText('after', '\nExamples:\n  $ ecomdb replica generate                 # after changing the topology or the schema; commit replicas/\n  $ ecomdb replica generate --check         # in CI')
    .action((flags: { out?: string; check?: boolean }, command: Command) => {
      const { output } = contextOf(command);
      const dir = flags.out ? resolve(flags.out) : REPLICAS_DIR;
      const files = planReplicaFiles();
      const diff = flags.check ? diffReplicaFiles(dir, files) : writeReplicaFiles(dir, files);
      const changed = [...diff.missing, ...diff.changed, ...diff.extra];
      if (flags.check && changed.length > 0) {
        throw new EcomdbError('E_REPLICA_STALE', `${dir} differs from a fresh generation: ${changed.join(', ')}`, {
          hint: 'run ecomdb replica generate and commit the result',
          details: { ...diff },
        });
      }
      output.success(changed.length === 0 ? `${dir} is up to date (${files.length} files)` : `wrote ${dir}: ${changed.join(', ')}`);
      output.data({ dir, files: files.map((f) => f.path), ...diff });
    });
}

function up(): Command {
  return sub('up')
    .description('build the topology on this machine: a primary, its standbys and the read nodes, each a cluster of its own')
    .option('--local', 'on this machine, with PostgreSQL\'s programs, as the postgres OS user (required)')
    .addOption(dirOption())
    .option('--port <port>', 'first port to try; each node takes the next free one', String(DEFAULT_FIRST_PORT))
    .option('--pg-bin <dir>', 'PostgreSQL 15+ programs', DEFAULT_PG_BIN)
    .option('--no-sample', 'load no sample rows before the read nodes subscribe')
    .option('--keep-on-failure', 'leave a half-built folder for inspection')
    .addHelpText('after', '\nExamples:\n  $ ecomdb replica up --local\n  $ ecomdb replica up --local --dir /tmp/ecomdb-lab --port 55000 --json')
    .action(async (flags: { local?: boolean; dir: string; port: string; pgBin: string; sample: boolean; keepOnFailure?: boolean }, command: Command) => {
      requireLocal(flags.local, 'up');
      const { output, migrationsDir } = contextOf(command);
      const firstPort = parse.integer(flags.port, '--port', { min: 1024, max: 65000, example: DEFAULT_FIRST_PORT });
      const result = await labUp({
        dir: flags.dir,
        migrations: readMigrations(migrationsDir),
        firstPort,
        pgBin: flags.pgBin,
        sample: flags.sample ? undefined : false,
        keepOnFailure: flags.keepOnFailure,
        onStep: (line) => output.step(line),
      }).catch((error: unknown) => {
        if (error instanceof EcomdbError && error.code === 'E_REPLICA_SCRIPT') {
          output.debug(`script output:\n${String(error.details.output)}`);
          for (const [node, log] of Object.entries((error.details.logs ?? {}) as Record<string, string>)) output.debug(`${node}.log:\n${log}`);
        }
        throw error;
      });
      const { state } = result;
      output.success(`read layer up in ${state.dir} (${(result.ms / 1000).toFixed(1)}s)`);
      output.table(['node', 'kind', 'port', 'sites'], state.nodes.map((n) => [n.name, n.kind, String(n.port), n.sites?.join(', ') ?? '']));
      output.info(`next: ${output.color.bold(`ecomdb replica status --dir ${flags.dir}`)}; remove it with ${output.color.bold(`ecomdb replica down --local --dir ${flags.dir}`)}`);
      output.data({
        dir: state.dir,
        nodes: state.nodes.map((n) => ({ ...n, url: maskUrl(nodeUrl(state, n.name)) })),
        scripts: result.scripts,
        ms: result.ms,
      });
    });
}

function down(): Command {
  return sub('down')
    .description('stop every cluster of the local read layer and remove its folder')
    .option('--local', 'the read layer built by replica up --local (required)')
    .addOption(dirOption())
    .option('--pg-bin <dir>', 'PostgreSQL programs, if the state file is unreadable', DEFAULT_PG_BIN)
    .addHelpText('after', '\nExamples:\n  $ ecomdb replica down --local\n  $ ecomdb replica down --local --dir /tmp/ecomdb-lab')
    .action(async (flags: { local?: boolean; dir: string; pgBin: string }, command: Command) => {
      requireLocal(flags.local, 'down');
      const { output } = contextOf(command);
      const result = await labDown(flags.dir, flags.pgBin);
      if (!result.removed) output.success(`nothing to remove: ${result.dir} does not exist`);
      else output.success(`stopped ${result.stopped.length} cluster(s) and removed ${result.dir}`);
      output.data(result);
    });
}

const bytes = (n: number | null) => (n === null ? '?' : n < 1024 ? `${n} B` : `${(n / 1024).toFixed(1)} kB`);
const seconds = (n: number | null) => (n === null ? '?' : `${n.toFixed(3)} s`);

function describeNode(n: NodeStatus): string[] {
  const slot = n.slot ? `${n.slot.name} ${n.slot.active ? 'active' : 'inactive'}${n.slot.walStatus ? `, ${n.slot.walStatus}` : ''}` : '';
  const s = n.subscription;
  const subscription = s ? `${s.state} (${s.tablesReady}/${s.tables} tables${s.applyErrors + s.syncErrors > 0 ? `, ${s.applyErrors + s.syncErrors} errors` : ''})` : '';
  return [n.name, n.kind, n.up ? n.role : 'down', String(n.port), n.up ? bytes(n.lagBytes) : '', n.up ? seconds(n.lagSeconds) : '', slot, subscription];
}

function status(): Command {
  return sub('status')
    .description('each node\'s role, lag (bytes and time), replication slot and subscription, in the local read layer')
    .addOption(dirOption())
    .addHelpText('after', '\nExamples:\n  $ ecomdb replica status\n  $ ecomdb replica status --dir /tmp/ecomdb-lab --json')
    .action(async (flags: { dir: string }, command: Command) => {
      const { output } = contextOf(command);
      const result = await labStatus(readLab(flags.dir));
      output.info(`read layer in ${resolve(flags.dir)}; primary: ${result.primary} (WAL at ${result.primaryLsn ?? '?'})`);
      output.table(['node', 'kind', 'role', 'port', 'lag', 'lag time', 'slot', 'subscription'], result.nodes.map(describeNode));
      for (const n of result.nodes.filter((x) => x.error)) output.warn(`${n.name}: ${n.error}`);
      output.data(result);
    });
}

function promote(): Command {
  return sub('promote')
    .description('fail over in the local read layer: stop the primary cleanly, wait for the standby to replay all of it, promote it')
    .argument('<node>', 'the standby to promote')
    .addOption(dirOption())
    .option('--wait <seconds>', 'how long the standby may take to catch up', '30')
    .addHelpText('after', '\nExamples:\n  $ ecomdb replica promote standby1\n  $ ecomdb replica promote standby2 --dir /tmp/ecomdb-lab --json')
    .action(async (name: string, flags: { dir: string; wait: string }, command: Command) => {
      const { output } = contextOf(command);
      const result = await promoteLab(readLab(flags.dir), name, {
        waitMs: parse.seconds(flags.wait, '--wait'),
        onStep: (line) => output.step(line),
      });
      output.success(`${result.newPrimary} is the primary now: ${result.url} (WAL at ${result.lsn})`);
      if (result.fenced) output.info(`${result.oldPrimary} was stopped first; ${result.newPrimary} had replayed it up to ${result.caughtUpTo}`);
      else output.warn(`${result.oldPrimary} was down: changes it committed last may be missing`);
      if (result.orphans.length > 0) output.warn(`${result.orphans.join(', ')} still follow ${result.oldPrimary}: rebuild them from ${result.newPrimary}`);
      output.data(result);
    });
}

export function replicaCommand(): Command {
  return new Command('replica')
    .description('the read layer: a primary, physical standbys and regional read nodes (scripts, a local build, status, failover)')
    .addCommand(generate())
    .addCommand(up())
    .addCommand(down())
    .addCommand(status())
    .addCommand(promote())
    .addHelpText(
      'after',
      `
Examples:
  $ ecomdb replica generate                  # scripts for a DBA, in replicas/
  $ ecomdb replica up --local                # build it here, in ./${DEFAULT_LAB_DIR}
  $ ecomdb replica status --json
  $ ecomdb replica promote standby1
  $ ecomdb replica down --local`,
    );
}
