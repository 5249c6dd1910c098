/** `ecomdb docs`: the data dictionary and ER diagrams, generated from the live catalog into docs/. */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Command } from 'commander';
import { COMPONENTS } from '../../../schema/index.ts';
import { openTarget } from '../../db/open.ts';
import { readCatalog, readMigratedCatalog, type CatalogSchema } from '../../docs/catalog.ts';
import { GENERATED_MARKER, renderDocs, staleFiles } from '../../docs/render.ts';
import { EcomdbError } from '../../errors.ts';
import { readMigrations } from '../../migrations/files.ts';
import { contextOf } from '../context.ts';

interface DocsFlags {
  out: string;
  check?: boolean;
}

const titleOf = (schema: string) => COMPONENTS.find((c) => c.schema.schemaName === schema)?.title ?? schema;

/** The generated files already in `dir` (those that carry the marker): hand-written files are never touched. */
function generatedFilesIn(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  if (!existsSync(dir)) return files;
  for (const name of readdirSync(dir).filter((n) => n.endsWith('.md')).sort()) {
    const content = readFileSync(join(dir, name), 'utf8');
    if (content.startsWith(GENERATED_MARKER)) files.set(name, content);
  }
  return files;
}

export function docsCommand(): Command {
  return new Command('docs')
    .description('write the data dictionary and Mermaid ER diagrams (one per component, one overview) from the live catalog')
    .option('--out <dir>', 'folder to write into', 'docs')
    .option('--check', 'write nothing; exit non-zero when the folder differs from a fresh generation')
    .addHelpText(
      'after',
      `
With no --url and no DATABASE_URL, documents the schema the committed migrations define (an
in-memory PostgreSQL, migrated from scratch): no database is needed and the result is the same
on every machine. With --url, documents that database as it is.

Examples:
  $ ecomdb docs                                      # regenerate docs/ for ecomdb's own schema
  $ ecomdb docs --check                              # in CI: fail when docs/ is stale
  $ ecomdb docs --url postgres://postgres@localhost/shop --out shop-docs`,
    )
    .action(async (flags: DocsFlags, command: Command) => {
      const { target, migrationsDir, output } = contextOf(command);
      const schemas = COMPONENTS.map((c) => c.schema.schemaName);
      let catalog: CatalogSchema[];
      if (target.kind === 'postgres') {
        const db = await openTarget(target, { create: false });
        try {
          catalog = await db.session((s) => readCatalog(s, schemas));
        } finally {
          await db.close();
        }
      } else {
        output.step('migrating an in-memory PostgreSQL from the committed migrations');
        catalog = await readMigratedCatalog(readMigrations(migrationsDir), schemas);
      }
      const files = renderDocs(catalog, titleOf);
      const dir = resolve(flags.out);
      const existing = generatedFilesIn(dir);
      const stale = staleFiles(files, existing);
      if (flags.check) {
        if (stale.length > 0) {
          throw new EcomdbError('E_DOCS_STALE', `${stale.length} file(s) in ${flags.out} differ from a fresh generation: ${stale.join(', ')}`, {
            hint: 'run `npm run ecomdb -- docs` and commit the result',
            details: { stale },
          });
        }
        output.data({ out: dir, files: files.map((f) => f.path), stale });
        output.success(`${flags.out} is up to date (${files.length} files)`);
        return;
      }
      mkdirSync(dir, { recursive: true });
      for (const file of files) if (existing.get(file.path) !== file.content) writeFileSync(join(dir, file.path), file.content);
      const removed = [...existing.keys()].filter((name) => !files.some((f) => f.path === name));
      for (const name of removed) rmSync(join(dir, name));
      output.data({ out: dir, files: files.map((f) => f.path), stale });
      output.success(`wrote ${flags.out}: ${files.length} files, ${stale.length} changed${removed.length ? `, removed ${removed.join(', ')}` : ''}`);
    });
}
