/**
 * Connection strings: the libpq URL forms that providers and documentation hand out, parsed
 * into plain connection options (pure), and printed with any password masked.
 *
 * Parsed by hand rather than with WHATWG `URL`, which rejects libpq forms such as
 * `postgres://user@/db?host=/var/run/postgresql` and leaves a `%2F`-encoded socket folder encoded.
 */
import { EcomdbError } from '../errors.ts';

export const SSL_MODES = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'] as const;
export type SslMode = (typeof SSL_MODES)[number];

/** Where and how to connect; every field the URL can set, and nothing the driver would guess. */
export interface ConnectionOptions {
  /** A host name or IP address, or (starting with `/`) the folder of a Unix socket. */
  readonly host: string;
  readonly port: number;
  /** Undefined: the driver's default (PGDATABASE, else the user name), as with libpq. */
  readonly database: string | undefined;
  /** Undefined: the driver's default (PGUSER, else the OS user), as with libpq. */
  readonly user: string | undefined;
  readonly password: string | undefined;
  /** libpq's default is `prefer`; TLS is never used over a Unix socket. */
  readonly sslmode: SslMode;
  /** A CA certificate file, or `system` for the operating system's CAs. */
  readonly sslrootcert: string | undefined;
  readonly applicationName: string | undefined;
  /** Undefined: the caller's default. */
  readonly connectTimeoutSeconds: number | undefined;
  /** Server settings sent at connection (`-c search_path=shop`). */
  readonly options: string | undefined;
}

const FORM = 'postgres://user[:password]@host[:port]/database[?sslmode=require]';

/** The query parameters ecomdb accepts: libpq's keywords that mean something to it. */
const PARAMETERS = [
  'host',
  'port',
  'dbname',
  'user',
  'password',
  'sslmode',
  'sslrootcert',
  'application_name',
  'connect_timeout',
  'options',
  'channel_binding',
] as const;

function refuse(raw: string, what: string, hint = `use ${FORM}`): EcomdbError {
  return new EcomdbError('E_TARGET_URL', `${what} in "${maskUrl(raw)}"`, { hint });
}

function decode(raw: string, part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw refuse(raw, `malformed percent-encoding "${part}"`, 'encode reserved characters as %XX (e.g. @ as %40, / as %2F)');
  }
}

function parsePort(raw: string, text: string): number {
  const port = /^\d{1,5}$/.test(text) ? Number(text) : Number.NaN;
  if (!(port >= 1 && port <= 65535)) throw refuse(raw, `port "${text}" is not a port number`, 'use a port between 1 and 65535');
  return port;
}

