/** A PostgreSQL server reached with postgres.js. */
import { once } from 'node:events';
import postgres from 'postgres';
import { EcomdbError, pgFields } from '../errors.ts';
import type { Database, Session } from './types.ts';
import { maskUrl, parseDatabaseUrl } from './url.ts';

/** How long to wait for a server that does not answer before saying so. */
const CONNECT_TIMEOUT_SECONDS = 5;

function unreachable(label: string, error: unknown): EcomdbError {
  const pg = pgFields(error);
  const reason =
    pg.code === 'CONNECT_TIMEOUT' ? `no answer within ${CONNECT_TIMEOUT_SECONDS}s` : pg.message.replace(/\s+/g, ' ');
  const hint =
    pg.code === '3D000'
      ? 'create the database first (createdb), or point --url at an existing one'
      : pg.code === '28P01' || pg.code === '28000'
        ? 'check the user and password in --url / DATABASE_URL'
        : 'check that the server runs and that --url / DATABASE_URL is right';
  return new EcomdbError('E_TARGET_UNREACHABLE', `cannot connect to ${label}: ${reason}`, {
    hint,
    details: { sqlstate: pg.code },
    cause: error,
  });
}

export async function openPostgres(rawUrl: string): Promise<Database> {
  parseDatabaseUrl(rawUrl);
  const label = maskUrl(rawUrl);
  const sql = postgres(rawUrl, {
    max: 4,
    connect_timeout: CONNECT_TIMEOUT_SECONDS,
    onnotice: () => {},
    // Migrations are plain SQL text; nothing needs type transforms beyond the defaults.
    prepare: false,
  });
  try {
    await sql`select 1`;
  } catch (error) {
    await sql.end({ timeout: 1 }).catch(() => {});
    throw unreachable(label, error);
  }
  return {
    kind: 'postgres',
    label,
    async session(work) {
      const conn = await sql.reserve();
      const session: Session = {
        // The extended protocol even without parameters: it runs exactly one statement, as the
        // contract says (postgres.js would use the simple protocol, which runs `a; COMMIT; b`).
        query: async (text, params = []) => (await conn.unsafe(text, params as never[], { simple: false } as never)) as never,
        exec: async (text) => {
          await conn.unsafe(text);
        },
        copyFrom: async (target, chunks) => {
          // postgres.js is patched (patches/) so that a refused row fails this writable (docs/design.md, 'postgres.js').
          const stream = await conn.unsafe(`COPY ${target} FROM STDIN`).writable();
          const finished = once(stream, 'finish');
          finished.catch(() => {}); // observed below; avoid an unhandled rejection meanwhile
          try {
            for (const chunk of chunks) {
              if (!stream.write(chunk)) await Promise.race([once(stream, 'drain'), finished]);
            }
          } catch (error) {
            stream.destroy(error as Error);
            throw error;
          }
          stream.end();
          await finished;
        },
      };
      try {
        return await work(session);
      } finally {
        conn.release();
      }
    },
    async close() {
      await sql.end({ timeout: 5 });
    },
  };
}
