/** `ecomdb audit ...`: read the audit trail (schema/audit.ts). */
import { Command } from 'commander';
import { EXIT } from '../../../errors.ts';
import { tail } from './tail.ts';

export function auditCommand(): Command {
  const root = new Command('audit')
    .description('read the audit trail: who changed which sensitive row, when, from what to what')
    .addHelpText(
      'after',
      `
Examples:
  $ ecomdb audit tail
  $ ecomdb audit tail --table users --since 2h --json

Exits ${EXIT.security} (E_AUDIT_*) when the database has no audit trail, the role may not read it,
or --table names a table that is not audited.`,
    );
  root.addCommand(tail());
  return root;
}
