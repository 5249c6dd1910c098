/**
 * Per-table progress for long loads: a live bar (rows, rows/s, ETA) when stderr is a terminal;
 * otherwise (CI logs, a redirect) a line at most every `everyMs` while a table loads, and one
 * summary line per table, so that a long load is never silent. Prints through Output only.
 */
import type { Output } from './output.ts';

/** Starts every periodic line written when stderr is not a terminal (what log readers and tests look for). */
export const PROGRESS_MARKER = '…';

const count = (n: number) => n.toLocaleString('en-US');

export class Progress {
  /** The tables under way: one, or one per lane of a parallel seed (their updates interleave). */
  private readonly tables = new Map<string, { expected: number; started: number }>();
  private lastDraw = 0;
  private readonly live: boolean;
  private readonly everyMs: number;

  constructor(private readonly output: Output, options: { everyMs?: number } = {}) {
    this.live = process.stderr.isTTY === true && !output.json;
    this.everyMs = options.everyMs ?? 10_000;
  }

  start(table: string, expected: number): void {
    this.tables.set(table, { expected, started: Date.now() });
    if (this.tables.size === 1) this.lastDraw = Date.now();
  }

  update(table: string, rows: number): void {
    const now = Date.now();
    const under = this.tables.get(table);
    if (!under || now - this.lastDraw < (this.live ? 100 : this.everyMs)) return;
    this.lastDraw = now;
    const { expected, started } = under;
    const seconds = Math.max(0.001, (now - started) / 1000);
    const rate = rows / seconds;
    const share = expected > 0 ? Math.min(1, rows / expected) : 0;
    const eta = rate > 0 && expected > rows ? `${Math.ceil((expected - rows) / rate)}s` : '-';
    if (!this.live) {
      this.output.info(`  ${PROGRESS_MARKER} ${table} ${count(rows)} of ~${count(expected)} rows (${Math.round(share * 100)}%), ${count(Math.round(rate))}/s, ETA ${eta}`);
      return;
    }
    const bar = '█'.repeat(Math.round(share * 20)).padEnd(20, '░');
    this.output.rewrite(`${table.padEnd(42)} ${bar} ${count(rows).padStart(11)} rows ${count(Math.round(rate)).padStart(9)}/s ETA ${eta}`);
  }

  done(table: string, rows: number, ms: number): void {
    this.tables.delete(table);
    const rate = ms > 0 ? count(Math.round(rows / (ms / 1000))) : '-';
    if (this.live) this.output.rewrite('');
    this.output.info(`  ${table.padEnd(42)} ${count(rows).padStart(11)} rows  ${(ms / 1000).toFixed(1).padStart(6)}s  ${rate.padStart(9)} rows/s`);
  }

  /** The seed's callbacks that drive this display (seed and up load the same way). */
  seedCallbacks(): {
    onTableStart: (table: string, expected: number) => void;
    onRows: (table: string, rows: number) => void;
    onTableDone: (r: { table: string; rows: number; ms: number }) => void;
  } {
    return {
      onTableStart: (table, expected) => this.start(table, expected),
      onRows: (table, rows) => this.update(table, rows),
      onTableDone: (r) => this.done(r.table, r.rows, r.ms),
    };
  }

  stop(): void {
    if (this.live) this.output.rewrite('');
  }
}
