/**
 * A PostgreSQL server reached with postgres.js. The one place that opens postgres.js: every
 * client (commands, the drift rule's scratch database, the read layer's router and monitors)
 * gets the same URL parsing, connect timeout and silence about notices.
 */
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import postgres from 'postgres';
import { EcomdbError, pgFields } from '../errors.ts';
import type { Database, Session } from './types.ts';
import { maskUrl, parseDatabaseUrl, type ConnectionOptions } from './url.ts';

/** How long to wait for a server that does not answer before saying so. */
const CONNECT_TIMEOUT_SECONDS = 5;

/** postgres.js's TLS setting for a sslmode. */
function sslOption(c: ConnectionOptions): postgres.Options<{}>['ssl'] {
  if (c.host.startsWith('/')) return false; // as libpq: no TLS over a Unix socket
  const ca = c.sslrootcert && c.sslrootcert !== 'system' ? { ca: readFileSync(c.sslrootcert) } : {};
  const mode = c.sslmode === 'require' && c.sslrootcert ? 'verify-ca' : c.sslmode; // as libpq
  switch (mode) {
    case 'disable':
      return false;
    // libpq's allow tries without TLS first, prefer with TLS first; both accept either outcome.
    case 'allow':
    case 'prefer':
      return 'prefer';
    case 'require':
      return 'require';
    case 'verify-ca':
      return { ...ca, rejectUnauthorized: true, checkServerIdentity: () => undefined };
    case 'verify-full':
      return { ...ca, rejectUnauthorized: true, host: c.host };
  }
}

/** What a caller may choose; the connection itself comes from the URL. */
export type ClientOptions = Pick<postgres.Options<{}>, 'max' | 'idle_timeout' | 'prepare' | 'connection'> & {
  /** Used when the URL sets no connect_timeout (default 5 s). */
  connectTimeoutSeconds?: number;
};

/** A postgres.js client for a URL (or parsed options), with ecomdb's settings. */
export function postgresClient(url: string | ConnectionOptions, options: ClientOptions = {}): postgres.Sql {
  const c = typeof url === 'string' ? parseDatabaseUrl(url) : url;
  const { connectTimeoutSeconds, ...rest } = options;
  let ssl: postgres.Options<{}>['ssl'];
  try {
    ssl = sslOption(c);
  } catch (error) {
    throw new EcomdbError('E_TARGET_URL', `cannot read sslrootcert ${c.sslrootcert}: ${(error as Error).message}`, {
      hint: 'point sslrootcert at a readable CA certificate file, or use sslrootcert=system',
    });
  }
  return postgres({
    host: c.host,
    port: c.port,
    database: c.database,
    username: c.user,
    password: c.password,
    ssl,
    connect_timeout: c.connectTimeoutSeconds ?? connectTimeoutSeconds ?? CONNECT_TIMEOUT_SECONDS,
    onnotice: () => {},
    ...rest,
    connection: {
      ...(c.applicationName === undefined ? {} : { application_name: c.applicationName }),
      ...(c.options === undefined ? {} : { options: c.options }),
      ...rest.connection,
    },
  });
}

function unreachable(label: string, error: unknown, c: ConnectionOptions): EcomdbError {
  const pg = pgFields(error);
  const reason = pg.code === 'CONNECT_TIMEOUT' ? `no answer within ${c.connectTimeoutSeconds ?? CONNECT_TIMEOUT_SECONDS}s` : pg.message.replace(/\s+/g, ' ');
  const hint =
    pg.code === '3D000'
      ? 'create the database first (createdb), or point --url at an existing one'
      : pg.code === '28P01' || pg.code === '28000'
        ? 'check the user and password in --url / DATABASE_URL'
        : /TLS|SSL|certificate/i.test(pg.message) && c.sslmode !== 'prefer' && c.sslmode !== 'allow'
          ? `check sslmode=${c.sslmode} and sslrootcert in --url / DATABASE_URL: the server may not offer TLS, or its certificate is not trusted`
          : 'check that the server runs and that --url / DATABASE_URL is right';
  return new EcomdbError('E_TARGET_UNREACHABLE', `cannot connect to ${label}: ${reason}`, {
    hint,
    details: { sqlstate: pg.code },
    cause: error,
  });
}

/** Open the server at `url`; `label` names it in messages (default: the URL, password masked). */
export async function openPostgres(url: string | ConnectionOptions, label = typeof url === 'string' ? maskUrl(url) : `${url.database} on ${url.host}`): Promise<Database> {
  const c = typeof url === 'string' ? parseDatabaseUrl(url) : url;
  // Migrations are plain SQL text; nothing needs type transforms beyond the defaults.
  const sql = postgresClient(c, { max: 4, prepare: false });
  try {
    await sql`select 1`;
  } catch (error) {
    await sql.end({ timeout: 1 }).catch(() => {});
    throw unreachable(label, error, c);
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
          // postgres.js is patched (patches/) so that a refused row fails this writable (FACTS.md).
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
