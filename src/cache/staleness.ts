/**
 * Stale reads, detected by whoever wrote: a writer records every value it saw acknowledged (and
 * when), a reader every value it got (and when its read started). After the run, a read that
 * started more than `boundMs` after a write was acknowledged must return that write's value or a
 * later one; any other value is stale. Reads of a key whose write is in doubt are not judged, and
 * neither are reads before the key's first acknowledged write (its value before is unknown).
 */

export interface StaleRead {
  readonly key: string;
  readonly got: string;
  /** The value it should have had at least (the last acknowledged more than the bound before the read). */
  readonly expected: string;
  /** Milliseconds between that write's acknowledgement and the read's start. */
  readonly afterMs: number;
}

export interface StalenessReport {
  readonly boundMs: number;
  /** Reads recorded. */
  readonly reads: number;
  /** Reads that started more than the bound after some acknowledged write of their key: the ones judged. */
  readonly judged: number;
  readonly stale: number;
  /** The first few stale reads. */
  readonly examples: readonly StaleRead[];
}

export class StalenessLedger {
  private readonly writes = new Map<string, { at: number; value: string }[]>();
  private readonly reads: { key: string; at: number; value: string }[] = [];
  private readonly doubtful = new Set<string>();

  constructor(readonly boundMs: number) {}

  /** `value` of `key` was acknowledged at `at` (ms, performance.now()). */
  wrote(key: string, value: string, at: number): void {
    let list = this.writes.get(key);
    if (!list) this.writes.set(key, (list = []));
    list.push({ at, value });
  }

  /** A write of `key` whose outcome is unknown: its reads are not judged. */
  doubt(key: string): void {
    this.doubtful.add(key);
  }

  /** A read of `key` that started at `at` returned `value`. */
  read(key: string, value: string, at: number): void {
    this.reads.push({ key, at, value });
  }

  report(): StalenessReport {
    let judged = 0;
    const examples: StaleRead[] = [];
    let stale = 0;
    for (const [, list] of this.writes) list.sort((a, b) => a.at - b.at);
    for (const r of this.reads) {
      const list = this.writes.get(r.key);
      if (!list || this.doubtful.has(r.key)) continue;
      let k = -1;
      for (let i = 0; i < list.length && list[i]!.at <= r.at - this.boundMs; i++) k = i;
      if (k < 0) continue;
      judged++;
      const allowed = new Set(list.slice(k).map((w) => w.value));
      if (!allowed.has(r.value)) {
        stale++;
        if (examples.length < 5) examples.push({ key: r.key, got: r.value, expected: list[k]!.value, afterMs: Math.round(r.at - list[k]!.at) });
      }
    }
    return { boundMs: this.boundMs, reads: this.reads.length, judged, stale, examples };
  }
}

/**
 * The bound the cache layer keeps: a read that starts this long after a write to what it reads
 * was acknowledged never returns the value before it (docs/design.md, 'The cache layer').
 */
export const INVALIDATION_BOUND_MS = 1000;
