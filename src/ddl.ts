/**
 * The complete DDL for reading (`ecomdb sql`): every statement of the migrations, in the order
 * they run, grouped under the component whose schema it concerns. Pure.
 */
import { COMPONENTS } from '../schema/index.ts';
import type { MigrationFile } from './migrations/files.ts';

export interface DdlSection {
  /** PostgreSQL schema name; 'public' holds the types shared by all components. */
  readonly schema: string;
  readonly title: string;
  readonly comment: string;
  readonly statements: readonly string[];
}

const SHARED = { schema: 'public', title: 'Shared objects', comment: 'Objects used by every component, outside the component schemas.' };

/** The schema a statement concerns: the first schema-qualified name in it, or CREATE SCHEMA's. */
export function schemaOf(statement: string): string {
  const sql = statement.replace(/^(?:--.*\n)+/, '');
  const created = /^(?:CREATE SCHEMA (?:IF NOT EXISTS )?|COMMENT ON SCHEMA )"([^"]+)"/.exec(sql);
  if (created) return created[1]!;
  const qualified = /"([^"]+)"\."[^"]+"/.exec(sql);
  return qualified ? qualified[1]! : 'public';
}

export function ddlSections(files: readonly MigrationFile[]): DdlSection[] {
  const bySchema = new Map<string, string[]>();
  for (const file of files) {
    for (const statement of file.statements) {
      const sql = statement.replace(/^(?:--.*\n)+/, '').trim();
      const schema = schemaOf(sql);
      bySchema.set(schema, [...(bySchema.get(schema) ?? []), sql.endsWith(';') ? sql : `${sql};`]);
    }
  }
  const sections = [
    SHARED,
    ...COMPONENTS.map((c) => ({ schema: c.schema.schemaName, title: c.title, comment: c.comment })),
  ];
  // The shared section appears only when something lives outside the component schemas.
  return sections
    .map((s) => ({ ...s, statements: bySchema.get(s.schema) ?? [] }))
    .filter((s) => s.schema !== SHARED.schema || s.statements.length > 0);
}

export function renderDdl(sections: readonly DdlSection[]): string {
  return sections
    .map((s) => {
      const rule = '-- ' + '='.repeat(76);
      return [rule, `-- ${s.title} (schema ${s.schema})`, `-- ${s.comment}`, rule, '', s.statements.join('\n\n'), ''].join('\n');
    })
    .join('\n');
}
