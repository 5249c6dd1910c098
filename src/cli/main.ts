/**
 * The ecomdb command line: global options, one subcommand per file under commands/, and the one
 * handler that turns any failure into a line on stderr and an exit status.
 */
import { Command, CommanderError, Option } from 'commander';
import { EXIT, EcomdbError, isInsufficientPrivilege, permissionError } from '../errors.ts';
import { generateCommand } from './commands/generate.ts';
import { migrateCommand } from './commands/migrate.ts';
import { sqlCommand } from './commands/sql.ts';
import { statusCommand } from './commands/status.ts';
import { seedCommand } from './commands/seed.ts';
import { replicaCommand } from './commands/replica/index.ts';
import { upCommand } from './commands/up.ts';
import { verifyCommand } from './commands/verify.ts';
import { docsCommand } from './commands/docs.ts';
import { partitionCommand } from './commands/partition/index.ts';
import { rolesCommand } from './commands/roles/index.ts';
import { benchCommand } from './commands/bench.ts';
import { lintCommand } from './commands/lint.ts';
import { rehearseCommand } from './commands/rehearse.ts';
import { cacheCommand } from './commands/cache/index.ts';
import { DEFAULT_REDIS_URL } from '../cache/client.ts';
import { auditCommand } from './commands/audit/index.ts';
import { userCommand } from './commands/user/index.ts';
import { Output } from './output.ts';

export function program(): Command {
  const root = new Command('ecomdb')
    .description('Design, deploy and operate the database of a Mercado Libre-style marketplace on PostgreSQL.')
    .version('0.1.0')
    .addOption(new Option('--url <url>', 'PostgreSQL server to use (default: DATABASE_URL, else the embedded database)'))
    .addOption(new Option('--data-dir <dir>', 'folder of the embedded PGlite database (default: ECOMDB_DATA_DIR or ./.ecomdb)'))
    .addOption(new Option('--migrations <dir>', 'migrations folder (default: the migrations/ shipped with ecomdb)'))
    .addOption(new Option('--redis-url <url>', `Redis of the cache layer (default: REDIS_URL, else ${DEFAULT_REDIS_URL}; without one the cache is off)`))
    .option('--json', 'print the result as JSON on stdout (human text stays on stderr)')
    .option('--verbose', 'print stack traces and debug detail')
    .addHelpText(
      'after',
      `
Examples:
  $ ecomdb up                                        # migrate the embedded database and summarise it
  $ ecomdb migrate --url postgres://postgres@localhost:5432/shop
  $ ecomdb status --json
  $ ecomdb sql --component order_processing
  $ ecomdb partition apply                           # partition by site and month
  $ ecomdb lint --url $DATABASE_URL --format github  # unsafe statements in the pending migrations
  $ ecomdb cache status --redis-url redis://127.0.0.1:6379

Exit status: 0 ok, 1 internal error, 2 usage, 3 database unreachable, not PostgreSQL, in use, missing or unusable,
4 migration history conflict, unsafe file or refused down step (nothing ran) or a stale generated folder, 5 migration failed (rolled back),
6 migration lock busy, 7 seed refused, busy or failed (cleaned up), 8 verify found a failing rule or nothing to check,
9 partition command refused or failed (rolled back), 10 an output folder cannot be written,
11 the database role lacks a privilege the command needs, 12 a marketplace operation was refused,
13 bench found no seeded marketplace or its check after the run failed,
14 lint found an error-level finding in the migrations,
15 rehearse saw a wait above --max-lock-ms, a failed migration or a failed copy,
16 status --check found the database behind or ahead of the migrations,
17 a cache command could not reach or use Redis, 18 a security command (roles, audit, user erase) refused or failed (rolled back),
19 the database holds an unfinished seed (run ecomdb seed again),
130 interrupted (Ctrl-C; what was in flight rolled back), 143 stopped by SIGTERM (likewise).
Every error is one line: error CODE: what is wrong — what to do.`,
    );
  for (const command of [upCommand(), migrateCommand(), statusCommand(), seedCommand(), verifyCommand(), sqlCommand(), generateCommand(), replicaCommand(), docsCommand(), partitionCommand(), benchCommand(), lintCommand(), rehearseCommand(), cacheCommand(), auditCommand(), rolesCommand(), userCommand()]) {
    root.addCommand(command);
  }
  routeErrors(root);
  return root;
}

