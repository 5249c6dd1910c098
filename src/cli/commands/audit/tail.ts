/** `ecomdb audit tail`: the last changes recorded in the audit trail, oldest first. */
import { Command } from 'commander';
import { tail as readTail, auditedTable, type TrailRow } from '../../../audit/trail.ts';
import { openTarget } from '../../../db/open.ts';
import { EcomdbError, EXIT, isInsufficientPrivilege } from '../../../errors.ts';
import { contextOf } from '../../context.ts';
import * as parse from '../../options.ts';

interface Flags {
  table?: string;
  since?: string;
  limit: string;
}

/** What an UPDATE changed (column names), or the key for the other operations. */
function summary(row: TrailRow): string {
  if (row.op === 'UPDATE' && row.old && row.new) {
    const changed = Object.keys(row.new).filter((k) => JSON.stringify(row.new![k]) !== JSON.stringify(row.old![k]));
    return `changed ${changed.join(', ') || 'nothing'}`;
  }
  if (row.op === 'SEED') return JSON.stringify(row.new);
  return '';
}

export function tail(): Command {
  return new Command('tail')
    .description('print the last changes of the audit trail, oldest first')
    .option('--table <table>', 'only this audited table (schema.table, or its bare name)')
    .option('--since <when>', 'only changes since then: a duration back from now (30min, 2h, 7d) or an ISO date or time')
    .option('--limit <n>', 'at most this many rows (the most recent)', '50')
    .addHelpText(
      'after',
      `
Examples:
  $ ecomdb audit tail
  $ ecomdb audit tail --table users --since 2h
  $ ecomdb audit tail --table payments.payments --since 2026-12-01T06:00:00Z --limit 500 --json

Exits ${EXIT.security}: E_AUDIT_NOT_INSTALLED (no audit trail: migrate first), E_AUDIT_FORBIDDEN (the role
may not read it), E_AUDIT_TABLE (--table is not an audited table).`,
    )
    .action(async (flags: Flags, command: Command) => {
      const { target, output } = contextOf(command);
      const limit = parse.integer(flags.limit, '--limit', { min: 1, max: 100_000, example: 50 });
      const since = flags.since === undefined ? undefined : parse.since(flags.since, '--since');
      const table = flags.table === undefined ? undefined : auditedTable(flags.table);
      const db = await openTarget(target, { create: false });
      let rows: TrailRow[];
      try {
        rows = await db.session((s) => readTail(s, { table, since, limit }));
      } catch (error) {
        if (!isInsufficientPrivilege(error)) throw error;
        throw new EcomdbError('E_AUDIT_FORBIDDEN', 'this role may not read the audit trail (SQLSTATE 42501)', {
          hint: 'connect as the owner of the audit schema (the role that ran ecomdb migrate) or a role it granted SELECT on audit.trail',
          details: { sqlstate: '42501' },
          cause: error,
        });
      } finally {
        await db.close();
      }
      output.table(
        ['at', 'login', 'user', 'table', 'op', 'key', 'what'],
        rows.map((r) => [r.at, r.login, r.userId ?? '', r.table, r.op, r.key ? JSON.stringify(r.key) : '', summary(r)]),
      );
      output.info(`${rows.length} change(s)${table ? ` of ${table}` : ''}${since ? ` since ${since.toISOString()}` : ''}`);
      output.data({ target: db.label, rows });
    });
}
