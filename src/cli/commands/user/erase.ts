/** `ecomdb user erase ID`: pseudonymize one user's personal data across every table, in one transaction. */
import { Command } from 'commander';
import { parseSite } from '../../../../schema/values.ts';
import { openTarget } from '../../../db/open.ts';
import { eraseUser } from '../../../erase/run.ts';
import { EXIT } from '../../../errors.ts';
import { contextOf } from '../../context.ts';
import * as parse from '../../options.ts';

export function erase(): Command {
  return new Command('erase')
    .description('pseudonymize a user\'s personal data in every table (searches, messages and audit trail included); orders and payments still add up')
    .argument('<id>', 'the user id')
    .option('--region <site>', 'the account\'s site, when the id exists in more than one')
    .addHelpText(
      'after',
      `
Examples:
  $ ecomdb user erase 41
  $ ecomdb user erase 41 --region MLA --url postgres://postgres@localhost/shop --json

Run it as the owner of the tables. Profile, addresses, messages, questions and reviews of the
user become '[erased]' (or NULL), searches and recommendations are deleted, and every text and
jsonb column of every table is swept for the user's name, email, phone and street lines. Amounts,
statuses and keys are not touched. Erasing again changes nothing. Exits ${EXIT.security} when the
user is unknown (E_ERASE_NOT_FOUND), staff (E_ERASE_STAFF), ambiguous (E_ERASE_AMBIGUOUS) or the
erasure failed (E_ERASE_FAILED; rolled back).`,
    )
    .action(async (id: string, flags: { region?: string }, command: Command) => {
      const { target, output } = contextOf(command);
      const userId = parse.integer(id, 'ID', { min: 1, max: Number.MAX_SAFE_INTEGER, example: 41 });
      const region = flags.region === undefined ? undefined : parseSite(flags.region, 'E_USAGE', '--region');
      const db = await openTarget(target, { create: false });
      let result;
      try {
        result = await eraseUser(db, { userId, region });
      } finally {
        await db.close();
      }
      if (result.alreadyErased) output.success(`user ${userId} of ${result.region} was already erased: nothing left to change`);
      else {
        output.table(['table', 'action', 'rows'], result.changes.map((c) => [c.table, c.action, String(c.rows)]));
        output.success(`erased the personal data of user ${userId} of ${result.region}`);
      }
      if (result.bypassedTriggers.length > 0) output.info(`update triggers switched off for the erasure, inside its transaction: ${result.bypassedTriggers.join(', ')}`);
      output.data(result);
    });
}
