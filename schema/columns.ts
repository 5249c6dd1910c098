/**
 * Column fragments and constraint builders shared by the ten component files, so that every
 * region column, money column, foreign key and its covering index is spelled the same way.
 *
 * CHECK expressions are written with bare column names (never `${t.col}`): drizzle-kit would
 * qualify them as "table"."col", which PostgreSQL rejects when the CHECK is added to a
 * partitioned table later (docs/design.md, 'drizzle-kit').
 */
import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  char,
  check,
  foreignKey,
  index,
  numeric,
  smallint,
  text,
  timestamp,
  unique,
  type AnyPgColumn,
  type PgColumn,
  type PgSchema,
} from 'drizzle-orm/pg-core';
import { quoteLiteral } from '../src/ident.ts';
import { SITES, SITE_IDS } from './values.ts';

/** The column that carries a row's site; a table that has it is region-scoped (schema/regions.ts). */
export const REGION_COLUMN = 'region';

/**
 * The region a row lives in: a site id; part of the primary key and of every key of a
 * region-scoped table. Plain text with a CHECK (siteRule), not an enum: PostgreSQL refuses a
 * user-defined type in a publication's row filter, and the read layer publishes each site with
 * `WHERE (region = 'MLA')` so that a regional node never receives another site's rows.
 */
export const region = () => text(REGION_COLUMN).notNull();

/** The region is one of the known site ids. */
export function siteRule(table: string) {
  return rule(table, REGION_COLUMN, `${REGION_COLUMN} IN (${SITE_IDS.map(quoteLiteral).join(', ')})`);
}

/** A surrogate key, unique within its region. bigserial rather than identity (docs/design.md, 'Surrogate keys: bigserial, not identity'). */
export const id = () => bigserial('id', { mode: 'number' }).notNull();

/** A reference to the surrogate id of another region-scoped row. */
export const ref = (name: string) => bigint(name, { mode: 'number' });

/** A point in time; always with time zone. */
export const at = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/** When the row was created. */
export const createdAt = () => at('created_at').notNull().defaultNow();

/** An exact amount of money in the currency named beside it. */
export const money = (name: string) => numeric(name, { precision: 14, scale: 2 });

/** An ISO 4217 currency code. */
export const currency = () => char('currency', { length: 3 }).notNull();

/**
 * `CASE <expression> WHEN 'MLB' THEN 'BRL' ... ELSE '' END`: the currency of the site named by
 * `expression` (SQL text, the bare region column by default), and '' for an unknown site, so
 * that a row of an unknown site can never match a currency.
 */
export function siteCurrencySql(expression: string = REGION_COLUMN): string {
  return `CASE ${expression} ${SITES.map((s) => `WHEN ${quoteLiteral(s.id)} THEN ${quoteLiteral(s.currency)}`).join(' ')} ELSE '' END`;
}

/** A CHECK named `<table>_<name>_check` over bare column names. */
export function rule(table: string, name: string, expression: string) {
  return check(`${table}_${name}_check`, sql.raw(expression));
}

/**
 * An amount that must be positive (or, with `orZero`, not negative). NaN is excluded by name:
 * in PostgreSQL 'NaN'::numeric sorts above every number, so `> 0` alone lets it in.
 */
export function amount(table: string, column: string, options: { orZero?: boolean } = {}) {
  return rule(table, column, `${column} ${options.orZero ? '>=' : '>'} 0 AND ${column} <> 'NaN'`);
}

/** The row's currency is the currency of its site (a site missing from the CASE matches nothing). */
export function currencyOfRegion(table: string) {
  return rule(table, 'currency', `currency = ${siteCurrencySql()}`);
}

type Columns = [PgColumn, ...PgColumn[]];
type OnDelete = 'cascade' | 'restrict' | 'no action' | 'set null';

/**
 * A foreign key named `<table>_<cols>_fkey` and, unless a key of the table already starts with
 * the same columns (`covered`), the index `<table>_<cols>_idx` that lets PostgreSQL find the
 * referencing rows when a parent is deleted or updated. `name` replaces `<cols>` where the
 * column list would make a name longer than PostgreSQL's 63 bytes.
 */
export function references(
  table: string,
  columns: Columns,
  target: [AnyPgColumn, ...AnyPgColumn[]],
  onDelete: OnDelete,
  options: { covered?: boolean; name?: string } = {},
) {
  const suffix = options.name ?? columns.map((c) => c.name).join('_');
  const fk = foreignKey({ name: `${table}_${suffix}_fkey`, columns, foreignColumns: target })
    .onDelete(onDelete)
    .onUpdate('no action');
  return options.covered ? [fk] : [fk, index(`${table}_${suffix}_idx`).on(...columns)];
}

/**
 * A small global reference table (statuses, methods, roles): a stable smallint id given by the
 * position in its value list, a unique machine name and a description for people.
 */
export function referenceTable(schema: PgSchema, name: string) {
  return schema.table(
    name,
    {
      id: smallint('id').primaryKey(),
      name: text('name').notNull(),
      description: text('description').notNull(),
    },
    (t) => [
      unique(`${name}_name_key`).on(t.name),
      rule(name, 'name', `name ~ '^[a-z][a-z_]*$'`),
    ],
  );
}

/** The comments every reference table shares, with the noun that says what a row is. */
export function referenceColumns(noun: string) {
  return {
    id: `Stable id of the ${noun}: its position in the value list of schema/values.ts.`,
    name: `Machine name of the ${noun} (lower_snake_case), unique.`,
    description: `What the ${noun} means, in one sentence for people.`,
  };
}
