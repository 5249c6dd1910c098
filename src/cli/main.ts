/**
 * The ecomdb command line: global options, one subcommand per file under commands/, and the one
 * handler that turns any failure into a line on stderr and an exit status.
 */
import { Command, CommanderError, Option } from 'commander';
import { EXIT, EcomdbError } from '../errors.ts';
import { generateCommand } from './commands/generate.ts';
import { migrateCommand } from './commands/migrate.ts';
import { sqlCommand } from './commands/sql.ts';
import { statusCommand } from './commands/status.ts';
import { seedCommand } from './commands/seed.ts';
import { replicaCommand } from './commands/replica.ts';
import { upCommand } from './commands/up.ts';
import { verifyCommand } from './commands/verify.ts';
import { docsCommand } from './commands/docs.ts';
import { partitionCommand } from './commands/partition.ts';
import { Output } from './output.ts';

export function program(): Command {
  const root = new Command('ecomdb')
    .description('Design, deploy and operate the database of a Mercado Libre-style marketplace on PostgreSQL.')
    .version('0.1.0')
    .addOption(new Option('--url <url>', 'PostgreSQL server to use (default: DATABASE_URL, else the embedded database)'))
    .addOption(new Option('--data-dir <dir>', 'folder of the embedded PGlite database (default: ECOMDB_DATA_DIR or ./.ecomdb)'))
    .addOption(new Option('--migrations <dir>', 'migrations folder (default: the migrations/ shipped with ecomdb)'))
    .option('--json', 'print the result as JSON on stdout (human text stays on stderr)')
    .option('--verbose', 'print stack traces and debug detail')
    .showSuggestionAfterError()
    .exitOverride()
    .addHelpText(
      'after',
      `
Examples:
  $ ecomdb up                                        # migrate the embedded database and summarise it
  $ ecomdb migrate --url postgres://postgres@localhost:5432/shop
  $ ecomdb status --json
  $ ecomdb sql --component order_processing
  $ ecomdb partition apply                           # partition by site and month

Exit status: 0 ok, 1 internal error, 2 usage, 3 database unreachable or in use,
4 migration history conflict, 5 migration failed (rolled back), 6 migration lock busy,
7 seed refused or failed (rolled back), 8 verify found a failing rule or nothing to check, 9 partition command
refused or failed (rolled back).
Every error is one line: error CODE: what is wrong — what to do.`,
    );
  for (const command of [upCommand(), migrateCommand(), statusCommand(), seedCommand(), verifyCommand(), sqlCommand(), generateCommand(), replicaCommand(), docsCommand(), partitionCommand()]) {
    root.addCommand(command.exitOverride().showSuggestionAfterError());
  }
  return root;
}

/** Run the CLI with `argv` (as process.argv); resolves to the exit status. Never throws. */
export async function main(argv: readonly string[]): Promise<number> {
  // `ecomdb sql | head`: a reader that stops early is not an error.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(EXIT.ok);
    throw error;
  });
  const cli = program();
  try {
    await cli.parseAsync(argv as string[]);
    return EXIT.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      // commander has printed its one line already; help and version are not failures.
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    const verbose = argv.includes('--verbose');
    const output = new Output({ json: argv.includes('--json'), verbose });
    output.error(error);
    return error instanceof EcomdbError ? error.exitCode : EXIT.internal;
  }
}
