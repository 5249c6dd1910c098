/** Milliseconds in a day of 24 hours (UTC has no daylight saving): the one definition every module uses. */
export const DAY_MS = 86_400_000;
