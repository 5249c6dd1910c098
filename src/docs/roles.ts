/**
 * The role matrix of schema/security.ts as Markdown, for docs/roles.md and the README (between
 * its role-matrix markers). Pure: the same declaration gives the same bytes.
 */
import { BI_MATERIALIZED_VIEWS, IMPERSONAL_VIEWS, MATRIX_TABLES, ROLE_MATRIX, ROW_POLICIES, dbRole, type Grant, type Privilege, type RoleName } from '../../schema/security.ts';
import { ROLES } from '../../schema/values.ts';

const LETTER: Record<Privilege, string> = { SELECT: 'S', INSERT: 'I', UPDATE: 'U', DELETE: 'D', TRUNCATE: 'T', REFERENCES: 'R', TRIGGER: 'G', EXECUTE: 'X' };

/** One cell: `SIUD`, and column-level privileges as `U(stock, low_stock_since)`. */
function cell(grants: readonly Grant[]): string {
  const whole = grants.filter((g) => !g.columns).flatMap((g) => g.privileges);
  const parts: string[] = [];
  if (whole.length > 0) parts.push((Object.keys(LETTER) as Privilege[]).filter((p) => whole.includes(p)).map((p) => LETTER[p]).join(''));
  for (const g of grants.filter((x) => x.columns)) parts.push(`${g.privileges.map((p) => LETTER[p]).join('')}(${g.columns!.join(', ')})`);
  return parts.join(' ') || '·';
}

/** Role x relation: which privileges each group role holds, per column where the table holds personal data. */
export function roleMatrixTable(matrix: readonly Grant[] = ROLE_MATRIX): string {
  const roles = ROLES.map((r) => r.name as RoleName);
  const order = [...MATRIX_TABLES, ...IMPERSONAL_VIEWS.map((v) => v.name)];
  const rank = (rel: string) => (order.includes(rel) ? order.indexOf(rel) : order.length);
  const relations = [...new Set(matrix.map((g) => g.relation))].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  const header = `| relation | ${roles.map((r) => `\`${dbRole(r)}\``).join(' | ')} |`;
  const rule = `|---|${roles.map(() => '---').join('|')}|`;
  const rows = relations.map((rel) => `| \`${rel}\` | ${roles.map((r) => cell(matrix.filter((g) => g.role === r && g.relation === rel))).join(' | ')} |`);
  return [header, rule, ...rows].join('\n');
}

/** Which rows each role's policies leave it, per region-scoped table. */
export function rowPolicyTable(): string {
  const rows = ROW_POLICIES.map((p) => `| \`${p.table}\` | \`${p.name}\` | ${p.for.toUpperCase()}${p.restrictive ? ' (restrictive)' : ''} | ${p.to.map((r) => `\`${dbRole(r)}\``).join(', ')} | ${p.using === undefined ? '' : `\`${p.using}\``} | ${p.check === undefined ? '' : `\`${p.check}\``} |`);
  return ['| table | policy | command | roles | rows it reads or changes (USING) | rows it may write (WITH CHECK) |', '|---|---|---|---|---|---|', ...rows].join('\n');
}

export const MATRIX_LEGEND =
  'S SELECT, I INSERT, U UPDATE, D DELETE, T TRUNCATE, R REFERENCES, G TRIGGER, X EXECUTE (a function); `U(a, b)` on those columns only; · nothing. ' +
  'The DBA also holds USAGE and CREATE on every schema; every role holds USAGE on the schemas of its cells and on the sequences of the tables it inserts into. ' +
  `The BI materialized views (${BI_MATERIALIZED_VIEWS.map((v) => `\`${v}\``).join(', ')}) belong to \`ecomdb_bi_analyst\`, which refreshes them; the DBA reads them and, as a member of that role, refreshes them too.`;

/** docs/roles.md (without the generated marker, which the caller adds). */
export function rolesPage(): string {
  return `# Roles, grants and row-level security

The seven marketplace roles are PostgreSQL group roles (NOLOGIN), declared in \`schema/security.ts\`
and created by the migrations. Logins join them with \`ecomdb roles grant-login NAME --role ROLE\`.
Applications act as a role and a user with \`asUser(db, { role, userId }, work)\` (\`ecomdb/access\`):
\`SET LOCAL ROLE\` and \`set_config('ecomdb.user_id', id, true)\` in one transaction.

## Role matrix

${MATRIX_LEGEND}

${roleMatrixTable()}

## Row-level security

Every region-scoped table, and every one of its partitions, has row-level security enabled with
these policies. A role with no policy on a table sees none of its rows. \`(SELECT NULLIF(...))\` is
the acting user, \`ecomdb.user_id\`, read once per statement.

${rowPolicyTable()}
`;
}
