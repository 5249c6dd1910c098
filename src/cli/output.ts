/**
 * The one module that prints. Human text goes to stderr, so that stdout carries only data:
 * JSON with --json, or the SQL a command was asked for. Colours follow chalk's detection of the
 * stream, and are off when NO_COLOR is set or stderr is not a terminal.
 */
import { Chalk, type ChalkInstance } from 'chalk';
import { isEcomdbError } from '../errors.ts';

export interface OutputOptions {
  json?: boolean;
  verbose?: boolean;
  stdout?: NodeJS.WritableStream;
  stderr?: NodeJS.WriteStream | NodeJS.WritableStream;
  env?: NodeJS.ProcessEnv;
}

export class Output {
  readonly json: boolean;
  readonly verbose: boolean;
  readonly color: ChalkInstance;
  private readonly stdout: NodeJS.WritableStream;
  private readonly stderr: NodeJS.WritableStream;

  constructor(options: OutputOptions = {}) {
    this.json = options.json ?? false;
    this.verbose = options.verbose ?? false;
    this.stdout = options.stdout ?? process.stdout;
    this.stderr = options.stderr ?? process.stderr;
    const env = options.env ?? process.env;
    const tty = 'isTTY' in this.stderr && this.stderr.isTTY === true;
    const colorOff = env.NO_COLOR !== undefined && env.NO_COLOR !== '';
    this.color = new Chalk({ level: tty && !colorOff ? 1 : 0 });
  }

  /** A line for people (stderr). */
  info(message: string): void {
    this.stderr.write(`${message}\n`);
  }

  success(message: string): void {
    this.info(`${this.color.green('✔')} ${message}`);
  }

  step(message: string): void {
    this.info(`${this.color.cyan('→')} ${message}`);
  }

  warn(message: string): void {
    this.info(`${this.color.yellow('!')} ${message}`);
  }

  /** Replace the current terminal line (progress bars); only call when stderr is a TTY. */
  rewrite(line: string): void {
    this.stderr.write(`\r\x1b[2K${line}`);
  }

  /** Debug detail, only with --verbose. */
  debug(message: string): void {
    if (this.verbose) this.info(this.color.dim(message));
  }

  /** Text that is the command's product (SQL): stdout. */
  text(text: string): void {
    this.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  }

  /** The command's result as JSON on stdout, when --json was given. */
  data(value: unknown): void {
    if (this.json) this.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  }

  /** Rows as aligned columns (stderr). */
  table(headers: readonly string[], rows: readonly (readonly string[])[]): void {
    const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
    const line = (cells: readonly string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
    this.info(this.color.bold(line(headers)));
    for (const row of rows) this.info(line(row));
  }

  /** One line for an error (and its JSON form on stdout with --json); a stack trace only with --verbose. */
  error(error: unknown): void {
    if (isEcomdbError(error)) {
      const hint = error.hint ? ` — ${error.hint}` : '';
      this.info(`${this.color.red('error')} ${error.code}: ${error.message}${hint}`);
      if (this.verbose && error.cause instanceof Error && error.cause.stack) this.info(error.cause.stack);
      else if (this.verbose && error.stack) this.info(error.stack);
      this.data({ error: { code: error.code, message: error.message, hint: error.hint ?? null, details: error.details } });
      return;
    }
    const message = error instanceof Error ? error.message : String(error);
    this.info(`${this.color.red('error')} E_INTERNAL: ${message.split('\n')[0]}${this.verbose ? '' : ' (run with --verbose for the stack trace)'}`);
    if (this.verbose && error instanceof Error && error.stack) this.info(error.stack);
    this.data({ error: { code: 'E_INTERNAL', message, hint: null, details: {} } });
  }
}
