/** `ecomdb partition list`: every partition with its bounds, row estimate and size. */
import { Command } from 'commander';
import { EcomdbError, isInsufficientPrivilege, permissionError, pgFields } from '../../../errors.ts';
import { listPartitions, type PartitionRow } from '../../../partition/inspect.ts';
import { contextOf, type Context } from '../../context.ts';
import { requireMigrated, withDb } from './common.ts';

export async function collect(context: Context): Promise<PartitionRow[]> {
  const rows = await withDb(context, (db) => db.session((s) => listPartitions(s))).catch((error: unknown) => {
    if (error instanceof EcomdbError) throw error;
    const pg = pgFields(error);
    if (isInsufficientPrivilege(error)) throw permissionError(error, 'connect as a role with USAGE on the component schemas (the owner of the tables, for example)');
    throw new EcomdbError('E_PARTITION_FAILED', `cannot list the partitions: ${pg.message}${pg.code ? ` (SQLSTATE ${pg.code})` : ''}`, {
      hint: 'run with --verbose for details',
      details: { sqlstate: pg.code },
      cause: error,
    });
  });
  requireMigrated([...new Set(rows.map((r) => r.table))]);
  return rows;
}

export function list(): Command {
  return new Command('list')
    .description('every partition with its bounds, row estimate and size')
    .action(async (_flags: unknown, command: Command) => {
      const context = contextOf(command);
      const rows = await collect(context);
      const size = (b: number) => (b >= 1 << 20 ? `${(b / (1 << 20)).toFixed(1)} MB` : `${Math.round(b / 1024)} kB`);
      context.output.table(
        ['partition', 'bound', 'rows (est.)', 'size'],
        rows.map((r) => [`${'  '.repeat(r.level)}${r.partition}`, r.bound ?? (r.leaf ? 'not partitioned' : 'partitioned'), r.rowEstimate < 0 ? '?' : String(r.rowEstimate), size(r.bytes)]),
      );
      context.output.data({ partitions: rows });
    });
}
