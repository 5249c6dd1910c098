/** `ecomdb docs`: the data dictionary and ER diagrams, generated from the live catalog into docs/. */
import { resolve } from 'node:path';
import { Command } from 'commander';
import { COMPONENTS } from '../../../schema/index.ts';
import { openTarget } from '../../db/open.ts';
import { readCatalog, readMigratedCatalog, type CatalogSchema } from '../../docs/catalog.ts';
import { DOCS_FILES, renderDocs } from '../../docs/render.ts';
import { EcomdbError } from '../../errors.ts';
import { checkWritable, compareFolder, staleOf, writeFolder, type GeneratedFile } from '../../generated-folder.ts';
import { readMigrations } from '../../migrations/files.ts';
import { contextOf, type Context } from '../context.ts';

interface DocsFlags {
  out: string;
  check?: boolean;
}

const titleOf = (schema: string) => COMPONENTS.find((c) => c.schema.schemaName === schema)?.title ?? schema;

/** The pages of a fresh generation: from the target's catalog, or from the committed migrations. */
async function collect(context: Context): Promise<GeneratedFile[]> {
  const { target, migrationsDir, output } = context;
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
  return renderDocs(catalog, titleOf).map((f) => ({ path: f.path, text: f.content }));
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
      const context = contextOf(command);
      const { output } = context;
      const dir = resolve(flags.out);
      // Before the catalog is read (a migrated in-memory database takes seconds): refuse first.
      if (!flags.check) checkWritable(dir);
      const files = await collect(context);
      if (flags.check) {
        const stale = staleOf(compareFolder(dir, files, DOCS_FILES));
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
      const changes = writeFolder(dir, files, DOCS_FILES);
      const stale = staleOf(changes);
      output.data({ out: dir, files: files.map((f) => f.path), stale });
      output.success(`wrote ${flags.out}: ${files.length} files, ${stale.length} changed${changes.removed.length ? `, removed ${changes.removed.join(', ')}` : ''}`);
    });
}
