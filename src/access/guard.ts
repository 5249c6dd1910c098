/**
 * Refusals and the checks of parameters every operation makes before it touches the database,
 * so that bad input is refused with a typed error and nothing runs. Amounts of money are exact:
 * decimal text in, integer cents for arithmetic, decimal text out.
 */
import { EcomdbError, type ErrorCode } from '../errors.ts';
import { currencyOf, isSiteId, SITE_IDS, type SiteId } from '../../schema/values.ts';

type AccessCode = Extract<ErrorCode, `E_ACCESS_${string}`>;

/** A refusal of the query library: a code to switch on, a sentence, what to do, and facts. */
export function refuse(code: AccessCode, message: string, hint: string, details: Record<string, unknown> = {}): EcomdbError {
  return new EcomdbError(code, message, { hint, details });
}

function invalid(param: string, message: string, hint: string, value: unknown): EcomdbError {
  return refuse('E_ACCESS_INVALID', `${param}: ${message}`, hint, { param, value });
}

/** A known site id. */
export function site(region: unknown): SiteId {
  if (typeof region !== 'string' || !isSiteId(region)) {
    throw invalid('region', `"${String(region)}" is not a site`, `use one of ${SITE_IDS.join(', ')}`, region);
  }
  return region as SiteId;
}

/** The currency a site trades in (schema/values.ts is its one home). */
export { currencyOf };

/** A whole number within [min, max] (ids, quantities, stock, limits). */
export function int(param: string, value: unknown, min = 1, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `${min} or more` : `${min} to ${max}`;
    throw invalid(param, `${String(value)} is not a whole number from ${range}`, `pass a whole number from ${range}`, value);
  }
  return value;
}

/** An id of a row: a positive whole number. */
export const id = (param: string, value: unknown): number => int(param, value, 1);

/** Text trimmed and between `min` and `max` characters. */
export function text(param: string, value: unknown, min: number, max: number): string {
  if (typeof value !== 'string') throw invalid(param, 'must be text', `pass ${min} to ${max} characters`, value);
  const trimmed = value.trim();
  if (trimmed.length < min || trimmed.length > max) {
    throw invalid(param, `has ${trimmed.length} characters`, `pass ${min} to ${max} characters (spaces at either end do not count)`, value);
  }
  return trimmed;
}

/** An optional text: undefined stays undefined. */
export function optionalText(param: string, value: unknown, min: number, max: number): string | undefined {
  return value === undefined ? undefined : text(param, value, min, max);
}

/** A valid Date. */
export function date(param: string, value: unknown): Date {
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) throw invalid(param, 'is not a valid Date', 'pass a Date', value);
  return value;
}

/** One of `allowed`. */
export function oneOf<T extends string>(param: string, value: unknown, allowed: readonly T[]): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw invalid(param, `"${String(value)}" is not allowed`, `use one of ${allowed.join(', ')}`, value);
  }
  return value as T;
}

// ---------------------------------------------------------------------------------------------
// Money

const MONEY = /^(\d{1,12})(?:\.(\d{1,2}))?$/;

/** An amount as integer cents: '19.9' and 19.9 are 1990n. Refuses negatives, NaN and a third decimal. */
export function cents(param: string, value: unknown, options: { orZero?: boolean } = {}): bigint {
  const textValue = typeof value === 'number' && Number.isFinite(value) ? value.toFixed(2) : value;
  const exact = typeof value !== 'number' || Number(textValue) === value;
  const m = typeof textValue === 'string' ? MONEY.exec(textValue.trim()) : null;
  if (!m || !exact) throw invalid(param, `${String(value)} is not an amount of money`, 'pass a decimal amount with at most two decimals, e.g. "1999.90"', value);
  const amount = BigInt(m[1]!) * 100n + BigInt((m[2] ?? '').padEnd(2, '0'));
  if (amount === 0n && !options.orZero) throw invalid(param, 'must be greater than zero', 'pass an amount above zero', value);
  return amount;
}

/** Cents as the decimal text PostgreSQL's numeric(14,2) prints: 1990n is '19.90'. */
export function decimal(amount: bigint): string {
  const sign = amount < 0n ? '-' : '';
  const abs = amount < 0n ? -amount : amount;
  return `${sign}${abs / 100n}.${String(abs % 100n).padStart(2, '0')}`;
}

/** A numeric read from the database ('19.90') as cents. */
export function centsOf(numeric: string): bigint {
  return cents('numeric', numeric, { orZero: true });
}
