/** `ecomdb partition explain <query>`: which partitions a query reads (EXPLAIN only: the query is planned, never executed). */
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
    .description('show which partitions a query reads (EXPLAIN only; planning can call functions, see below)')
    .argument('<query>', 'one SQL statement, quoted')
    .addOption(lockTimeoutOption())
    .addHelpText(
      'after',
      `
Planning evaluates functions (IMMUTABLE ones called with constants, STABLE ones to prune
partitions). So the query is planned as a throwaway role that may only read (pg_read_all_data),
in a read-only transaction that is rolled back: a function that would act outside the
transaction (dblink, pg_terminate_backend, ...) is refused. What that cannot prevent: a SECURITY
DEFINER function runs as its owner, and a connection string with a password in it still connects.
Making the role needs CREATEROLE; without it the query is planned as you, and explain says so.`,
    )
    .action(async (query: string, flags: { lockTimeout: string }, command: Command) => {
      const context = contextOf(command);
      const result = await collect(context, query, flags);
      for (const note of result.notes) context.output.warn(note);
      context.output.data(result);
      if (!context.output.json) context.output.text(result.text);
      const scans = result.scans > result.relations.length ? ` in ${result.scans} scans` : '';
      context.output.info(`reads ${result.relations.length} table(s)${scans}: ${result.relations.join(', ') || '(none)'}${result.subplansRemoved ? `; ${result.subplansRemoved} more pruned at run time` : ''}`);
    });
}
