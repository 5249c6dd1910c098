/**
 * Ctrl-C (SIGINT) or a polite kill (SIGTERM) during a command that changes the database: print
 * one line saying what was interrupted and what state the database is left in, and exit 130 as
 * a shell does. The work needs no cleanup of its own: a transaction that never commits is rolled
 * back by PostgreSQL when the connection goes (and by recovery on the embedded database).
 */
import { EXIT } from '../errors.ts';

/** Install the handler; the returned function removes it (call it when the work is over). */
export function onInterrupt(say: () => void): () => void {
  const handler = () => {
    say();
    process.exit(EXIT.interrupted);
  };
  process.once('SIGINT', handler);
  process.once('SIGTERM', handler);
  return () => {
    process.removeListener('SIGINT', handler);
    process.removeListener('SIGTERM', handler);
  };
}
