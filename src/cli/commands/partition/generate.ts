/** `ecomdb partition generate`: the commented partition DDL in partitions/. */
import { Command } from 'commander';
import { EcomdbError } from '../../../errors.ts';
import { readMigrations } from '../../../migrations/files.ts';
import { generatePartitionFiles, PARTITIONS_DIR, staleFiles, writePartitionFiles } from '../../../partition/generate.ts';
import { contextOf, type Context } from '../../context.ts';

export interface GenerateResult {
  readonly files: number;
  /** The files that differ (--check) or were written or removed. */
  readonly stale: readonly string[];
}

/** Generate partitions/ and write it, or (--check) compare it; a stale folder under --check is E_PARTITION_STALE. */
export async function collect(context: Context, flags: { check?: boolean }): Promise<GenerateResult> {
  const files = await generatePartitionFiles(readMigrations(context.migrationsDir));
  if (!flags.check) return { files: files.length, stale: writePartitionFiles(PARTITIONS_DIR, files) };
  const stale = staleFiles(PARTITIONS_DIR, files);
  if (stale.length > 0) {
    throw new EcomdbError('E_PARTITION_STALE', `${stale.length} file(s) in partitions/ differ from a fresh generation: ${stale.join(', ')}`, {
      hint: 'run `npm run ecomdb -- partition generate` and commit the result',
      details: { stale },
    });
  }
  return { files: files.length, stale };
}

export function generate(): Command {
  return new Command('generate')
    .description('write the commented partition DDL of schema/partitions.ts to partitions/ (from the committed migrations)')
    .option('--check', 'write nothing; exit non-zero when partitions/ differs from a fresh generation')
    .action(async (flags: { check?: boolean }, command: Command) => {
      const context = contextOf(command);
      const { files, stale } = await collect(context, flags);
      context.output.data(flags.check ? { stale } : { written: stale });
      context.output.success(stale.length === 0 ? `partitions/ is up to date (${files} files)` : `wrote ${stale.length} file(s) to partitions/: ${stale.join(', ')}`);
    });
}
