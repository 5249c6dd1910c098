/**
 * `ecomdb generate`: bring migrations/ up to date with the schema source. drizzle-kit writes the
 * schema changes; ecomdb then appends its own migrations for reference rows, comments and BI views, each
 * holding only what the earlier migrations do not already establish.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EcomdbError } from '../errors.ts';
import { readMigrations } from '../migrations/files.ts';
import { cacheStatements } from '../cache/outbox.ts';
import { auditStatements } from './audit.ts';
import { commentStatements, missingAdditions, referenceDataStatements, renderAdditions, roleStatements, securityStatements, viewStatements, type Addition } from './additions.ts';

export const PROJECT_ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
export const MIGRATIONS_DIR = join(PROJECT_ROOT, 'migrations');

function drizzleKit(args: string[], out: string): void {
  const bin = join(PROJECT_ROOT, 'node_modules', 'drizzle-kit', 'bin.cjs');
  const result = spawnSync(process.execPath, [bin, 'generate', '--config', join(PROJECT_ROOT, 'drizzle.config.ts'), ...args], {
    cwd: PROJECT_ROOT,
    // drizzle-kit prefixes the folder with './': it must be relative to the project.
    env: { ...process.env, ECOMDB_MIGRATIONS_OUT: relative(PROJECT_ROOT, out) },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // drizzle-kit exits 0 after some failures, so its output is read too.
  if (result.status !== 0 || /^\s*Error\b/m.test(result.stderr) || /^\s*Error\b/m.test(result.stdout)) {
    throw new EcomdbError('E_GENERATE', `drizzle-kit generate failed: ${(result.stderr || result.stdout).trim().split('\n').at(-1)}`, {
      hint: 'run npx drizzle-kit generate to see its full output',
      details: { stdout: result.stdout, stderr: result.stderr },
    });
  }
}

function sqlFiles(dir: string): Set<string> {
  return new Set(readdirSync(dir).filter((f) => f.endsWith('.sql')));
}

/** Every Addition the schema source generates in this run (their `down` goes into the down files). */
let known: Addition[] = [];

/** Append one ecomdb migration holding `additions`, if there are any; returns its file name. */
function appendAdditions(dir: string, name: string, title: string, wanted: readonly Addition[]): string | undefined {
  known.push(...wanted);
  const existing = readMigrations(dir).flatMap((m) => m.statements);
  const missing = missingAdditions(wanted, existing);
  if (missing.length === 0) return undefined;
  const before = sqlFiles(dir);
  drizzleKit(['--custom', '--name', name], dir);
  const created = [...sqlFiles(dir)].filter((f) => !before.has(f));
  if (created.length !== 1) throw new EcomdbError('E_GENERATE', `drizzle-kit --custom created ${created.length} files, expected 1`);
  const file = created[0]!;
  writeFileSync(join(dir, file), renderAdditions(title, missing));
  return file;
}

/**
 * Write the down file of every migration (src/generate/down.ts), in a child process: see
 * down-main.ts. Returns the down files written or removed.
 */
function writeDownFiles(dir: string, additions: readonly Addition[]): string[] {
  const script = join(PROJECT_ROOT, 'src', 'generate', 'down-main.ts');
  const result = spawnSync(process.execPath, ['--import', 'tsx', script, dir], {
    cwd: PROJECT_ROOT,
    input: JSON.stringify(additions),
    encoding: 'utf8',
    stdio: ['pipe', 'pipe', 'pipe'],
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.status !== 0) {
    throw new EcomdbError('E_GENERATE', `writing the down migrations failed: ${(result.stderr || result.error?.message || '').trim().split('\n').find((l) => /error/i.test(l)) ?? 'no output'}`, {
      hint: 'run with --verbose to see the whole output',
      details: { stdout: result.stdout, stderr: result.stderr },
    });
  }
  return JSON.parse(result.stdout) as string[];
}

export interface GenerateResult {
  /** New files, in the order they were written. */
  readonly created: readonly string[];
  /** Down files (under down/) written, rewritten or removed because they were stale. */
  readonly down: readonly string[];
}

/** Generate into `dir` (default: the project's migrations/). */
export function generateMigrations(dir: string = MIGRATIONS_DIR): GenerateResult {
  known = [];
  // First: the group roles, which the grants and policies of later migrations name.
  const roles = appendAdditions(dir, 'roles', 'The group roles of the seven marketplace roles (schema/security.ts), created only where missing: roles are cluster-wide.', roleStatements());
  const before = sqlFiles(dir);
  drizzleKit(['--name', 'schema'], dir);
  const created = [...(roles ? [roles] : []), ...[...sqlFiles(dir)].filter((f) => !before.has(f)).sort()];
  const reference = appendAdditions(dir, 'reference_data', 'Reference rows: roles, order, payment and shipment statuses, payment methods.', referenceDataStatements());
  if (reference) created.push(reference);
  const comments = appendAdditions(dir, 'comments', 'COMMENT ON every schema, table and column, so that \\d+ explains the model.', commentStatements());
  if (comments) created.push(comments);
  // Last: a view reads the tables (and columns) the migrations before it create.
  const views = appendAdditions(dir, 'views', 'BI materialized views (schema/views.ts), each with the unique index REFRESH ... CONCURRENTLY needs.', viewStatements());
  if (views) created.push(views);
  // After the views: grants name them, and the BI analyst owns and refreshes them.
  const security = appendAdditions(dir, 'security', 'Role matrix, views without personal data and row-level security (schema/security.ts).', securityStatements());
  if (security) created.push(security);
  // After the tables it watches: the cache's outbox, its trigger function and triggers.
  const cache = appendAdditions(dir, 'cache_outbox', 'Cache invalidation (src/cache/outbox.ts): the outbox table, its trigger function and an AFTER trigger on every table a cached value reads.', cacheStatements());
  if (cache) created.push(cache);
  // After the tables it audits and the reference rows (which are not recorded as changes).
  const audit = appendAdditions(dir, 'audit', 'Audit trail (schema/audit.ts): the append-only audit.trail, its functions and one trigger per audited table.', auditStatements());
  if (audit) created.push(audit);
  return { created, down: writeDownFiles(dir, known) };
}
