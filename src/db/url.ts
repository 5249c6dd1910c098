/** Parsing and printing connection strings; a password never reaches the screen. */
import { EcomdbError } from '../errors.ts';

/** Parse a postgres:// URL or fail with E_TARGET_URL. */
export function parseDatabaseUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new EcomdbError('E_TARGET_URL', `not a database URL: "${maskUrl(raw)}"`, {
      hint: 'use postgres://user[:password]@host[:port]/database',
    });
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new EcomdbError('E_TARGET_URL', `unsupported URL scheme "${url.protocol}" in "${maskUrl(raw)}"`, {
      hint: 'use postgres://user[:password]@host[:port]/database',
    });
  }
  if (!url.hostname && !url.searchParams.get('host')) {
    throw new EcomdbError('E_TARGET_URL', `no host in "${maskUrl(raw)}"`, {
      hint: 'use postgres://user[:password]@host[:port]/database',
    });
  }
  return url;
}

/** The URL with any password replaced by ***; also masks `password=` query parameters. */
export function maskUrl(raw: string): string {
  return raw
    .replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@?#]*):[^@/?#]*@/i, '$1:***@')
    .replace(/([?&]password=)[^&#]*/gi, '$1***');
}
