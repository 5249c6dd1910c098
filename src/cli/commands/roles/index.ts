/** `ecomdb roles ...`: logins in the seven group roles (schema/security.ts). */
import { Command } from 'commander';
import { EXIT } from '../../../errors.ts';
import { grantLoginCommand } from './grant-login.ts';
import { listCommand } from './list.ts';

export function rolesCommand(): Command {
  const root = new Command('roles')
    .description('logins in the seven group roles (ecomdb_user, ecomdb_seller, ...), which the migrations create')
    .addHelpText(
      'after',
      `
Examples:
  $ SHOP_API_PASSWORD=... ecomdb roles grant-login shop_api --role user --password-env SHOP_API_PASSWORD
  $ ecomdb roles grant-login metabase --role bi_analyst --password-stdin < secret.txt
  $ ecomdb roles list --json

Exits ${EXIT.security} when refused (unknown role, reserved name, a superuser or group role of that name,
group roles missing), ${EXIT.permission} without CREATEROLE.`,
    );
  for (const sub of [grantLoginCommand(), listCommand()]) root.addCommand(sub);
  return root;
}
