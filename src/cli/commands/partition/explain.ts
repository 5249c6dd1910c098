/** `ecomdb partition explain <query>`: which partitions a query reads (EXPLAIN, never run). */
import { Command } from 'commander';
import { explainQuery, type ExplainResult } from '../../../partition/inspect.ts';
import { contextOf, type Context } from '../../context.ts';
import * as parse from '../../options.ts';
import { lockTimeoutOption, withDb } from './common.ts';

export function collect(context: Context, query: string, flags: { lockTimeout: string }): Promise<ExplainResult> {
  const lockTimeout = parse.duration(flags.lockTimeout, '--lock-timeout');
  return withDb(context, (db) => db.session((s) => explainQuery(s, query, { lockTimeout })));
}

export function explain(): Command {
  return new Command('explain')
    .description('show which partitions a query reads (EXPLAIN, never run)')
    .argument('<query>', 'one SQL statement, quoted')
    .addOption(lockTimeoutOption())
    .action(async (query: string, flags: { lockTimeout: string }, command: Command) => {
      const context = contextOf(command);
      const result = await collect(context, query, flags);
      context.output.data(result);
      if (!context.output.json) context.output.text(result.text);
      const scans = result.scans > result.relations.length ? ` in ${result.scans} scans` : '';
      context.output.info(`reads ${result.relations.length} table(s)${scans}: ${result.relations.join(', ') || '(none)'}${result.subplansRemoved ? `; ${result.subplansRemoved} more pruned at run time` : ''}`);
    });
}
