/** `ecomdb replica generate`: the read layer's scripts, settings and SQL in replicas/. */
import { resolve } from 'node:path';
import { Command } from 'commander';
import { EcomdbError } from '../../../errors.ts';
import { staleOf } from '../../../generated-folder.ts';
import { diffReplicaFiles, REPLICAS_DIR, writeReplicaFiles } from '../../../replica/files.ts';
import { planReplicaFiles } from '../../../replica/plan.ts';
import { contextOf } from '../../context.ts';

export function generate(): Command {
  return new Command('generate')
    .description('write the read layer\'s scripts, settings and SQL (replicas/) from src/replica/topology.ts')
    .option('--out <dir>', 'folder to write (default: the replicas/ folder of ecomdb)')
    .option('--check', 'write nothing; exit 4 (E_REPLICA_STALE) if the folder differs from a fresh generation')
    .addHelpText('after', '\nExamples:\n  $ ecomdb replica generate                 # after changing the topology or the schema; commit replicas/\n  $ ecomdb replica generate --check         # in CI')
    .action((flags: { out?: string; check?: boolean }, command: Command) => {
      const { output } = contextOf(command);
      const dir = flags.out ? resolve(flags.out) : REPLICAS_DIR;
      const files = planReplicaFiles();
      const diff = flags.check ? diffReplicaFiles(dir, files) : writeReplicaFiles(dir, files);
      const changed = staleOf(diff);
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
