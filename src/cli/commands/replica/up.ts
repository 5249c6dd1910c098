/** `ecomdb replica up --local`: build the topology on this machine. */
import { Command } from 'commander';
import { maskUrl } from '../../../db/url.ts';
import { EcomdbError } from '../../../errors.ts';
import { readMigrations } from '../../../migrations/files.ts';
import { DEFAULT_FIRST_PORT, DEFAULT_PG_BIN, labUp, nodeUrl } from '../../../replica/local.ts';
import { contextOf } from '../../context.ts';
import * as parse from '../../options.ts';
import { dirOption, requireLocal } from './common.ts';

export function up(): Command {
  return new Command('up')
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
