/** Calendar months as `YYYY-MM` strings (UTC), the unit of the time partitions. Pure. */
import { quoteLiteral } from '../ident.ts';

export type Month = string;

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;

export function isMonth(value: string): boolean {
  return MONTH.test(value);
}

export function monthOf(date: Date): Month {
  return `${date.getUTCFullYear()}-${String(date.getUTCMonth() + 1).padStart(2, '0')}`;
}

export function addMonths(month: Month, n: number): Month {
  const m = MONTH.exec(month);
  if (!m) throw new Error(`not a month: ${month}`);
  const index = Number(m[1]) * 12 + Number(m[2]) - 1 + n;
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`;
}

/** Every month from `first` to `last`, both included (empty when last < first). */
export function monthRange(first: Month, last: Month): Month[] {
  const out: Month[] = [];
  for (let m = first; m <= last; m = addMonths(m, 1)) out.push(m);
  return out;
}

/** The first instant of the month, as a timestamptz literal that means the same in every time zone. */
export function monthStart(month: Month): string {
  return quoteLiteral(`${month}-01 00:00:00+00`);
}

/** `2026_11`: the suffix of a month partition's name. */
export function monthSuffix(month: Month): string {
  return month.replace('-', '_');
}

export function minMonth(...months: (Month | null | undefined)[]): Month {
  return months.filter((m): m is Month => !!m).sort()[0]!;
}

export function maxMonth(...months: (Month | null | undefined)[]): Month {
  return months.filter((m): m is Month => !!m).sort().at(-1)!;
}
