/**
 * The one home of option parsers. Every command turns option strings (and the environment
 * variables that stand in for options) into values here, so that a bad value is refused the same
 * way everywhere: E_USAGE, exit 2, with the accepted range in the hint, before anything connects.
 * Values are checked against what the consumer accepts (PostgreSQL's own limits for durations),
 * so nothing valid here fails later for being out of range.
 */
import { EcomdbError } from '../errors.ts';

/** The refusal; `accepted` (the bounds, as data) goes to --json so that scripts need not read the hint. */
function refuse(option: string, value: string, what: string, hint: string, accepted: Record<string, unknown> = {}): EcomdbError {
  return new EcomdbError('E_USAGE', `${option} "${value}" is not ${what}`, { hint, details: { option, value, accepted } });
}

/** A whole number in [min, max], written in decimal digits only (no 1e3, 0x10 or empty string). */
export function integer(value: string, option: string, bounds: { min: number; max: number; example?: number }): number {
  const text = value.trim();
  const n = /^[+-]?\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(n) || n < bounds.min || n > bounds.max) {
    const what = Number.isSafeInteger(n) ? `from ${bounds.min} to ${bounds.max}` : 'a whole number';
    throw refuse(option, value, what, `use a whole number from ${bounds.min} to ${bounds.max}, e.g. ${option} ${bounds.example ?? bounds.min}`, { min: bounds.min, max: bounds.max });
  }
  return n;
}

/** A number above `above` (default 0) and at most `max`; decimals and exponents (2.5, 1e3) are fine. */
export function positive(value: string, option: string, bounds: { max: number; example?: number; above?: number }): number {
  const text = value.trim();
  const n = /^(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(text) ? Number(text) : NaN;
  const above = bounds.above ?? 0;
  if (!Number.isFinite(n) || n <= above || n > bounds.max) {
    const what = Number.isFinite(n) ? `above ${above} and at most ${bounds.max}` : 'a number';
    throw refuse(option, value, what, `use a number above ${above} and at most ${bounds.max}, e.g. ${option} ${bounds.example ?? 1}`, { above, max: bounds.max });
  }
  return n;
}

/** A wait in seconds (decimals allowed), at most `max` (default one day); returned in ms. */
export function seconds(value: string, option: string, max = 86_400): number {
  const text = value.trim();
  const n = /^(\d+\.?\d*|\.\d+)$/.test(text) ? Number(text) : NaN;
  if (!Number.isFinite(n) || n > max) throw refuse(option, value, `a number of seconds from 0 to ${max}`, `use a number of seconds from 0 to ${max}, e.g. ${option} 30`, { min: 0, max });
  return Math.round(n * 1000);
}

/**
 * The largest lock_timeout or statement_timeout PostgreSQL accepts: both are int4 settings in
 * milliseconds (docs/design.md), so 2147483647 ms, about 24.8 days. 0 means no timeout.
 */
export const PG_MAX_TIMEOUT_MS = 2_147_483_647;

const UNIT_MS = { ms: 1, s: 1000, min: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** The milliseconds of a duration as PostgreSQL reads it (bare numbers are ms), or NaN. */
export function durationMs(value: string): number {
  const m = /^(\d+)\s*(ms|s|min|h|d)?$/.exec(value.trim());
  return m ? Number(m[1]) * UNIT_MS[(m[2] ?? 'ms') as keyof typeof UNIT_MS] : NaN;
}

/**
 * A PostgreSQL timeout such as 500ms, 5s, 2min, 1h or 1d (a bare number is ms), within what
 * PostgreSQL accepts: 0 (no timeout, PostgreSQL's meaning) to 2147483647 ms. Returned normalised,
 * ready for SET.
 */
export function duration(value: string, option: string): string {
  const ms = durationMs(value);
  if (!(ms <= PG_MAX_TIMEOUT_MS)) {
    throw refuse(option, value, 'a duration PostgreSQL accepts', 'use a whole number with ms, s, min, h or d, from 0 (no timeout) up to 24d (PostgreSQL\'s limit is 2147483647ms), e.g. 500ms, 5s, 2min', { minMs: 0, maxMs: PG_MAX_TIMEOUT_MS });
  }
  return value.trim().replace(/\s+/, '');
}

/** `YYYY-MM-DD` of a UTC instant. */
export function isoDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/**
 * A calendar date written YYYY-MM-DD (nothing else: no 2026-2-3, no times, no bare years), that
 * exists (no 2026-02-30), within [min, max] (both ms at 00:00 UTC); returned as ms at 00:00 UTC.
 */
export function date(value: string, option: string, bounds: { min: number; max: number }): number {
  const range = `from ${isoDay(bounds.min)} to ${isoDay(bounds.max)}`;
  const accepted = { min: isoDay(bounds.min), max: isoDay(bounds.max) };
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value.trim());
  const ms = m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : NaN;
  // Date.UTC rolls an impossible day over (02-30 becomes 03-02): a real date reads back the same.
  if (!m || Number.isNaN(ms) || isoDay(ms) !== `${m[1]}-${m[2]}-${m[3]}`) {
    throw refuse(option, value, 'a date written YYYY-MM-DD', `use a real calendar date ${range}, e.g. ${option} ${isoDay(bounds.max)}`, accepted);
  }
  if (ms < bounds.min || ms > bounds.max) throw refuse(option, value, `a date ${range}`, `use a date ${range}, e.g. ${option} ${isoDay(bounds.max)}`, accepted);
  return ms;
}

/** One of a fixed set of words. */
export function oneOf<T extends string>(value: string, option: string, choices: readonly T[], hint?: string): T {
  if (!(choices as readonly string[]).includes(value)) {
    throw refuse(option, value, choices.length === 2 ? `${choices[0]} or ${choices[1]}` : `${choices.slice(0, -1).join(', ')} or ${choices.at(-1)}`, hint ?? `use one of: ${choices.join(', ')}`, { choices });
  }
  return value as T;
}

/**
 * A point in time for `--since`: a duration back from `now` (`90s`, `30min`, `2h`, `7d`) or an ISO
 * 8601 date or time (`2026-12-01`, `2026-12-01T06:00:00Z`; a time without a zone is UTC).
 */
export function since(value: string, option: string, now: number = Date.now()): Date {
  const text = value.trim();
  const back = /^(\d+)\s*(s|min|h|d)$/.exec(text);
  if (back) return new Date(now - Number(back[1]) * UNIT_MS[back[2] as keyof typeof UNIT_MS]);
  const m = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2})(:\d{2})?(?:\.\d+)?(Z|[+-]\d{2}:\d{2})?)?$/.exec(text);
  if (m) {
    const day = m[1]!;
    const at = Date.parse(m[2] === undefined ? `${day}T00:00:00Z` : `${day}T${m[2]}${m[3] ?? ':00'}${m[4] ?? 'Z'}`);
    // Date.parse rolls an impossible day over (02-30 becomes 03-02): a real day reads back the same.
    if (!Number.isNaN(at) && Number.isFinite(Date.parse(`${day}T00:00:00Z`)) && new Date(`${day}T00:00:00Z`).toISOString().slice(0, 10) === day) return new Date(at);
  }
  throw refuse(option, value, 'a duration back from now or an ISO date or time', `use e.g. ${option} 2h, ${option} 7d or ${option} 2026-12-01T06:00:00Z`);
}
