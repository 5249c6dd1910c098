/** `ecomdb partition generate`: the commented partition DDL in partitions/. */
import { Command } from 'commander';
import { EcomdbError } from '../../../errors.ts';
import { readMigrations } from '../../../migrations/files.ts';
import { generatePartitionFiles, PARTITIONS_DIR, staleFiles, writePartitionFiles } from '../../../partition/generate.ts';
import { contextOf } from '../../context.ts';

export function generate(): Command {
  return new Command('generate')
    .description('write the commented partition DDL of schema/partitions.ts to partitions/ (from the committed migrations)')
    .option('--check', 'write nothing; exit non-zero when partitions/ differs from a fresh generation')
    .action(async (flags: { check?: boolean }, command: Command) => {
      const { migrationsDir, output } = contextOf(command);
      const files = await generatePartitionFiles(readMigrations(migrationsDir));
      if (flags.check) {
        const stale = staleFiles(PARTITIONS_DIR, files);
        output.data({ stale });
        if (stale.length > 0) {
          throw new EcomdbError('E_PARTITION_STALE', `${stale.length} file(s) in partitions/ differ from a fresh generation: ${stale.join(', ')}`, {
            hint: 'run `npm run ecomdb -- partition generate` and commit the result',
            details: { stale },
          });
        }
        output.success(`partitions/ is up to date (${files.length} files)`);
        return;
      }
      const written = writePartitionFiles(PARTITIONS_DIR, files);
      output.data({ written });
      output.success(written.length === 0 ? `partitions/ is up to date (${files.length} files)` : `wrote ${written.length} file(s) to partitions/: ${written.join(', ')}`);
    });
}
