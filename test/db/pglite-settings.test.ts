/**
 * The server settings ecomdb starts PGlite with: a lock table big enough for the seed to rebuild
 * the keys of every partition in its one transaction (src/db/pglite.ts, PGLITE_CONF).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openMemoryPglite, openPglite } from '../../src/db/pglite.ts';
import type { Database } from '../../src/db/types.ts';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

async function lockSlots(db: Database): Promise<number> {
  return db.session(async (s) => {
    const [row] = await s.query<{ slots: number }>(`select (current_setting('max_locks_per_transaction')::int * current_setting('max_connections')::int) as slots`);
    return row!.slots;
  });
}

describe('PGlite as ecomdb starts it', () => {
  it('in memory and in a folder, holds 40,960 lock slots (the default holds 6,400)', async () => {
    const memory = await openMemoryPglite();
    try {
      expect(await lockSlots(memory.db)).toBe(40_960);
    } finally {
      await memory.db.close();
    }
    const dir = mkdtempSync(join(tmpdir(), 'ecomdb-pglite-'));
    dirs.push(dir);
    const stored = await openPglite(dir, { create: true });
    try {
      expect(await lockSlots(stored)).toBe(40_960);
    } finally {
      await stored.close();
    }
  });
});
