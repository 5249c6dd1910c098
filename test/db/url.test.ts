/** parseDatabaseUrl is pure: the libpq URL forms providers hand out, in; connection options, out. */
import { describe, expect, it } from 'vitest';
import { EcomdbError } from '../../src/errors.ts';
import { maskUrl, parseDatabaseUrl, type ConnectionOptions } from '../../src/db/url.ts';

const none = {
  database: undefined,
  user: undefined,
  password: undefined,
  sslmode: 'prefer',
  sslrootcert: undefined,
  applicationName: undefined,
  connectTimeoutSeconds: undefined,
  options: undefined,
} as const;

const options = (o: Partial<ConnectionOptions> & Pick<ConnectionOptions, 'host' | 'port'>): ConnectionOptions => ({ ...none, ...o });

function refusal(raw: string): string {
  try {
    parseDatabaseUrl(raw);
  } catch (error) {
    if (error instanceof EcomdbError) return error.code;
    throw error;
  }
  return 'accepted';
}

describe('parseDatabaseUrl', () => {
  it('reads user, password, host, port and database, percent-decoded', () => {
    expect(parseDatabaseUrl('postgres://shop:p%40ss%2Fw0rd@db.example.com:6543/my%20shop')).toStrictEqual(
      options({ host: 'db.example.com', port: 6543, user: 'shop', password: 'p@ss/w0rd', database: 'my shop' }),
    );
    expect(parseDatabaseUrl('postgresql://127.0.0.1')).toStrictEqual(options({ host: '127.0.0.1', port: 5432 }));
    expect(parseDatabaseUrl('postgres://[::1]:5433/db')).toStrictEqual(options({ host: '::1', port: 5433, database: 'db' }));
    // An unencoded @ in a password: the last @ ends the user part.
    expect(parseDatabaseUrl('postgres://u:a@b@h/d')).toStrictEqual(options({ host: 'h', port: 5432, user: 'u', password: 'a@b', database: 'd' }));
  });

  it('takes password=, user=, port= and dbname= from the query, over the URL parts', () => {
    expect(parseDatabaseUrl('postgres://u@h:1/d?password=s3cr%26t+x&user=other&port=5439&dbname=shop')).toStrictEqual(
      options({ host: 'h', port: 5439, user: 'other', password: 's3cr&t+x', database: 'shop' }),
    );
  });

  it('reads a Unix socket folder from host= or from a %2F-encoded host', () => {
    const socket = options({ host: '/var/run/postgresql', port: 5432, database: 'shop' });
    expect(parseDatabaseUrl('postgres:///shop?host=/var/run/postgresql')).toStrictEqual(socket);
    expect(parseDatabaseUrl('postgres://%2Fvar%2Frun%2Fpostgresql/shop')).toStrictEqual(socket);
    expect(parseDatabaseUrl('postgres://%2fvar%2frun%2fpostgresql/shop')).toStrictEqual(socket);
    expect(parseDatabaseUrl('postgresql://postgres@/shop?host=%2Fvar%2Frun%2Fpostgresql&port=5433')).toStrictEqual({ ...socket, user: 'postgres', port: 5433 });
    // host= wins over the URL's host, as in libpq.
    expect(parseDatabaseUrl('postgres://localhost/shop?host=/tmp')).toStrictEqual({ ...socket, host: '/tmp' });
  });

  it('accepts every libpq sslmode, and the other parameters providers add', () => {
    for (const sslmode of ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'] as const) {
      expect(parseDatabaseUrl(`postgres://h/d?sslmode=${sslmode}`)).toStrictEqual(options({ host: 'h', port: 5432, database: 'd', sslmode }));
    }
    expect(
      parseDatabaseUrl('postgres://h/d?sslmode=verify-full&sslrootcert=/etc/ca.pem&application_name=shop&connect_timeout=10&options=-c%20search_path%3Dshop&channel_binding=prefer'),
    ).toStrictEqual(
      options({ host: 'h', port: 5432, database: 'd', sslmode: 'verify-full', sslrootcert: '/etc/ca.pem', applicationName: 'shop', connectTimeoutSeconds: 10, options: '-c search_path=shop' }),
    );
    // sslrootcert=system without a sslmode means verify-full, as in libpq.
    expect(parseDatabaseUrl('postgres://h/d?sslrootcert=system').sslmode).toBe('verify-full');
  });

  it('refuses what it cannot honour with E_TARGET_URL', () => {
    for (const raw of [
      'not a url',
      'mysql://h/d',
      'postgres:///d',
      'postgres://h/d?sslmode=bogus',
      'postgres://h/d?sslmode=',
      'postgres://h/d?schema=public',
      'postgres://h/d?port=0',
      'postgres://h:99999/d',
      'postgres://h:abc/d',
      'postgres://h/d?connect_timeout=soon',
      'postgres://h1,h2/d',
      'postgres://h/d?host=a,b',
      'postgres://h/d?channel_binding=require',
      'postgres://h/d%ZZ',
    ]) {
      expect([raw, refusal(raw)]).toEqual([raw, 'E_TARGET_URL']);
    }
  });
});

describe('maskUrl', () => {
  it('hides the password of the user part and of password=', () => {
    expect(maskUrl('postgres://u:secret@h/d')).toBe('postgres://u:***@h/d');
    expect(maskUrl('postgres://u:a@b@h/d')).toBe('postgres://u:***@h/d');
    expect(maskUrl('postgres://u@h/d?sslmode=require&password=secret&port=1')).toBe('postgres://u@h/d?sslmode=require&password=***&port=1');
  });
});
