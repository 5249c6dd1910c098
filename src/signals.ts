/**
 * SIGINT (Ctrl-C) and SIGTERM, in one place. Both end the process with the status a shell reports
 * for the signal (130 for SIGINT, 143 for SIGTERM), after saying or undoing what the work needs.
 *
 * Work whose effects are one transaction needs nothing undone (PostgreSQL rolls back a
 * transaction whose connection goes, the embedded database on recovery): `onInterrupt` only says
 * so. Work that leaves something behind if the process dies halfway (a scratch database) uses
 * `undoOnSignal`, which undoes it before exiting. Node's default is to exit at once, which leaves one such
 * thing per Ctrl-C. SIGKILL cannot be caught: whoever creates such things also sweeps the stale
 * ones it finds (see src/verify/drift.ts).
 */
import { constants } from 'node:os';

/** The status a shell reports for a process ended by `signal`. */
const statusOf = (signal: NodeJS.Signals): number => 128 + constants.signals[signal as keyof typeof constants.signals];

/** How long `settle` may take before the process exits anyway. */
const SETTLE_MS = 5_000;

/**
 * Install a handler that says one line (what was interrupted, what stays) and exits; returns its
 * remover. `settle`, if given, runs first (at most SETTLE_MS): for threads that must end before
 * the process does (the seed's lanes: a thread torn down under a native addon aborts the process).
 */
export function onInterrupt(say: () => void, settle?: () => Promise<unknown>): () => void {
  const handler = (signal: NodeJS.Signals) => {
    say();
    if (!settle) process.exit(statusOf(signal));
    setTimeout(() => process.exit(statusOf(signal)), SETTLE_MS).unref();
    void settle()
      .catch(() => undefined)
      .finally(() => process.exit(statusOf(signal)));
  };
  process.once('SIGINT', handler);
  process.once('SIGTERM', handler);
  return () => {
    process.removeListener('SIGINT', handler);
    process.removeListener('SIGTERM', handler);
  };
}

/**
 * How long the cleanup may take before the process exits anyway. Generous: DROP DATABASE waits
 * for a checkpoint, which takes tens of seconds on a server busy writing.
 */
const GRACE_MS = 60_000;

/**
 * Run `work`; if SIGINT or SIGTERM arrives meanwhile, run `cleanup` and exit with the status a
 * shell reports for that signal (130 for SIGINT, 143 for SIGTERM). A second signal during the
 * cleanup is ignored (the cleanup is on its way, bounded by GRACE_MS).
 */
export async function undoOnSignal<T>(cleanup: () => Promise<unknown>, work: () => Promise<T>): Promise<T> {
  let interrupted = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupted) return;
    interrupted = true;
    const status = statusOf(signal);
    setTimeout(() => process.exit(status), GRACE_MS).unref();
    void cleanup()
      .catch(() => undefined)
      .finally(() => process.exit(status));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await work();
  } finally {
    // Once interrupted, the handlers stay: the work's own failure must not bring back Node's
    // default (an immediate exit) while the cleanup runs.
    if (!interrupted) {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  }
}
