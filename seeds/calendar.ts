/**
 * The marketplace's calendar, per site: the weekly rhythm, the season, and the big sale days
 * (Black Friday, Cyber Monday, Hot Sale, Buen Fin, CyberDay, Dia do Consumidor, Mother's Day)
 * as spikes of orders; and the offset of each site's time zone from UTC, day by day. Dates are
 * rules ("the fourth Friday of November"), so any --until gets the right days.
 */
import type { SiteId } from '../schema/values.ts';
import { DAY_MS } from '../src/time.ts';
import type { Language } from './locales.ts';

export interface SaleEvent {
  /** The campaign name, per language. */
  readonly name: Record<Language, string>;
  /** First day (UTC midnight of the local date) and number of days. */
  readonly start: number;
  readonly days: number;
  /** Orders on those days, relative to an ordinary day. */
  readonly lift: number;
}

/** The n-th (1-based; -1 the last) weekday (0 Sunday) of a month, as UTC midnight. */
function nthWeekday(year: number, month: number, weekday: number, n: number): number {
  if (n > 0) {
    const first = new Date(Date.UTC(year, month, 1)).getUTCDay();
    return Date.UTC(year, month, 1 + ((weekday - first + 7) % 7) + 7 * (n - 1));
  }
  const lastDay = new Date(Date.UTC(year, month + 1, 0));
  return Date.UTC(year, month, lastDay.getUTCDate() - ((lastDay.getUTCDay() - weekday + 7) % 7));
}

const both = (name: string) => ({ pt: name, es: name });

/** The sale events of a site in one year. */
function eventsOf(site: SiteId, year: number): SaleEvent[] {
  const blackFriday = nthWeekday(year, 10, 5, 4);
  const events: SaleEvent[] = [
    { name: both('Black Friday'), start: blackFriday, days: 1, lift: site === 'MLB' ? 4 : 3 },
    { name: both('Black Weekend'), start: blackFriday + DAY_MS, days: 2, lift: 1.6 },
    { name: both('Cyber Monday'), start: blackFriday + 3 * DAY_MS, days: 1, lift: 2.2 },
    { name: { pt: 'Natal', es: 'Navidad' }, start: Date.UTC(year, 11, 10), days: 12, lift: 1.35 },
  ];
  if (site === 'MLB') {
    events.push({ name: both('Dia do Consumidor'), start: Date.UTC(year, 2, 15), days: 1, lift: 2 });
    events.push({ name: both('Dia das Mães'), start: nthWeekday(year, 4, 0, 2) - 7 * DAY_MS, days: 7, lift: 1.4 });
  }
  if (site === 'MLA') {
    events.push({ name: both('Hot Sale'), start: nthWeekday(year, 4, 1, 2), days: 3, lift: 2.5 });
    events.push({ name: both('CyberMonday'), start: nthWeekday(year, 10, 1, 1), days: 3, lift: 2.2 });
    events.push({ name: both('Día de la Madre'), start: nthWeekday(year, 9, 0, 3) - 7 * DAY_MS, days: 7, lift: 1.3 });
  }
  if (site === 'MLM') {
    events.push({ name: both('Hot Sale'), start: nthWeekday(year, 4, 1, -1) - 3 * DAY_MS, days: 9, lift: 1.8 });
    events.push({ name: both('El Buen Fin'), start: nthWeekday(year, 10, 1, 3) - 3 * DAY_MS, days: 4, lift: 2.5 });
    events.push({ name: both('Día de las Madres'), start: Date.UTC(year, 4, 3), days: 7, lift: 1.3 });
  }
  if (site === 'MLC') events.push({ name: both('CyberDay'), start: nthWeekday(year, 5, 1, 1), days: 3, lift: 2.5 });
  if (site === 'MCO') events.push({ name: both('Día sin IVA'), start: nthWeekday(year, 5, 5, 3), days: 1, lift: 2.2 });
  if (site === 'MPE') events.push({ name: both('Cyber Wow'), start: nthWeekday(year, 6, 1, 2), days: 3, lift: 2 });
  if (site === 'MLU') events.push({ name: both('Hot Sale'), start: nthWeekday(year, 4, 1, 2), days: 3, lift: 1.8 });
  return events;
}

/** Every sale event of a site that overlaps [from, to). */
export function saleEvents(site: SiteId, from: number, to: number): SaleEvent[] {
  const out: SaleEvent[] = [];
  for (let y = new Date(from).getUTCFullYear(); y <= new Date(to).getUTCFullYear(); y++) {
    for (const e of eventsOf(site, y)) if (e.start < to && e.start + e.days * DAY_MS > from) out.push(e);
  }
  return out.sort((a, b) => a.start - b.start);
}

/** Relative orders by local weekday (Sunday first) and by month (a calmer January, a busy December). */
const WEEKDAY = [0.85, 1.12, 1.08, 1.04, 1.0, 0.95, 0.82];
const MONTH = [0.85, 0.85, 0.95, 0.95, 1.0, 1.0, 1.02, 0.98, 0.98, 1.02, 1.12, 1.15];

/** Relative orders of each local day of [start, start + days × DAY): weekday × season × sale events. */
export function dayWeights(site: SiteId, start: number, days: number): Float64Array {
  const events = saleEvents(site, start, start + days * DAY_MS);
  const w = new Float64Array(days);
  for (let d = 0; d < days; d++) {
    const at = start + d * DAY_MS;
    const date = new Date(at);
    let weight = WEEKDAY[date.getUTCDay()]! * MONTH[date.getUTCMonth()]!;
    // The days after Christmas and New Year's Day are quiet.
    if (date.getUTCMonth() === 11 && date.getUTCDate() >= 24) weight *= 0.6;
    if (date.getUTCMonth() === 0 && date.getUTCDate() === 1) weight *= 0.5;
    for (const e of events) if (at >= e.start && at < e.start + e.days * DAY_MS) weight *= e.lift;
    w[d] = weight;
  }
  return w;
}

/**
 * Relative orders by local hour: few at night, a morning rise, a lunch bump and an evening peak
 * (20–22 h), as marketplace traffic goes.
 */
export const HOURLY = [2.2, 1.2, 0.7, 0.5, 0.4, 0.6, 1.4, 2.8, 4.2, 5.2, 5.8, 6.0, 6.2, 6.0, 5.6, 5.5, 5.6, 5.8, 6.2, 6.8, 7.2, 7.0, 5.6, 3.6];

/** The offset of `timeZone` from UTC at `at` (local − UTC), in ms. */
export function zoneOffset(format: Intl.DateTimeFormat, at: number): number {
  const parts: Record<string, number> = {};
  for (const p of format.formatToParts(new Date(at))) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  const local = Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour! % 24, parts.minute!, parts.second!);
  return local - Math.floor(at / 1000) * 1000;
}

export function zoneFormat(timeZone: string): Intl.DateTimeFormat {
  return new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
}
