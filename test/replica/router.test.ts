/**
 * The router on the test server alone (no read layer built): a replica URL whose port answers
 * but is not PostgreSQL is a replica that is down, not a check that never returns.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DrizzleQueryError } from 'drizzle-orm';
import { isConnectionError } from '../../src/replica/health.ts';
import { createRouter } from '../../src/replica/router.ts';
import { SERVER_URL } from '../helpers/db.ts';

describe('createRouter with a replica that is not PostgreSQL', () => {
  let http: Server;
  let port = 0;
  const sockets = new Set<Socket>();
  beforeAll(async () => {
    http = createServer((socket) => {
      sockets.add(socket);
      socket.on('error', () => {});
      socket.end('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n');
    });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    port = (http.address() as { port: number }).port;
  });
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => http.close(resolve));
  });

  it('marks it down and reads on the primary', async () => {
    const router = await createRouter({ primary: SERVER_URL, replicas: [`postgres://postgres@127.0.0.1:${port}/postgres`], checkIntervalMs: 0 });
    try {
      expect(router.health().map((h) => h.healthy)).toEqual([false]);
      const [row] = await router.read((sql) => sql<{ primary: boolean }[]>`select not pg_is_in_recovery() as primary`);
      expect(row!.primary).toBe(true);
    } finally {
      await router.close();
    }
  });
});

describe('isConnectionError', () => {
  const refused = () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5'), { code: 'ECONNREFUSED' });

  it('sees a broken connection through drizzle-orm\'s wrapper (a read written with the query library)', () => {
    expect(isConnectionError(refused())).toBe(true);
    expect(isConnectionError(new DrizzleQueryError('select 1', [], refused()))).toBe(true);
  });

  it('does not take a failed query, wrapped or not, for a node that is down', () => {
    const syntax = Object.assign(new Error('syntax error'), { code: '42601', severity: 'ERROR' });
    expect(isConnectionError(syntax)).toBe(false);
    expect(isConnectionError(new DrizzleQueryError('selec 1', [], syntax))).toBe(false);
    expect(isConnectionError(new Error('no code'))).toBe(false);
  });
});
