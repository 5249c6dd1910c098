/**
 * Small facts about a node, shared by status, promote and the router: connecting with short
 * timeouts, reading write-ahead log positions, and telling a node that is down from one that
 * answered with an error.
 */
import type postgres from 'postgres';
import { NOT_POSTGRES, postgresClient } from '../db/postgres.ts';

/** A write-ahead log position (`16/B374D848`) as a byte offset. */
export function lsnBytes(lsn: string): bigint {
  const [high, low] = lsn.split('/');
  if (high === undefined || low === undefined) throw new RangeError(`not an LSN: ${lsn}`);
  return (BigInt(`0x${high}`) << 32n) + BigInt(`0x${low}`);
}

/** How many bytes `behind` is behind `ahead` (0 when it is not behind). */
export function lagBytes(ahead: string, behind: string): number {
  const diff = lsnBytes(ahead) - lsnBytes(behind);
  return diff > 0n ? Number(diff) : 0;
}

/** A postgres.js client for health checks and monitoring: one connection, answers fast or not at all. */
export function monitorClient(url: string, options: { connectTimeoutSeconds?: number } = {}): postgres.Sql {
  return postgresClient(url, {
    max: 1,
    connectTimeoutSeconds: options.connectTimeoutSeconds ?? 2,
    idle_timeout: 5,
    prepare: false,
    // Monitoring must not wait for a busy node: a statement over 5 s counts as no answer.
    connection: { statement_timeout: 5000, application_name: 'ecomdb replica' },
  });
}

/**
 * Errors that mean the node is down or went away (so a read can go elsewhere), not that the query
 * was wrong. The driver's error may come wrapped: drizzle-orm throws a DrizzleQueryError whose
 * `cause` is postgres.js's error, so a read written with the query library is judged by its cause.
 */
export function isConnectionError(error: unknown): boolean {
  let code = (error as { code?: unknown })?.code;
  for (let e = error, depth = 0; typeof code !== 'string' && e && typeof e === 'object' && depth < 5; depth++) {
    e = (e as { cause?: unknown }).cause;
    code = (e as { code?: unknown } | undefined)?.code;
  }
  if (typeof code !== 'string') return false;
  return (
    code.startsWith('08') || // connection exception
    code === '57P01' || // admin_shutdown
    code === '57P02' || // crash_shutdown
    code === '57P03' || // cannot_connect_now (starting up or shutting down)
    [
      'ECONNREFUSED',
      'ECONNRESET',
      'EPIPE',
      'ETIMEDOUT',
      'EHOSTUNREACH',
      'ENOENT',
      'CONNECT_TIMEOUT',
      'CONNECTION_CLOSED',
      'CONNECTION_ENDED',
      'CONNECTION_DESTROYED',
      NOT_POSTGRES,
    ].includes(code)
  );
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message.split('\n')[0]! : String(error);
}
