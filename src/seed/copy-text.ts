/** Rows to PostgreSQL's COPY text format: tab-separated, \N for NULL, backslash escapes. Pure. */
import type { Cell } from '../../seeds/table-seed.ts';

const SPECIAL = /[\\\t\n\r]/;
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

export function encodeCell(cell: Cell): string {
  if (cell === null) return '\\N';
  if (typeof cell === 'boolean') return cell ? 't' : 'f';
  if (typeof cell === 'number') return String(cell);
  return SPECIAL.test(cell) ? cell.replace(/[\\\t\n\r]/g, (c) => ESCAPES[c]!) : cell;
}

export function encodeRow(row: readonly Cell[]): string {
  let line = encodeCell(row[0]!);
  for (let i = 1; i < row.length; i++) line += `\t${encodeCell(row[i]!)}`;
  return `${line}\n`;
}

export interface ChunkOptions {
  /** Rows per chunk. */
  size?: number;
  /** Called after each chunk with the number of rows encoded so far. */
  onRows?: (rows: number) => void;
  /** Test hook: the 0-based row to corrupt (an extra column), so that PostgreSQL refuses it. */
  corruptRow?: number;
}

/** Encode rows into chunks of whole lines, counting them as they go. */
export async function* chunks(rows: Iterable<readonly Cell[]> | AsyncIterable<readonly Cell[]>, options: ChunkOptions = {}): AsyncGenerator<string> {
  const size = options.size ?? 1000;
  let buffer = '';
  let inBuffer = 0;
  let total = 0;
  for await (const row of rows) {
    buffer += total === options.corruptRow ? encodeRow([...row, 'corrupt']) : encodeRow(row);
    total++;
    if (++inBuffer === size) {
      yield buffer;
      options.onRows?.(total);
      buffer = '';
      inBuffer = 0;
    }
  }
  if (inBuffer > 0) {
    yield buffer;
    options.onRows?.(total);
  }
}
