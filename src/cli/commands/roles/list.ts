/** `ecomdb roles list`: the group roles on the server and the logins in each. */
import { Command } from 'commander';
import { openTarget } from '../../../db/open.ts';
import { DB_ROLES } from '../../../../schema/security.ts';
import { listRoles } from '../../../roles/run.ts';
import { contextOf } from '../../context.ts';

export function listCommand(): Command {
  return new Command('list')
    .description('the seven group roles and the logins in each (a missing group role is listed as missing)')
    .action(async (_flags: unknown, command: Command) => {
      const context = contextOf(command);
      const db = await openTarget(context.target, { create: false });
      try {
        const rows = await db.session((s) => listRoles(s));
        const found = new Map(rows.map((r) => [r.role, r.logins]));
        context.output.table(['group role', 'logins'], DB_ROLES.map((r) => [r, found.has(r) ? found.get(r)!.join(', ') || '-' : 'missing']));
        context.output.data({ roles: DB_ROLES.map((role) => ({ role, exists: found.has(role), logins: found.get(role) ?? [] })) });
      } finally {
        await db.close();
      }
    });
}