/** Parse a postgres:// (or postgresql://) URL into connection options, or fail with E_TARGET_URL. Pure. */
export function parseDatabaseUrl(raw: string): ConnectionOptions {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(raw);
  if (!scheme) throw new EcomdbError('E_TARGET_URL', `not a database URL: "${maskUrl(raw)}"`, { hint: `use ${FORM}` });
  if (!/^postgres(ql)?$/i.test(scheme[1]!)) throw refuse(raw, `unsupported URL scheme "${scheme[1]}:"`);

  const rest = raw.slice(scheme[0].length);
  const queryAt = rest.indexOf('?');
  const beforeQuery = queryAt < 0 ? rest : rest.slice(0, queryAt);
  const slash = beforeQuery.indexOf('/');
  const authority = slash < 0 ? beforeQuery : beforeQuery.slice(0, slash);
  const path = slash < 0 ? '' : beforeQuery.slice(slash + 1);
  // The last @ ends the user part: an unencoded @ in a password still parses.
  const at = authority.lastIndexOf('@');
  const userinfo = at < 0 ? '' : authority.slice(0, at);
  const hostport = at < 0 ? authority : authority.slice(at + 1);

  const colon = userinfo.indexOf(':');
  let user = colon < 0 ? userinfo : userinfo.slice(0, colon);
  let password = colon < 0 ? '' : userinfo.slice(colon + 1);
  user = decode(raw, user);
  password = decode(raw, password);

  if (hostport.includes(',')) throw refuse(raw, 'several hosts', 'give one host: ecomdb connects to one server');
  const bracketed = /^\[([^\]]*)\](?::(.*))?$/.exec(hostport);
  let host: string;
  let portText: string | undefined;
  if (bracketed) [host, portText] = [bracketed[1]!, bracketed[2]];
  else {
    const portAt = hostport.lastIndexOf(':');
    [host, portText] = portAt < 0 ? [hostport, undefined] : [hostport.slice(0, portAt), hostport.slice(portAt + 1)];
  }
  host = decode(raw, host);
  let port = portText === undefined || portText === '' ? 5432 : parsePort(raw, portText);
  let database: string | undefined = path === '' ? undefined : decode(raw, path);

  let sslmode: SslMode | undefined;
  let sslrootcert: string | undefined;
  let applicationName: string | undefined;
  let connectTimeoutSeconds: number | undefined;
  let options: string | undefined;
  const query = queryAt < 0 ? '' : rest.slice(queryAt + 1);
  for (const pair of query.split('&').filter(Boolean)) {
    const eq = pair.indexOf('=');
    // Only %XX is decoded, as by libpq: a + in a password stays a +.
    const key = decode(raw, eq < 0 ? pair : pair.slice(0, eq));
    const value = decode(raw, eq < 0 ? '' : pair.slice(eq + 1));
    switch (key as (typeof PARAMETERS)[number]) {
      case 'host':
        if (value.includes(',')) throw refuse(raw, 'several hosts', 'give one host: ecomdb connects to one server');
        host = value;
        break;
      case 'port':
        port = parsePort(raw, value);
        break;
      case 'dbname':
        database = value;
        break;
      case 'user':
        user = value;
        break;
      case 'password':
        password = value;
        break;
      case 'sslmode':
        if (!(SSL_MODES as readonly string[]).includes(value)) throw refuse(raw, `sslmode "${value}" is not an SSL mode`, `use one of: ${SSL_MODES.join(', ')}`);
        sslmode = value as SslMode;
        break;
      case 'sslrootcert':
        sslrootcert = value;
        break;
      case 'application_name':
        applicationName = value;
        break;
      case 'connect_timeout':
        if (!/^\d+$/.test(value) || Number(value) < 1) throw refuse(raw, `connect_timeout "${value}" is not a number of seconds`, 'use a whole number of seconds, at least 1');
        connectTimeoutSeconds = Number(value);
        break;
      case 'options':
        options = value;
        break;
      case 'channel_binding':
        // The driver authenticates with SCRAM-SHA-256 but cannot bind it to the TLS channel.
        if (value === 'require') throw refuse(raw, 'channel_binding=require cannot be honoured', 'use channel_binding=prefer (or drop it): the password still travels only as a SCRAM proof');
        if (value !== 'prefer' && value !== 'disable') throw refuse(raw, `channel_binding "${value}" is not disable, prefer or require`, 'use channel_binding=prefer');
        break;
      default:
        throw refuse(raw, `unknown parameter "${key}"`, `use only ${PARAMETERS.join(', ')}`);
    }
  }
  if (!host) throw refuse(raw, 'no host', `use ${FORM}, or postgres:///database?host=/var/run/postgresql for a Unix socket`);
  if (sslrootcert === 'system' && sslmode === undefined) sslmode = 'verify-full'; // as libpq
  return {
    host,
    port,
    database,
    user: user || undefined,
    password: password || undefined,
    sslmode: sslmode ?? 'prefer',
    sslrootcert,
    applicationName,
    connectTimeoutSeconds,
    options,
  };
}

/** The URL with any password replaced by ***, in the user part and in `password=` parameters. */
export function maskUrl(raw: string): string {
  return raw
    .replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@?#]*):[^/?#]*@/i, '$1:***@')
    .replace(/([?&]password=)[^&#]*/gi, '$1***');
}

/**
 * The same URL naming another database on the same server (a scratch database): its path is
 * replaced and any `dbname=` parameter dropped; host, user, TLS and the other parameters stay. Pure.
 */
export function urlWithDatabase(raw: string, database: string): string {
  parseDatabaseUrl(raw);
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(raw)![0];
  const rest = raw.slice(scheme.length);
  const queryAt = rest.indexOf('?');
  const beforeQuery = queryAt < 0 ? rest : rest.slice(0, queryAt);
  const query = queryAt < 0 ? '' : rest.slice(queryAt + 1).split('&').filter((p) => p !== '' && !/^dbname=/i.test(p)).join('&');
  const slash = beforeQuery.indexOf('/');
  const authority = slash < 0 ? beforeQuery : beforeQuery.slice(0, slash);
  return `${scheme}${authority}/${encodeURIComponent(database)}${query ? `?${query}` : ''}`;
}