const pathOf = (command: Command): string => (command.parent ? `${pathOf(command.parent)} ${command.name()}` : command.name());

/**
 * commander's own errors (unknown option or command, missing argument, bad choice) become
 * E_USAGE like any other bad input, so they print as one line and honour --json; commander
 * prints nothing itself. Help and version (exit 0) stay commander's, on stdout.
 */
function routeErrors(command: Command): void {
  command
    .showSuggestionAfterError()
    .configureOutput({ writeErr: () => {}, outputError: () => {} })
    .exitOverride((error) => {
      if (error.exitCode === 0) throw error;
      const path = pathOf(command);
      if (error.code === 'commander.help') {
        throw new EcomdbError('E_USAGE', `${path} needs a command`, {
          hint: `one of ${command.commands.map((c) => c.name()).join(', ')}; see ${path} --help`,
          details: { commander: error.code },
        });
      }
      const [first = '', ...rest] = error.message.split('\n');
      const suggestion = /^\(Did you mean (.+)\?\)$/.exec(rest.join(' ').trim())?.[1];
      throw new EcomdbError('E_USAGE', first.replace(/^error: /, ''), {
        hint: suggestion ? `did you mean ${suggestion}?` : `see ${path} --help`,
        details: { commander: error.code },
      });
    });
  for (const sub of command.commands) routeErrors(sub);
}

/** What each command needs of its database role: the hint of a permission error (SQLSTATE 42501). */
const PRIVILEGES_NEEDED: Record<string, string> = {
  status: 'status reads the migration history: connect as a role with USAGE on schema drizzle and SELECT on its tables (the role that ran ecomdb migrate, for example)',
  migrate: 'migrate creates schemas and tables: connect as the owner of the database, or a role with CREATE on it that owns the ecomdb schemas',
  up: 'up migrates, partitions and seeds: connect as the owner of the database, or a role with CREATE on it that owns the ecomdb schemas',
  seed: 'seed writes every table: connect as the owner of the ecomdb tables (the role that ran ecomdb migrate)',
  verify: 'verify reads the catalog and every table: connect as a role with USAGE on the component schemas and SELECT on their tables (their owner, for example); its drift rule also needs CREATEDB',
  docs: 'docs reads the catalog: connect as a role with USAGE on the component schemas',
  partition: 'partition commands rebuild and read the tables: connect as the owner of the ecomdb tables',
  lint: 'lint reads the migration history of the database it is given: connect as a role with USAGE on schema drizzle and SELECT on its tables, or lint without a database (--after TAG, or FILES)',
  roles: 'roles grant-login creates roles: connect as a role with CREATEROLE, or a superuser',
  bench: 'bench reads and writes every marketplace table: connect as the owner of the ecomdb tables (the role that ran ecomdb migrate)',
  cache: 'cache commands read the marketplace tables and the ecomdb_cache outbox: connect as the owner of the ecomdb tables (the role that ran ecomdb migrate)',
};

/**
 * The one place a PostgreSQL permission error (42501) that no command mapped itself becomes
 * E_PERMISSION, with what the command needs; commands that know better (partition list) keep
 * their own code.
 */
function classify(error: unknown, command: Command | undefined): unknown {
  if (error instanceof EcomdbError || !isInsufficientPrivilege(error)) return error;
  let top = command;
  while (top?.parent?.parent) top = top.parent;
  const needs = (top && PRIVILEGES_NEEDED[top.name()]) ?? 'connect as the role that owns the ecomdb schemas (the one that ran ecomdb migrate)';
  return permissionError(error, needs);
}

/** Run the CLI with `argv` (as process.argv); resolves to the exit status. Never throws. */
export async function main(argv: readonly string[]): Promise<number> {
  // `ecomdb sql | head`: a reader that stops early is not an error.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(EXIT.ok);
    throw error;
  });
  const cli = program();
  let running: Command | undefined;
  cli.hook('preAction', (_root, action) => {
    running = action;
  });
  try {
    await cli.parseAsync(argv as string[]);
    return EXIT.ok;
  } catch (raw) {
    // Help and version: commander has printed them, and they are not failures.
    if (raw instanceof CommanderError) return raw.exitCode === 0 ? EXIT.ok : EXIT.usage;
    const error = classify(raw, running);
    const verbose = argv.includes('--verbose');
    const output = new Output({ json: argv.includes('--json'), verbose });
    output.error(error);
    return error instanceof EcomdbError ? error.exitCode : EXIT.internal;
  }
}
