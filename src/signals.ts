/**
 * Work that leaves something behind if the process dies halfway (a scratch database): on SIGINT
 * or SIGTERM, undo it before exiting. Node's default is to exit at once, which leaves one such
 * thing per Ctrl-C. SIGKILL cannot be caught: whoever creates such things also sweeps the stale
 * ones it finds (see src/verify/drift.ts).
 */
import { constants } from 'node:os';

/** How long the cleanup may take before the process exits anyway. */
const GRACE_MS = 10_000;

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
    const status = 128 + constants.signals[signal as keyof typeof constants.signals];
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
