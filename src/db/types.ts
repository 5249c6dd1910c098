/**
 * The small surface through which ecomdb talks to a database, the same for a PostgreSQL server
 * (postgres.js) and for embedded PGlite. Only executors use it; planners never see a database.
 */
import type { ConnectionOptions } from './url.ts';

/** One connection, held for the whole of a unit of work (locks and transactions live on it). */
export interface Session {
  /** Run one parameterised query and return its rows. */
  query<Row = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<Row[]>;
  /** Run SQL text with no parameters (simple protocol: may hold several statements). */
  exec(text: string): Promise<void>;
  /**
   * Stream rows into `COPY <target> FROM STDIN` (text format). `chunks` yields pieces of COPY
   * text, each a whole number of lines. Rejects with PostgreSQL's error if a row is refused.
   */
  copyFrom(target: string, chunks: Iterable<string> | AsyncIterable<string>): Promise<void>;
}

export type TargetKind = 'postgres' | 'pglite';

/** An open database: a server reached by URL, or the embedded store in a folder. */
export interface Database {
  readonly kind: TargetKind;
  /** Where it is, safe to print: the URL without its password, or the folder. */
  readonly label: string;
  /** A server: where it is, to open more connections to it (the seed's lanes, src/seed/lanes.ts). */
  readonly connection?: ConnectionOptions;
  /** Run `work` on one dedicated connection, released afterwards. */
  session<T>(work: (session: Session) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
