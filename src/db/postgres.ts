/**
 * A PostgreSQL server reached with postgres.js. The one place that opens postgres.js: every
 * client (commands, the drift rule's scratch database, the read layer's router and monitors)
 * gets the same URL parsing, connect timeout, silence about notices, guard below and fixed
 * search_path (src/db/search-path.ts).
 */
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import postgres from 'postgres';
import { EcomdbError, isInsufficientPrivilege, permissionError, pgFields } from '../errors.ts';
import { FIXED_SEARCH_PATH } from './search-path.ts';
import type { Database, Session } from './types.ts';
import { maskUrl, parseDatabaseUrl, type ConnectionOptions } from './url.ts';

/** How long to wait for a server that does not answer before saying so. */
const CONNECT_TIMEOUT_SECONDS = 5;

/** The error code of a connection refused by the guard below (see isConnectionError in src/replica/health.ts). */
export const NOT_POSTGRES = 'ECOMDB_NOT_POSTGRES';

/**
 * Whether the first bytes a server sent can start PostgreSQL's side of a handshake: S or N alone
 * (the answer to an SSLRequest, after which the server waits for the client), or an
 * Authentication request, ErrorResponse or NegotiateProtocolVersion with a plausible length.
 */
function startsLikePostgres(chunk: Buffer): boolean {
  const type = String.fromCharCode(chunk[0]!);
  if (type === 'S' || type === 'N') return chunk.length === 1;
  if (type !== 'R' && type !== 'E' && type !== 'v') return false;
  return chunk.length < 5 || (chunk.readUInt32BE(1) >= 4 && chunk.readUInt32BE(1) <= 1 << 20);
}

/** A cancel request is 16 bytes; PostgreSQL answers it by closing the connection, without a byte. */
const CANCEL_REQUEST_BYTES = 16;

/**
 * Sockets for postgres.js, with a guard: when a server closes a new connection cleanly during the
 * handshake, postgres.js reconnects at once, forever, and the pending query never settles
 * (porsager/postgres#1193): an HTTP server on the port made ecomdb hang, reconnecting hundreds of
 * times a second. A connection whose server answers something that cannot start a PostgreSQL
 * handshake, or closes it without a byte, fails instead: the query settles and the loop ends.
 */
function guardedSocket(c: ConnectionOptions): () => Socket {
  const where = c.host.startsWith('/') ? `the socket in ${c.host}` : `${c.host}:${c.port}`;
  const notPostgres = (what: string) => Object.assign(new Error(`${where} ${what}`), { code: NOT_POSTGRES });
  return () => {
    const socket = c.host.startsWith('/') ? connect(`${c.host}/.s.PGSQL.${c.port}`) : connect(c.port, c.host);
    // postgres.js names the TLS server after socket.host (verify-full checks the certificate against it).
    Object.assign(socket, { host: c.host, port: c.port });
    let answered = false;
    socket.once('data', (chunk: Buffer) => {
      answered = true;
      if (!startsLikePostgres(chunk)) socket.destroy(notPostgres('answers, but not in the PostgreSQL protocol'));
    });
    // Registered before postgres.js's own listener, so this runs before it decides to reconnect.
    socket.once('close', (hadError) => {
      if (hadError || answered || socket.bytesWritten === CANCEL_REQUEST_BYTES) return;
      socket.emit('error', notPostgres('closed the connection without a word'));
    });
    return socket;
  };
}

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
      // Last, so that neither the URL's options nor a caller can change it; a startup parameter
      // also wins over ALTER DATABASE/ROLE ... SET search_path (docs/design.md, 'search_path and pg_catalog').
      search_path: FIXED_SEARCH_PATH,
    },
    ...({ socket: guardedSocket(c) } as object),
  });
}

function unreachable(label: string, error: unknown, c: ConnectionOptions): EcomdbError {
  if (isInsufficientPrivilege(error)) return permissionError(error, 'the role may not connect to this database: have its owner GRANT CONNECT ON DATABASE to the role, or connect as another role');
  const pg = pgFields(error);
  if (pg.code === NOT_POSTGRES) {
    return new EcomdbError('E_TARGET_PROTOCOL', `cannot connect to ${label}: ${pg.message}`, {
      hint: 'check the host and port in --url / DATABASE_URL: another service (HTTP?) listens there',
      cause: error,
    });
  }
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

/**
 * Open the server at `url`; `label` names it in messages (default: the URL, password masked);
 * `max` sessions at once (default 4).
 */
export async function openPostgres(url: string | ConnectionOptions, label = typeof url === 'string' ? maskUrl(url) : `${url.database} on ${url.host}`, { max = 4 }: { max?: number } = {}): Promise<Database> {
  const c = typeof url === 'string' ? parseDatabaseUrl(url) : url;
  // Migrations are plain SQL text; nothing needs type transforms beyond the defaults.
  const sql = postgresClient(c, { max, prepare: false });
  try {
    await sql`select 1`;
  } catch (error) {
    await sql.end({ timeout: 1 }).catch(() => {});
    throw unreachable(label, error, c);
  }
  return {
    kind: 'postgres',
    label,
    connection: c,
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
            for await (const chunk of chunks) {
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
