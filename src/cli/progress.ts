/**
 * Per-table progress for long loads: a live bar (rows, rows/s, ETA) when stderr is a terminal,
 * one summary line per table otherwise (CI logs). Prints through Output only.
 */
import type { Output } from './output.ts';

export class Progress {
  private table = '';
  private expected = 0;
  private started = 0;
  private lastDraw = 0;
  private readonly live: boolean;

  constructor(private readonly output: Output) {
    this.live = process.stderr.isTTY === true && !output.json;
  }

  start(table: string, expected: number): void {
    this.table = table;
    this.expected = expected;
    this.started = Date.now();
  }

  update(rows: number): void {
    if (!this.live || Date.now() - this.lastDraw < 100) return;
    this.lastDraw = Date.now();
    const seconds = Math.max(0.001, (Date.now() - this.started) / 1000);
    const rate = rows / seconds;
    const share = this.expected > 0 ? Math.min(1, rows / this.expected) : 0;
    const bar = '█'.repeat(Math.round(share * 20)).padEnd(20, '░');
    const eta = rate > 0 && this.expected > rows ? `${Math.ceil((this.expected - rows) / rate)}s` : '-';
    this.output.rewrite(`${this.table.padEnd(42)} ${bar} ${rows.toLocaleString('en-US').padStart(11)} rows ${Math.round(rate).toLocaleString('en-US').padStart(9)}/s ETA ${eta}`);
  }

  done(table: string, rows: number, ms: number): void {
    const rate = ms > 0 ? Math.round(rows / (ms / 1000)).toLocaleString('en-US') : '-';
    if (this.live) this.output.rewrite('');
    this.output.info(`  ${table.padEnd(42)} ${rows.toLocaleString('en-US').padStart(11)} rows  ${(ms / 1000).toFixed(1).padStart(6)}s  ${rate.padStart(9)} rows/s`);
  }

  stop(): void {
    if (this.live) this.output.rewrite('');
  }
}
