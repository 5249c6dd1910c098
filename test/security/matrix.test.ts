/** The role matrix is data (schema/security.ts): the README and docs/roles.md show exactly it. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PERSONAL_COLUMNS, ROLE_MATRIX, ROW_POLICIES, REGION_TABLES } from '../../schema/security.ts';
import { roleMatrixTable } from '../../src/docs/roles.ts';
import { PROJECT_ROOT } from '../../src/generate/run.ts';

describe('the role matrix', () => {
  it('the README holds the table rendered from schema/security.ts', () => {
    const readme = readFileSync(join(PROJECT_ROOT, 'README.md'), 'utf8');
    const m = /<!-- role-matrix:start[^\n]*-->\n([\s\S]*?)\n<!-- role-matrix:end -->/.exec(readme);
    expect(m, 'README has the role-matrix markers').not.toBeNull();
    expect(m![1]).toBe(roleMatrixTable());
    expect(readFileSync(join(PROJECT_ROOT, 'docs', 'roles.md'), 'utf8')).toContain(roleMatrixTable());
  });

  it('BI analysts and DBAs hold SELECT on no personal column', () => {
    for (const [table, columns] of Object.entries(PERSONAL_COLUMNS)) {
      for (const g of ROLE_MATRIX.filter((x) => x.relation === table && x.privileges.includes('SELECT'))) {
        if (g.role === 'bi_analyst' || g.role === 'dba') expect(g.columns?.filter((c) => columns.includes(c)) ?? columns, `${g.role} on ${table}`).toEqual([]);
      }
    }
  });

  it('every region-scoped table has a policy for every role the matrix lets touch it', () => {
    for (const table of REGION_TABLES) {
      const roles = new Set(ROLE_MATRIX.filter((g) => g.relation === table).map((g) => g.role));
      const covered = new Set(ROW_POLICIES.filter((p) => p.table === table).flatMap((p) => p.to));
      for (const role of roles) expect(covered.has(role), `${role} on ${table}`).toBe(true);
    }
  });
});
