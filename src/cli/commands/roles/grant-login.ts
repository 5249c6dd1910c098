/** `ecomdb roles grant-login NAME --role ROLE`: create (or update) a login in a group role. */
import { Command, Option } from 'commander';
import { openTarget } from '../../../db/open.ts';
import { EcomdbError } from '../../../errors.ts';
import { checkLoginName, parseRole } from '../../../roles/plan.ts';
import { grantLogin } from '../../../roles/run.ts';
import { contextOf } from '../../context.ts';

/** The password from the environment variable named, or from stdin; never from the command line (it would show in ps). */
async function passwordFrom(flags: { passwordEnv?: string; passwordStdin?: boolean }): Promise<string | undefined> {
  if (flags.passwordEnv !== undefined && flags.passwordStdin) {
    throw new EcomdbError('E_USAGE', '--password-env and --password-stdin exclude each other', { hint: 'give the password one way' });
  }
  if (flags.passwordEnv !== undefined) {
    const value = process.env[flags.passwordEnv];
    if (!value) throw new EcomdbError('E_ROLES_PASSWORD', `the environment variable ${flags.passwordEnv} is unset or empty`, { hint: `export ${flags.passwordEnv}=... (it is never printed)` });
    return value;
  }
  if (flags.passwordStdin) {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    const value = Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
    if (!value) throw new EcomdbError('E_ROLES_PASSWORD', 'stdin held no password', { hint: 'pipe the password in: ecomdb roles grant-login NAME --role ROLE --password-stdin < file' });
    return value;
  }
  return undefined;
}

export function grantLoginCommand(): Command {
  return new Command('grant-login')
    .description('create or update a login (LOGIN, no superuser, no BYPASSRLS) and add it to a group role')
    .argument('<name>', 'the login name (lower case letters, digits, _)')
    .requiredOption('--role <role>', 'the marketplace role: user, seller, dba, administrator, platform_manager, bi_analyst, marketing_specialist')
    .addOption(new Option('--password-env <var>', 'read the password from this environment variable'))
    .addOption(new Option('--password-stdin', 'read the password from stdin'))
    .action(async (name: string, flags: { role: string; passwordEnv?: string; passwordStdin?: boolean }, command: Command) => {
      const context = contextOf(command);
      const role = parseRole(flags.role);
      checkLoginName(name);
      const password = await passwordFrom(flags);
      const db = await openTarget(context.target, { create: false });
      try {
        const result = await db.session((s) => grantLogin(s, { name, role, ...(password === undefined ? {} : { password }) }));
        context.output.success(`${result.created ? 'created' : 'updated'} login ${result.name} in ${result.group}${result.passwordSet ? ' (password set)' : ''}`);
        context.output.data(result);
      } finally {
        await db.close();
      }
    });
}
